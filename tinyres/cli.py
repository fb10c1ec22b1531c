"""The ``tinyres`` command."""
from __future__ import annotations

import argparse
import sys

from .i18n import LANGS, _, fill, figure_lang, get_lang, pad, set_lang


def _demo(args):
    """Gradient at the input of a deep plain stack vs a residual stack, and a gradient check."""
    import math

    import tinyres as tr
    import tinyres.functional as F
    from tinyres.inspect.gradflow import grad_norm

    rng = tr.backend.generator(args.seed)
    c, depth = 8, args.depth
    x0 = rng.standard_normal((8, c, 8, 8))
    # Half the He scale: each conv+ReLU then shrinks what passes through it, forward and backward,
    # a per-layer factor below 1 whose product over the depth is the vanishing gradient.
    weights = [rng.standard_normal((c, c, 3, 3)) * math.sqrt(2.0 / (9 * c)) * 0.5 for _layer in range(depth)]

    def run(residual):
        x = tr.tensor(x0, requires_grad=True, device=args.device)
        h = x
        for w in weights:
            f = F.relu(F.conv2d(h, tr.tensor(w, device=args.device), padding=1))
            h = F.residual_add(f, h) if residual else f
        h.retain_grad()
        F.mean(h * h).backward()
        return grad_norm(x.grad) / grad_norm(h.grad), grad_norm(h.data) / grad_norm(x.data)

    (plain, plain_signal), (resid, resid_signal) = run(False), run(True)
    last = f"x_{depth}"
    print(_("tinyres demo on {device}: the same {depth} random 3x3 convolutions (8 channels, He init scaled by "
            "0.5, no batch norm)\nstacked two ways, on 8 images of 8x8, loss L = mean({last}^2):",
            device=args.device, depth=depth, last=last))
    print("  " + pad(_("plain"), 10) + "x_(l+1) = relu(conv(x_l))\n  " + pad(_("residual"), 10)
          + "x_(l+1) = x_l + relu(conv(x_l))")
    print(_("Gradient gain |dL/dx_0| / |dL/d{last}|: the gradient that reaches the input, relative to the one "
            "that leaves\nthe output (1: unchanged; near 0: vanished). Per layer: gain ** (1/{depth}).\n",
            last=last, depth=depth))
    print(" " * 19 + pad(_("gradient gain"), 15) + pad(_("per layer"), 11)
          + _("activation gain |{last}| / |x_0|", last=last))
    for label, gain, signal in ((_("plain stack"), plain, plain_signal), (_("residual stack"), resid, resid_signal)):
        print(f"    {pad(label, 15)}: {gain:.3e}     x{gain ** (1 / depth):.3f}        {signal:.3e}")
    print()
    for paragraph in _demo_reading(depth, plain, resid, resid_signal):
        print(fill(paragraph, 100))
    print()
    xg = tr.tensor(rng.standard_normal((2, 3, 5, 5)), requires_grad=True, device=args.device)
    wg = tr.tensor(rng.standard_normal((4, 3, 3, 3)), requires_grad=True, device=args.device)
    report = tr.gradcheck(lambda x, w: F.relu(F.residual_add(F.conv2d(x, w, padding=1), F.shortcut_a(x, 4, 1))),
                          [xg, wg], raise_on_fail=False)
    print(_("Gradient check of relu(conv(x) + shortcut_A(x)) against central differences (float64):"))
    print("  " + str(report).replace("\n", "\n  "))
    return 0 if report.ok else 1


