"""Issue target: ResNet-20 on the built-in digits reaches >= 97% test accuracy with the
default settings in under 5 minutes on a 2-core CPU.

    python benchmarks/train_digits.py [--seeds 0,1,2] [--model resnet20]

Runs `tinyres train` defaults (30 epochs, batch 64, lr 0.1 /10 at 15 and 23, wd 5e-4,
pad-1 random crop) once per seed and prints accuracy and wall time for each.
"""
import argparse
import statistics
import tempfile
import time

from tinyres.train import RECIPES, TrainConfig, train


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--seeds", default="0")
    p.add_argument("--model", default="resnet20")
    p.add_argument("--device", default="cpu")
    args = p.parse_args()
    accs, times = [], []
    for seed in [int(s) for s in args.seeds.split(",")]:
        with tempfile.TemporaryDirectory() as out:
            t = time.perf_counter()
            r = train(TrainConfig(**RECIPES["digits"], model=args.model, seed=seed, device=args.device, out=out,
                                  progress=False), log=lambda *a: None)
            times.append(time.perf_counter() - t)
        accs.append(100 * (1 - r.test_error))
        print(f"seed {seed}: test accuracy {accs[-1]:.2f}%  wall {times[-1]:.0f}s")
    print(f"{args.model} on digits: median accuracy {statistics.median(accs):.2f}% "
          f"(min {min(accs):.2f}), median wall {statistics.median(times):.0f}s over {len(accs)} seed(s)")


if __name__ == "__main__":
    main()
