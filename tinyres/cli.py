"""The ``tinyres`` command."""
from __future__ import annotations

import argparse
import sys


def _demo(args):
    """Gradient at the input of a deep plain stack vs a residual stack, and a gradient check."""
    import math

    import tinyres as tr
    import tinyres.functional as F
    from tinyres.inspect.gradflow import grad_norm

    rng = tr.backend.generator(args.seed)
    c, depth = 8, args.depth
    x0 = rng.standard_normal((8, c, 8, 8))
    weights = [rng.standard_normal((c, c, 3, 3)) * math.sqrt(2.0 / (9 * c)) * 0.5 for _ in range(depth)]

    def run(residual):
        x = tr.tensor(x0, requires_grad=True, device=args.device)
        h = x
        for w in weights:
            f = F.relu(F.conv2d(h, tr.tensor(w, device=args.device), padding=1))
            h = F.residual_add(f, h) if residual else f
        h.retain_grad()
        F.mean(h * h).backward()
        return grad_norm(x.grad) / grad_norm(h.grad)

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
    except ValueError as exc:
        print(f"tinyres summary: {exc}", file=sys.stderr)
        return 2
    size = args.input_size or input_size(args.model)
    s = summary(model, (args.in_channels, size, size), device=args.device, model_name=args.model)
    print(s.table(max_rows=None if args.all else 40))
    return 0


def _flag(field):
    return "--" + field.replace("_", "-")


def _cli_text(text):
    """Library messages name keyword arguments; on the command line the user typed flags."""
    for api, flag in (("device='cpu'", "--device cpu"), ("download=True", "--download"), ("root=DIR", "--root DIR")):
        text = text.replace(api, flag)
    return text


def _train(args):
    """Train a model with the paper's recipe (or the digits defaults)."""
    import dataclasses

    from .data import DatasetError
    from .io import CheckpointError, OutputDirError, check_output_dir
    from .nn.module import StateDictError
    from .train import RECIPES, ConfigError, NonFiniteLossError, TrainConfig, saved_config, train

    prog = "tinyres train"
    try:
        check_output_dir(args.out)
        given = {f.name: getattr(args, f.name) for f in dataclasses.fields(TrainConfig)
                 if getattr(args, f.name, None) is not None}
        if args.quick:
            given.update(limit_train=256, limit_test=128, iterations=None, milestones=(1,), eval_every=None)
            if args.epochs is None and not args.resume:
                given["epochs"] = 2
        if args.resume:
            # the run continues as it was saved; flags given now must agree (train() checks them)
            values = saved_config(args.out)
        else:
            values = dict(RECIPES[args.recipe]) if args.recipe else {}
            if given.get("data", "digits") == "digits" and not args.recipe:
                values.update(RECIPES["digits"])
        if args.recipe and args.resume:
            given.update({k: v for k, v in RECIPES[args.recipe].items() if k not in given})
        values.update(given)
        values["device"] = args.device
        values["distributed"] = bool(args.distributed)     # how this run was launched, whatever the saved one was
        result = train(TrainConfig(**values), resume=args.resume)
    except NonFiniteLossError:
        return 3
    except ConfigError as exc:
        if exc.saved is not None or exc.given is not None:
            print(f"{prog}: {_flag(exc.field)} {_show(exc.given)} contradicts the run in {args.out}, which was "
                  f"saved with {_flag(exc.field)} {_show(exc.saved)}; leave the flag out to resume as saved, "
                  f"or start a new run in another --out", file=sys.stderr)
        else:
            print(f"{prog}: {_flag(exc.field)} {_cli_text(exc.problem)}", file=sys.stderr)
        return 2
    except StateDictError as exc:
        print(f"{prog}: {args.out}/checkpoint.npz does not fit the model: {exc}", file=sys.stderr)
        return 2
    except (DatasetError, CheckpointError, OutputDirError, ValueError) as exc:
        print(f"{prog}: {_cli_text(str(exc))}", file=sys.stderr)
        return 2
    if result.stopped == "interrupted":
        return 130
    if result.stopped == "complete":      # train() said so; nothing was run
        return 0
    err = result.test_error
    print(f"done: {result.iteration} iterations in {result.seconds:.0f}s, test error "
          f"{100 * err:.2f}% (accuracy {100 * (1 - err):.2f}%); metrics and checkpoint in {args.out}")
    return 0


def _show(value):
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    return "(not set)" if value is None else str(value)