def _demo_reading(depth, plain, resid, resid_signal):
    """What the demo's numbers say; each sentence is chosen by the numbers this run measured."""
    per_plain, per_resid = plain ** (1 / depth), resid ** (1 / depth)
    if plain < 1e-3:
        lines = [_("Plain: the backward pass multiplies the gradient by one layer's Jacobian after another; each "
                   "scaled it by {per:.3f} on average, and {depth} of them leave {gain:.1e} of it: it vanished on the "
                   "way to the input.", per=per_plain, depth=depth, gain=plain)]
    else:
        lines = [_("Plain: the backward pass multiplies the gradient by one layer's Jacobian after another; each "
                   "scaled it by {per:.3f} on average, and {depth} of them leave {gain:.1e} of it.",
                   per=per_plain, depth=depth, gain=plain)]
    if resid >= 1:
        lines.append(_("Residual: each block's Jacobian is dF/dx + 1 (dL/dx = dL/dy (dF/dx + 1)); the +1 hands dL/dy "
                       "to x unchanged, and the gradient did not fade (x{per:.3f} per block).", per=per_resid))
    else:
        lines.append(_("Residual: each block's Jacobian is dF/dx + 1, yet the gradient shrank in this run "
                       "(x{per:.3f} per block): its branches worked against the identity.", per=per_resid))
    if resid > 10 and 0.1 < resid / resid_signal < 10:
        lines.append(_("It grew ({gain:.1e}) because the activations grew ({signal:.1e}): without batch norm "
                       "nothing rescales x as each block adds F(x) to it. This net (ReLU, no biases) computes "
                       "x_{depth} = J x_0 with the very Jacobian J whose transpose carries the gradient back, so the "
                       "gradient follows the signal (gradient gain / activation gain = {ratio:.2g}) "
                       "rather than exploding on its own. The paper's ResNets put batch norm in every branch: "
                       "`tinyres gradflow` measures those.",
                       gain=resid, signal=resid_signal, depth=depth, ratio=resid / resid_signal))
    elif resid > 10:
        lines.append(_("It grew ({gain:.1e}), faster than the activations ({signal:.1e}).",
                       gain=resid, signal=resid_signal))
    return lines


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
            print(_("{prog}: {flag} {given} contradicts the run in {out}, which was saved with {flag} {saved}; "
                    "leave the flag out to resume as saved, or start a new run in another --out",
                    prog=prog, flag=_flag(exc.field), given=_show(exc.given), out=args.out, saved=_show(exc.saved)),
                  file=sys.stderr)
        else:
            print(f"{prog}: {_flag(exc.field)} {_cli_text(exc.problem)}", file=sys.stderr)
        return 2
    except StateDictError as exc:
        print(_("{prog}: {out}/checkpoint.npz does not fit the model: {error}", prog=prog, out=args.out, error=exc),
              file=sys.stderr)
        return 2
    except (DatasetError, CheckpointError, OutputDirError, ValueError) as exc:
        print(f"{prog}: {_cli_text(str(exc))}", file=sys.stderr)
        return 2
    if result.stopped == "interrupted":
        return 130
    if result.stopped == "complete":      # train() said so; nothing was run
        return 0
    err = result.test_error
    print(_("done: {iterations} iterations in {seconds:.0f}s, test error {error:.2f}% (accuracy {accuracy:.2f}%); "
            "metrics and checkpoint in {out}", iterations=result.iteration, seconds=result.seconds,
            error=100 * err, accuracy=100 * (1 - err), out=args.out))
    return 0


def _show(value):
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    return _("(not set)") if value is None else str(value)


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
        print(_("{name:>10}: |dL/dW| at init, first conv {first:.3e}, last conv {last:.3e}, ratio first/last "
                "{ratio:.3g}", name=name, first=rows[0][2], last=rows[-1][2], ratio=rows[0][2] / rows[-1][2]))
        split = [r for r in trace["residual"] if r["step"] == 0]
        if split:
            share = sum(r["identity_norm"] for r in split) / sum(r["identity_norm"] + r["branch_norm"] for r in split)
            print(" " * 12 + _("identity path carries {share:.0f}% of the summed per-block gradient norms at init",
                                 share=100 * share))
    print(_("wrote {files}", files=", ".join(result["figures"] + [f"{args.out}/gradflow.json"])))
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


_DEVICE_HELP = "cpu, cuda, cuda:N (default: $TINYRES_DEVICE if set, else cpu)"


def add_lang_option(parser):
    """``--lang`` on ``parser`` and on every subcommand under it (the exercises' own included).
    SUPPRESS leaves the attribute unset unless the flag is given, so a subcommand's parser does not
    overwrite ``tinyres exercises --lang ko check DIR`` with its own default."""
    parser.add_argument("--lang", choices=LANGS, default=argparse.SUPPRESS,
                        help="language of everything printed and drawn (default: $TINYRES_LANG, else en)")
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in dict.fromkeys(action.choices.values()):      # aliases share a parser
                add_lang_option(sub)


