"""The ``tinyres`` command."""
from __future__ import annotations

import argparse
import sys


def _demo(args):
    """Gradient at the input of a deep plain stack vs a residual stack, and a gradient check."""
    import numpy as np

    import tinyres as tr
    import tinyres.functional as F

    tr.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    c, depth = 8, args.depth
    x0 = rng.standard_normal((8, c, 8, 8))
    weights = [rng.standard_normal((c, c, 3, 3)) * np.sqrt(2.0 / (9 * c)) * 0.5 for _ in range(depth)]

    def run(residual):
        x = tr.tensor(x0, requires_grad=True, device=args.device)
        h = x
        for w in weights:
            f = F.relu(F.conv2d(h, tr.tensor(w, device=args.device), padding=1))
            h = F.residual_add(f, h) if residual else f
        h.retain_grad()
        F.mean(h * h).backward()
        norm = lambda g: float(np.linalg.norm(tr.backend.to_numpy(g)))  # noqa: E731
        return norm(x.grad) / norm(h.grad)

    plain, resid = run(False), run(True)
    print(f"tinyres demo: {depth} conv+ReLU layers (He init scaled by 0.5), 8 images of 8x8, on {args.device}")
    print("  gradient norm at the input / gradient norm at the output, |dL/dx_0| / |dL/dx_L|:")
    print(f"    plain stack    : {plain:.3e}")
    print(f"    residual stack : {resid:.3e}")
    print("  In the plain stack the gradient is a product of per-layer Jacobians and shrinks with depth;")
    print("  the residual add passes dL/dy to x unchanged (dL/dx = dL/dy (dF/dx + 1)), so it does not vanish.")
    xg = tr.tensor(rng.standard_normal((2, 3, 5, 5)), requires_grad=True, device=args.device)
    wg = tr.tensor(rng.standard_normal((4, 3, 3, 3)), requires_grad=True, device=args.device)
    report = tr.gradcheck(lambda x, w: F.relu(F.residual_add(F.conv2d(x, w, padding=1), F.shortcut_a(x, 4, 1))),
                          [xg, wg], raise_on_fail=False)
    print("Gradient check of relu(conv(x) + shortcut_A(x)) against central differences (float64):")
    print("  " + str(report).replace("\n", "\n  "))
    return 0 if report.ok else 1


def _summary(args):
    """Per-layer table of a model: output shapes, parameters, multiply-adds."""
    from .inspect.summary import summary
    from .models import get_model, input_size

    kw = {}
    if args.paper_stride:
        kw["stride_in_1x1"] = True
    if args.num_classes is not None:
        kw["num_classes"] = args.num_classes
    try:
        model = get_model(args.model, **kw)
    except (ValueError, TypeError) as exc:
        print(f"tinyres summary: {exc}", file=sys.stderr)
        return 2
    size = args.input_size or input_size(args.model)
    s = summary(model, (args.in_channels, size, size), device=args.device, model_name=args.model)
    print(s.table(max_rows=None if args.all else 40))
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(prog="tinyres", description="Learn ResNet by building it.")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="plain vs residual gradient at depth, and a gradient check (seconds)")
    demo.add_argument("--depth", type=int, default=30)
    demo.add_argument("--device", default=None, help="cpu, cuda, cuda:N (default: $TINYRES_DEVICE or cpu)")
    demo.add_argument("--seed", type=int, default=0)
    summ = sub.add_parser("summary", help="per-layer output shapes, parameters and multiply-adds of a model")
    summ.add_argument("model", help="resnet18..152, plain18/34, vgg19, resnet20..1202, plain20..110")
    summ.add_argument("--input-size", type=int, default=None, help="image side (default: 224 ImageNet, 32 CIFAR)")
    summ.add_argument("--in-channels", type=int, default=3)
    summ.add_argument("--num-classes", type=int, default=None)
    summ.add_argument("--paper-stride", action="store_true",
                      help="bottlenecks stride in the first 1x1 as in the paper (default: torchvision v1.5, on the 3x3)")
    summ.add_argument("--all", action="store_true", help="print every layer (default: the first 40)")
    summ.add_argument("--device", default=None)
    args = parser.parse_args(argv)
    from . import backend
    try:
        args.device = backend.parse_device(args.device)
    except (ValueError, backend.DeviceError) as exc:
        parser.error(str(exc))
    return {"demo": _demo, "summary": _summary}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