def _gradflow(args):
    """Gradient flow of several models at initialisation and during a short training run."""
    from .data import DatasetError
    from .experiments import gradient_flow
    from .io import OutputDirError, check_output_dir

    steps = tuple(sorted({int(v) for v in args.steps.split(",")}))
    models = [m.strip() for m in args.models.split(",") if m.strip()]
    limit = None
    if args.quick:
        models, steps, limit = [m.replace("56", "8").replace("110", "8") for m in models], (0, 2), 256
    try:
        check_output_dir(args.out)
        result = gradient_flow(models, steps, data=args.data, root=args.root, batch_size=args.batch_size, lr=args.lr,
                               batch_norm=args.batch_norm, device=args.device, seed=args.seed, out=args.out,
                               progress=args.progress, limit_train=limit)
    except (DatasetError, OutputDirError, ValueError) as exc:
        print(f"tinyres gradflow: {_cli_text(str(exc))}", file=sys.stderr)
        return 2
    from .inspect.plots import conv_weight_norms
    for name, trace in result["traces"].items():
        rows = conv_weight_norms(trace["params"], 0)
        print(f"{name:>10}: |dL/dW| at init, first conv {rows[0][2]:.3e}, last conv {rows[-1][2]:.3e}, "
              f"ratio first/last {rows[0][2] / rows[-1][2]:.3g}")
        split = [r for r in trace["residual"] if r["step"] == 0]
        if split:
            share = sum(r["identity_norm"] for r in split) / sum(r["identity_norm"] + r["branch_norm"] for r in split)
            print(f"{'':>10}  identity path carries {100 * share:.0f}% of the summed per-block gradient norms at init")
    print("wrote " + ", ".join(result["figures"] + [f"{args.out}/gradflow.json"]))
    return 0