def apply_lang(args):
    """Switch to ``args.lang`` (when given) before anything is printed; in a language other than
    English, choose the figure font now, before any figure exists (a figure copies the font it
    is created with)."""
    if getattr(args, "lang", None):
        set_lang(args.lang)
    if get_lang() != "en":
        figure_lang()


def _train_defaults():
    """What a new ``tinyres train`` run uses for a flag left out, as ``_train`` builds its config:
    TrainConfig's defaults, with the digits recipe on top for --data digits (the default) and the
    named recipe on top for --recipe cifar10-paper."""
    import dataclasses

    from .train import RECIPES, TrainConfig

    base = {f.name: f.default for f in dataclasses.fields(TrainConfig)}
    return {"": {**base, **RECIPES["digits"]}, "--data cifar10": base,
            "--recipe cifar10-paper": {**base, **RECIPES["cifar10-paper"]}}


def _default(field, none=None):
    """``(default: V)`` for a train flag, naming the --data/--recipe that change it."""
    cases = _train_defaults()

    def show(value):
        return none if value is None and none else _show(value)

    first = cases[""][field]
    others = [f"{show(v[field])} with {case}" for case, v in cases.items() if case and v[field] != first]
    return "(default: " + "; ".join([show(first)] + others) + ")"


def build_parser():
    """The ``tinyres`` command line: every subcommand and option, each option's help ending with its default."""
    parser = argparse.ArgumentParser(prog="tinyres", description="Learn ResNet by building it. Start with "
                                     "`tinyres demo` (seconds), then `tinyres tour` (minutes); each command's "
                                     "--help lists its options and their defaults.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    tour = sub.add_parser("tour", help="the main job: plain vs residual gradient flow, degradation, the paper's "
                                      "table, and report.html (minutes on a CPU)",
                          description="Gradient flow of plain-56 vs ResNet-56, a short degradation run of plain and "
                                      "residual nets at depths 20 and 56 on the built-in digits, and the paper's "
                                      "parameter/multiply-add table, written up in OUT/report.html.")
    tour.add_argument("--out", default="tinyres-out/tour", help="output folder (default: %(default)s)")
    tour.add_argument("--quick", action="store_true",
                      help="a smoke test in seconds: depths 8 and 14 instead of 20 and 56, 128 images, one epoch; "
                           "it proves the pipeline runs and writes the report, and its numbers show no effect "
                           "(the tests use it)")
    tour.add_argument("--device", default=None, help=_DEVICE_HELP)
    tour.add_argument("--seed", type=int, default=0, help="random seed (default: %(default)s)")
    tour.add_argument("--no-progress", dest="progress", action="store_false", help="no progress bars")
    demo = sub.add_parser("demo", help="plain vs residual gradient at depth, and a gradient check (seconds)",
                          description="The same random convolutions stacked plain and residual: how much of the "
                                      "gradient reaches the input of each, explained; then a gradient check of a "
                                      "residual block against finite differences.")
    demo.add_argument("--depth", type=int, default=30, help="layers in each stack (default: %(default)s)")
    demo.add_argument("--device", default=None, help=_DEVICE_HELP)
    demo.add_argument("--seed", type=int, default=0, help="random seed (default: %(default)s)")
    summ = sub.add_parser("summary", help="per-layer output shapes, parameters and multiply-adds of a model")
    summ.add_argument("model", help="resnet18..152, plain18/34, vgg19, resnet20..1202, plain20..110")
    summ.add_argument("--input-size", type=int, default=None,
                      help="image side (default: the model's paper input, 224 for ImageNet models, 32 for CIFAR)")
    summ.add_argument("--in-channels", type=int, default=3, help="input channels (default: %(default)s)")
    summ.add_argument("--num-classes", type=int, default=None,
                      help="classes (default: the model's, 1000 for ImageNet models, 10 for CIFAR)")
    summ.add_argument("--paper-stride", action="store_true",
                      help="bottlenecks stride in the first 1x1 as in the paper (default: torchvision v1.5, on the 3x3)")
    summ.add_argument("--all", action="store_true", help="print every layer (default: the first 40)")
    summ.add_argument("--device", default=None, help=_DEVICE_HELP)
    tr_ = sub.add_parser("train", help="train a model (digits on a CPU in minutes; CIFAR-10 with the paper's recipe)",
                         description="Train with SGD and a step schedule. Every epoch: evaluation, metrics.csv/json "
                                     "and an atomic checkpoint.npz in --out; --resume continues from it. The "
                                     "defaults shown are a new run's: on the digits, the digits recipe; with "
                                     "--data cifar10 or --recipe cifar10-paper where they differ. --resume takes "
                                     "every setting from the saved run instead.")
    tr_.add_argument("--model", help="resnet20..1202, plain20..110, preactN, resnet18.. " + _default("model"))
    tr_.add_argument("--data", choices=["digits", "cifar10"],
                     help="dataset: the built-in 8x8 digits or CIFAR-10 " + _default("data"))
    tr_.add_argument("--root", help="CIFAR-10 folder holding cifar-10-binary.tar.gz (or cifar-10-batches-bin/) "
                                    "(default: none; --data cifar10 needs it)")
    tr_.add_argument("--download", action="store_true", default=None,
                     help="download CIFAR-10 into --root if absent (default: off, a missing archive is an error)")
    tr_.add_argument("--recipe", choices=["cifar10-paper", "digits"],
                     help="cifar10-paper: He et al. §4.2 (batch 128, lr 0.1, momentum 0.9, wd 1e-4, /10 at 32k and "
                          "48k, 64k iterations) (default: digits with --data digits; none with --data cifar10, "
                          "which then uses the defaults shown here)")
    tr_.add_argument("--epochs", type=int, help="epochs " + _default("epochs") + "; --iterations replaces it")
    tr_.add_argument("--iterations", type=int, help="train for N iterations instead (milestones then count "
                                                    "iterations) " + _default("iterations", none="none, by epochs"))
    tr_.add_argument("--batch-size", type=int, help="images per step " + _default("batch_size"))
    tr_.add_argument("--lr", type=float, help="initial learning rate " + _default("lr"))
    tr_.add_argument("--momentum", type=float, help="SGD momentum " + _default("momentum"))
    tr_.add_argument("--weight-decay", type=float, help="L2 weight decay " + _default("weight_decay"))
    tr_.add_argument("--nesterov", action="store_true", default=None, help="Nesterov momentum (default: off)")
    tr_.add_argument("--schedule", choices=["multistep", "cosine", "constant"],
                     help="learning-rate schedule " + _default("schedule"))
    tr_.add_argument("--milestones", type=lambda s: tuple(int(v) for v in s.split(",")),
                     help="comma-separated epochs (or iterations) where the lr is divided by 10 "
                          + _default("milestones"))
    tr_.add_argument("--warmup-lr", type=float, help="constant lr for the first --warmup-iterations (ResNet-110: "
                                                     "0.01) " + _default("warmup_lr", none="no warm-up"))
    tr_.add_argument("--warmup-iterations", type=int, help="length of the warm-up " + _default("warmup_iterations"))
    tr_.add_argument("--no-augment", dest="augment", action="store_false", default=None,
                     help="no crop/flip (default: augment: pad-1 random crop on the digits, never flipped; "
                          "4-pixel pad + crop + flip on CIFAR-10)")
    tr_.add_argument("--per-channel", action="store_true", default=None,
                     help="per-channel normalisation (default: subtract the per-pixel mean, as the paper)")
    tr_.add_argument("--shortcut", choices=["A", "B", "C"], help="CIFAR shortcut option " + _default("shortcut"))
    tr_.add_argument("--no-batch-norm", dest="batch_norm", action="store_false", default=None,
                     help="no batch norm (default: batch norm after every conv)")
    tr_.add_argument("--zero-init-residual", action="store_true", default=None,
                     help="each branch's last batch-norm gamma starts at 0 (default: off, gamma 1)")
    tr_.add_argument("--eval-every", type=int,
                     help="also evaluate every N iterations " + _default("eval_every", none="after each epoch only"))
    tr_.add_argument("--log-every", type=int, help="metrics row every N iterations " + _default("log_every"))
    tr_.add_argument("--limit-train", type=int,
                     help="use only the first N training images " + _default("limit_train", none="all"))
    tr_.add_argument("--limit-test", type=int,
                     help="use only the first N test images " + _default("limit_test", none="all"))
    tr_.add_argument("--seed", type=int, help="random seed " + _default("seed"))
    tr_.add_argument("--device", default=None, help=_DEVICE_HELP)
    tr_.add_argument("--out", default="runs/run", help="output folder (default: %(default)s)")
    tr_.add_argument("--resume", action="store_true",
                     help="continue the run saved in OUT/checkpoint.npz with its saved settings "
                          "(only --epochs/--iterations, --device and --root may change)")
    tr_.add_argument("--quick", action="store_true",
                     help="a smoke test in seconds: 256 training and 128 test images, 2 epochs unless --epochs, lr "
                          "/10 after epoch 1; it shows that training runs, not what the model learns")
    tr_.add_argument("--no-progress", dest="progress", action="store_false", default=None, help="no progress bar")
    tr_.add_argument("--distributed", action="store_true", default=None,
                     help="data-parallel over the ranks of `mpiexec -n K` (MPI; NCCL with --device cuda): the "
                          "--batch-size is global, each rank takes 1/K of it (default: off)")
    tr_.add_argument("--sync-bn", action="store_true", default=None,
                     help="with --distributed: batch-norm statistics over the global batch, not per rank (default: off)")
    gf = sub.add_parser("gradflow", help="gradient norms per layer and the identity/branch split, plain vs residual")
    gf.add_argument("--models", default="plain56,resnet56", help="comma-separated model names (default: %(default)s)")
    gf.add_argument("--data", default="digits", choices=["digits", "cifar10"], help="dataset (default: %(default)s)")
    gf.add_argument("--root", help="CIFAR-10 folder (default: none; --data cifar10 needs it)")
    gf.add_argument("--steps", default="0,100",
                    help="training steps at which to plot per-layer norms (default: %(default)s)")
    gf.add_argument("--batch-size", type=int, default=64, help="images per step (default: %(default)s)")
    gf.add_argument("--lr", type=float, default=0.1, help="learning rate (default: %(default)s)")
    gf.add_argument("--no-batch-norm", dest="batch_norm", action="store_false",
                    help="models without batch norm: see gradients vanish or explode (default: with batch norm)")
    gf.add_argument("--seed", type=int, default=0, help="random seed (default: %(default)s)")
    gf.add_argument("--device", default=None, help=_DEVICE_HELP)
    gf.add_argument("--out", default="tinyres-out/gradflow", help="output folder (default: %(default)s)")
    gf.add_argument("--quick", action="store_true",
                    help="a smoke test in seconds: 56 and 110 layers become 8, steps 0,2, 256 images; it shows "
                         "the command runs, not the effect (the tests use it)")
    gf.add_argument("--no-progress", dest="progress", action="store_false", help="no progress bars")
    from .exercises import cli as exercises_cli
    exercises_cli.add_parser(sub)
    for p in (tr_, gf):
        p.add_argument("--ops", metavar="DIR",
                       help="run with YOUR ops from an exercises workspace, on the cpu (default: the library's ops)")
    add_lang_option(parser)
    return parser


def _subcommands(parser):
    """The parsers of ``tinyres``'s subcommands, by name."""
    return next(a.choices for a in parser._actions if isinstance(a, argparse._SubParsersAction))


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    apply_lang(args)
    from . import backend
    from .exercises import cli as exercises_cli
    try:
        args.device = backend.parse_device(args.device)
    except (ValueError, backend.DeviceError) as exc:
        # the subcommand's usage, not the top-level one: the user is in `tinyres train ...`
        _subcommands(parser)[args.command].error(_cli_text(str(exc)))
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
