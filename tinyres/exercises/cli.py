"""``tinyres exercises list|init|check`` and the ``--ops DIR`` option of train and gradflow."""
from __future__ import annotations

import sys

from ..i18n import M, _

__all__ = ["add_parser", "run_with_ops"]


def _list(args):
    from . import EXERCISES
    for i, e in enumerate(EXERCISES, 1):
        print(f"{i:2d}  {e.name:<17} {e.file:<26} {e.title}")
    return 0


def _init(args):
    from . import WorkspaceError, init_workspace
    try:
        written = init_workspace(args.dir, solved=args.solved, force=args.force)
    except WorkspaceError as exc:
        print(f"tinyres exercises init: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:      # the system's own words (permission denied, ...) stay as the OS gives them
        print("tinyres exercises init: " + _("cannot write {dir}: {error}", dir=args.dir, error=exc), file=sys.stderr)
        return 2
    done = M("wrote {n} reference solutions and README.txt to {dir}; grade them with `tinyres exercises check {dir}`",
             n=len(written) - 1, dir=args.dir) if args.solved else \
        M("wrote {n} exercise templates and README.txt to {dir}; grade them with `tinyres exercises check {dir}`",
          n=len(written) - 1, dir=args.dir)
    print(done)
    return 0


def _check(args):
    import os

    from . import check, format_results
    if not os.path.isdir(args.dir):
        print("tinyres exercises check: " + _("no folder {dir}; create it with `tinyres exercises init {dir}`",
                                              dir=args.dir), file=sys.stderr)
        return 2
    try:
        results = check(args.dir, only=args.only)
    except ValueError as exc:
        print(f"tinyres exercises check: {exc}", file=sys.stderr)
        return 2
    print(format_results(results, args.dir))
    return 0 if all(r.ok for r in results) else 1


def add_parser(sub):
    """Register ``exercises`` on the ``tinyres`` subparsers; the handler is ``args.exercises_func``."""
    from . import EXERCISES
    ex = sub.add_parser("exercises", help=_("build the engine yourself: exercises graded by gradient checks"),
                        description=_("Write the backward passes of the engine yourself, graded by gradient checks "
                                      "against finite differences and by comparing with the library's ops."))
    ex.set_defaults(device=None)     # tinyres's main() resolves every command's device; the checker needs none
    esub = ex.add_subparsers(dest="exercises_command", required=True)
    esub.add_parser("list", help=_("the exercises, in order")).set_defaults(exercises_func=_list)
    init = esub.add_parser("init", help=_("write a workspace of exercise files into DIR"))
    init.add_argument("dir")
    init.add_argument("--solved", action="store_true", help=_("write the reference solutions instead"))
    init.add_argument("--force", action="store_true", help=_("overwrite files already in DIR (your work!)"))
    init.set_defaults(exercises_func=_init)
    chk = esub.add_parser("check", help=_("grade the workspace DIR: one PASS/FAIL line per exercise"))
    chk.add_argument("dir")
    chk.add_argument("--only", metavar="NAME", choices=[e.name for e in EXERCISES],
                     help=_("grade one exercise (default: all of them)"))
    chk.set_defaults(exercises_func=_check)
    return ex


def run(args):
    return args.exercises_func(args)


def run_with_ops(command, args, handler):
    """Run ``handler(args)`` with the workspace ``args.ops`` swapped into the engine."""
    from ..tensor import BackwardOrderError
    from . import OpsNotReady, WorkspaceError, use_ops
    if args.device not in (None, "cpu"):
        print(f"tinyres {command}: " + _("--ops runs your NumPy code: use --device cpu"), file=sys.stderr)
        return 2
    try:
        with use_ops(args.ops) as ops:
            print(_("using your ops from {dir}", dir=args.ops))
            code = handler(args)
    except (OpsNotReady, WorkspaceError, BackwardOrderError) as exc:   # the last: a sort wrong on this graph
        print(f"tinyres {command}: --ops {args.ops}: {exc}", file=sys.stderr)
        return 2
    ran = ", ".join(_("{op} backward {n}", op=k[:-len(" backward")], n=v) if k.endswith(" backward") else
                    _("{op} {n}", op=k, n=v)
                    for k, v in sorted(ops.calls.items()) if k.endswith(" backward") or k in ("topological_order",
                                                                                              "sgd_step"))
    print(_("your ops ran: {ran}", ran=ran))
    return code
