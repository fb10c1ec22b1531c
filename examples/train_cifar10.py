"""Train a CIFAR-10 ResNet with the paper's recipe (He et al. 2015, §4.2). A GPU is recommended.

    python examples/train_cifar10.py --root ~/data/cifar10 --download --device cuda --model resnet20
    python examples/train_cifar10.py --root ~/data/cifar10 --model resnet110 --warmup   # 0.01 for 400 iterations

The paper reports 8.75% test error for ResNet-20 (7.51% for ResNet-32, 6.97% for ResNet-56,
6.43% for ResNet-110; Table 6) after 64k iterations: batch 128, lr 0.1 divided by 10 at 32k
and 48k, momentum 0.9, weight decay 1e-4, per-pixel mean subtraction, 4-pixel padding +
random 32x32 crop + horizontal flip, option-A shortcuts. On a CPU one iteration of ResNet-20 takes about a second, so
64k iterations are a day; use --iterations to try a shorter run.
"""
import argparse

from tinyres.train import RECIPES, TrainConfig, train

PAPER_ERROR = {"resnet20": 8.75, "resnet32": 7.51, "resnet44": 7.17, "resnet56": 6.97, "resnet110": 6.43,
               "plain20": None, "plain56": None}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--root", required=True, help="folder with (or for) cifar-10-binary.tar.gz")
    p.add_argument("--download", action="store_true")
    p.add_argument("--model", default="resnet20")
    p.add_argument("--device", default=None)
    p.add_argument("--iterations", type=int, default=64000)
    p.add_argument("--warmup", action="store_true", help="lr 0.01 for the first 400 iterations (ResNet-110)")
    p.add_argument("--out", default=None)
    p.add_argument("--resume", action="store_true")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    recipe = dict(RECIPES["cifar10-paper"])
    scale = args.iterations / recipe["iterations"]
    recipe.update(iterations=args.iterations, milestones=tuple(int(m * scale) for m in recipe["milestones"]))
    if args.warmup:
        recipe.update(warmup_lr=0.01, warmup_iterations=400)
    cfg = TrainConfig(**recipe, model=args.model, root=args.root, download=args.download, device=args.device,
                      seed=args.seed, out=args.out or f"runs/cifar10-{args.model}")
    result = train(cfg, resume=args.resume)
    paper = PAPER_ERROR.get(args.model)
    print(f"{args.model}: test error {100 * result.test_error:.2f}% after {result.iteration} iterations "
          f"({result.seconds / 60:.1f} min)" + (f"; the paper reports {paper}%" if paper else ""))


if __name__ == "__main__":
    main()