def _tour(args):
    """The main job: gradient flow, degradation and the paper's table, with a report."""
    from .io import OutputDirError, check_output_dir
    from .tour import run_tour

    try:
        check_output_dir(args.out)
    except OutputDirError as exc:
        print(f"tinyres tour: {exc}", file=sys.stderr)
        return 2
    run_tour(out=args.out, quick=args.quick, device=args.device, seed=args.seed, progress=args.progress)
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(prog="tinyres", description="Learn ResNet by building it.")
    sub = parser.add_subparsers(dest="command", required=True)
    tour = sub.add_parser("tour", help="the main job: plain vs residual gradient flow, degradation, the paper's "
                                      "table, and report.html (a few minutes on a CPU)")
    tour.add_argument("--out", default="tinyres-out/tour")
    tour.add_argument("--quick", action="store_true", help="seconds: shallow twins, 256 images (for tests)")
    tour.add_argument("--device", default=None, help="cpu, cuda, cuda:N (default: $TINYRES_DEVICE or cpu)")
    tour.add_argument("--seed", type=int, default=0)
    tour.add_argument("--no-progress", dest="progress", action="store_false")
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
    tr_ = sub.add_parser("train", help="train a model (digits on a CPU in minutes; CIFAR-10 with the paper's recipe)",
                         description="Train with SGD and a step schedule. Every epoch: evaluation, metrics.csv/json "
                                     "and an atomic checkpoint.npz in --out; --resume continues from it.")
    tr_.add_argument("--model", help="resnet20..1202, plain20..110, preactN, resnet18.. (default resnet20)")
    tr_.add_argument("--data", choices=["digits", "cifar10"], help="dataset (default: the built-in digits)")
    tr_.add_argument("--root", help="CIFAR-10 folder holding cifar-10-binary.tar.gz (or cifar-10-batches-bin/)")
    tr_.add_argument("--download", action="store_true", default=None, help="download CIFAR-10 into --root if absent")
    tr_.add_argument("--recipe", choices=["cifar10-paper", "digits"],
                     help="cifar10-paper: He et al. §4.2 (batch 128, lr 0.1, momentum 0.9, wd 1e-4, /10 at 32k and 48k, 64k iterations)")
    tr_.add_argument("--epochs", type=int, help="epochs (digits default 30)")
    tr_.add_argument("--iterations", type=int, help="train for N iterations instead (milestones then count iterations)")
    tr_.add_argument("--batch-size", type=int)
    tr_.add_argument("--lr", type=float, help="initial learning rate (default 0.1)")
    tr_.add_argument("--momentum", type=float)
    tr_.add_argument("--weight-decay", type=float)
    tr_.add_argument("--nesterov", action="store_true", default=None)
    tr_.add_argument("--schedule", choices=["multistep", "cosine", "constant"])
    tr_.add_argument("--milestones", type=lambda s: tuple(int(v) for v in s.split(",")),
                     help="comma-separated epochs (or iterations) where the lr is divided by 10")
    tr_.add_argument("--warmup-lr", type=float, help="constant lr for the first --warmup-iterations (ResNet-110: 0.01)")
    tr_.add_argument("--warmup-iterations", type=int)
    tr_.add_argument("--no-augment", dest="augment", action="store_false", default=None, help="no crop/flip")
    tr_.add_argument("--per-channel", action="store_true", default=None, help="per-channel normalisation instead of per-pixel mean")
    tr_.add_argument("--shortcut", choices=["A", "B", "C"], help="CIFAR shortcut option (default A)")
    tr_.add_argument("--no-batch-norm", dest="batch_norm", action="store_false", default=None)
    tr_.add_argument("--zero-init-residual", action="store_true", default=None)
    tr_.add_argument("--eval-every", type=int, help="also evaluate every N iterations")
    tr_.add_argument("--log-every", type=int, help="metrics row every N iterations (default 20)")
    tr_.add_argument("--limit-train", type=int, help="use only the first N training images")
    tr_.add_argument("--limit-test", type=int)
    tr_.add_argument("--seed", type=int)
    tr_.add_argument("--device", default=None, help="cpu, cuda, cuda:N (default: $TINYRES_DEVICE or cpu)")
    tr_.add_argument("--out", default="runs/run", help="output folder (default runs/run)")
    tr_.add_argument("--resume", action="store_true",
                     help="continue the run saved in OUT/checkpoint.npz with its saved settings "
                          "(only --epochs/--iterations, --device and --root may change)")
    tr_.add_argument("--quick", action="store_true", help="seconds: 256 images, 2 epochs unless --epochs (for tests)")
    tr_.add_argument("--no-progress", dest="progress", action="store_false", default=None)
    tr_.add_argument("--distributed", action="store_true", default=None,
                     help="data-parallel over the ranks of `mpiexec -n K` (MPI; NCCL with --device cuda): the "
                          "--batch-size is global, each rank takes 1/K of it")
    tr_.add_argument("--sync-bn", action="store_true", default=None,
                     help="with --distributed: batch-norm statistics over the global batch, not per rank")
    gf = sub.add_parser("gradflow", help="gradient norms per layer and the identity/branch split, plain vs residual")
    gf.add_argument("--models", default="plain56,resnet56", help="comma-separated model names (default plain56,resnet56)")
    gf.add_argument("--data", default="digits", choices=["digits", "cifar10"])
    gf.add_argument("--root", help="CIFAR-10 folder")
    gf.add_argument("--steps", default="0,100", help="training steps at which to plot per-layer norms (default 0,100)")
    gf.add_argument("--batch-size", type=int, default=64)
    gf.add_argument("--lr", type=float, default=0.1)
    gf.add_argument("--no-batch-norm", dest="batch_norm", action="store_false",
                    help="models without batch norm: see gradients vanish or explode")
    gf.add_argument("--seed", type=int, default=0)
    gf.add_argument("--device", default=None)
    gf.add_argument("--out", default="tinyres-out/gradflow")
    gf.add_argument("--quick", action="store_true", help="seconds: depth-8 twins, steps 0,2, 256 images (for tests)")
    gf.add_argument("--no-progress", dest="progress", action="store_false")
    from .exercises import cli as exercises_cli
    exercises_cli.add_parser(sub)
    for p in (tr_, gf):
        p.add_argument("--ops", metavar="DIR", help="run with YOUR ops from an exercises workspace (cpu)")
    args = parser.parse_args(argv)
    from . import backend
    try:
        args.device = backend.parse_device(args.device)
    except (ValueError, backend.DeviceError) as exc:
        # the subcommand's usage, not the top-level one: the user is in `tinyres train ...`
        sub.choices[args.command].error(_cli_text(str(exc)))
    commands = {"tour": _tour, "demo": _demo, "summary": _summary, "train": _train, "gradflow": _gradflow,
                "exercises": exercises_cli.run}
    if getattr(args, "ops", None):
        return exercises_cli.run_with_ops(args.command, args, commands[args.command])
    if args.command == "train" and args.distributed:
        return _distributed_train(args)
    return commands[args.command](args)


def _distributed_train(args):
    """`tinyres train --distributed` on one rank: rank 0 speaks for all (the others would only
    repeat it); a rank that has to stop the job says so itself (tinyres.distributed)."""
    import contextlib
    import io

    from . import distributed
    try:
        comm = distributed.init(args.device)
    except distributed.DistributedError as exc:
        print(f"tinyres train: {exc}", file=sys.stderr)
        return 2
    if comm.rank == 0:
        return _train(args)
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        return _train(args)


if __name__ == "__main__":
    sys.exit(main())
