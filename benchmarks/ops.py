"""Per-op forward and backward timings: the conv shapes of ResNet-20/56 (CIFAR) and ResNet-50,
batch norm, ReLU, pooling; tinyres vs torch.nn.functional side by side when torch is installed.

    python benchmarks/ops.py [--device cpu|cuda] [--reps 10] [--set cifar|resnet50|all]

Each line: median over reps of forward and of backward (upstream gradient given) in ms,
and the ratio to PyTorch.
"""
from __future__ import annotations

import argparse

import numpy as np

import tinyres as tr
import tinyres.functional as F

CIFAR = [  # (name, N, Cin, H, Cout, k, stride, pad)
    ("conv3x3 16->16 32x32", 128, 16, 32, 16, 3, 1, 1),
    ("conv3x3 16->32 s2", 128, 16, 32, 32, 3, 2, 1),
    ("conv3x3 32->32 16x16", 128, 32, 16, 32, 3, 1, 1),
    ("conv3x3 64->64 8x8", 128, 64, 8, 64, 3, 1, 1),
    ("conv3x3 3->16 (stem)", 128, 3, 32, 16, 3, 1, 1),
]
RESNET50 = [
    ("r50 conv1 7x7 s2", 8, 3, 224, 64, 7, 2, 3),
    ("r50 1x1 256->64 56x56", 8, 256, 56, 64, 1, 1, 0),
    ("r50 3x3 64->64 56x56", 8, 64, 56, 64, 3, 1, 1),
    ("r50 3x3 256->256 14x14", 8, 256, 14, 256, 3, 1, 1),
]


def median_ms(fn, reps):
    from _common import median_seconds
    return 1000 * median_seconds(fn, reps)


def bench(label, ours_fwd, torch_fwd, x_shape, params, device, reps, torch):
    rng = np.random.default_rng(0)
    x0 = rng.standard_normal(x_shape).astype("float32")
    ps0 = [rng.standard_normal(s).astype("float32") * 0.1 for s in params]
    x = tr.tensor(x0, requires_grad=True, device=device)
    ps = [tr.tensor(p, requires_grad=True, device=device) for p in ps0]
    y = ours_fwd(x, *ps)
    g = tr.backend.from_numpy(rng.standard_normal(y.shape).astype("float32"), device)

    def ours_forward():
        with tr.no_grad():
            return ours_fwd(x, *ps)

    def ours_backward():
        out = ours_fwd(x, *ps)
        out.backward(g)
    f_ms = median_ms(ours_forward, reps)
    b_ms = median_ms(ours_backward, reps) - f_ms
    line = f"{label:<26} fwd {f_ms:8.2f} ms  bwd {b_ms:8.2f} ms"
    if torch is not None:
        tdev = "cuda" if device.startswith("cuda") else "cpu"
        xt = torch.tensor(x0, requires_grad=True, device=tdev)
        pt = [torch.tensor(p, requires_grad=True, device=tdev) for p in ps0]
        gt = torch.tensor(tr.backend.to_numpy(g), device=tdev)

        def tf():
            with torch.no_grad():
                return torch_fwd(xt, *pt)

        def tb():
            torch_fwd(xt, *pt).backward(gt)
        tf_ms = median_ms(tf, reps)
        tb_ms = median_ms(tb, reps) - tf_ms
        line += f"  | torch fwd {tf_ms:7.2f} bwd {tb_ms:7.2f}  | ratio fwd {f_ms / tf_ms:5.2f}x bwd {b_ms / tb_ms:5.2f}x"
    print(line)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--device", default="cpu")
    p.add_argument("--reps", type=int, default=10)
    p.add_argument("--set", default="cifar", choices=["cifar", "resnet50", "all"])
    p.add_argument("--threads", type=int, default=2)
    args = p.parse_args()
    from _common import device_or_skip
    args.device = device_or_skip(args.device)
    if args.device is None:
        return
    try:
        import torch
        torch.set_num_threads(args.threads)
        TF = torch.nn.functional
    except ImportError:
        torch = TF = None
    shapes = {"cifar": CIFAR, "resnet50": RESNET50, "all": CIFAR + RESNET50}[args.set]
    for label, n, cin, h, cout, k, s, pad in shapes:
        bench(label, lambda x, w, s=s, pad=pad: F.conv2d(x, w, stride=s, padding=pad),
              (lambda x, w, s=s, pad=pad: TF.conv2d(x, w, stride=s, padding=pad)) if TF else None,
              (n, cin, h, h), [(cout, cin, k, k)], args.device, args.reps, torch)
    n, c, h = (128, 16, 32) if args.set != "resnet50" else (8, 64, 56)
    rm = tr.tensor(np.zeros(c, dtype="float32"), device=args.device)
    rv = tr.tensor(np.ones(c, dtype="float32"), device=args.device)
    bench(f"batch_norm train {c}x{h}x{h}", lambda x, g, b: F.batch_norm(x, rm, rv, g, b, training=True),
          (lambda x, g, b: TF.batch_norm(x, None, None, g, b, training=True)) if TF else None,
          (n, c, h, h), [(c,), (c,)], args.device, args.reps, torch)
    bench(f"relu {c}x{h}x{h}", F.relu, TF.relu if TF else None, (n, c, h, h), [], args.device, args.reps, torch)
    bench(f"max_pool 3x3 s2 {c}x{h}x{h}", lambda x: F.max_pool2d(x, 3, 2, 1),
          (lambda x: TF.max_pool2d(x, 3, 2, 1)) if TF else None, (n, c, h, h), [], args.device, args.reps, torch)
    bench(f"global_avg_pool {c}x{h}x{h}", F.global_avg_pool2d,
          (lambda x: TF.adaptive_avg_pool2d(x, 1)) if TF else None, (n, c, h, h), [], args.device, args.reps, torch)


if __name__ == "__main__":
    main()
