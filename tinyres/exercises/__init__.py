"""Build the engine yourself: exercises graded by gradient checks.

    tinyres exercises init ws          # a workspace of files with functions to write
    tinyres exercises check ws         # PASS/FAIL per exercise, the first thing wrong
    tinyres train --ops ws             # ResNet-20 trained with YOUR ops

From Python: :func:`init_workspace`, :func:`check` (a list of :class:`Result`), and
:func:`use_ops`, which swaps a workspace's ops into the engine (see its docstring).
"""
from __future__ import annotations

import os
import traceback
from dataclasses import dataclass

from ..i18n import M, _
from .bridge import Wrong
from .grading import GRADERS
from .workspace import WorkspaceError, init_workspace as _init, load_module

__all__ = ["EXERCISES", "Exercise", "Result", "check", "init_workspace", "use_ops", "format_results",
           "WorkspaceError", "OpsNotReady", "OPS_EXERCISES"]


@dataclass(frozen=True)
class Exercise:
    name: str
    file: str
    about: M            # the one-line description, kept to be rendered in any language

    @property
    def title(self) -> str:
        """The one-line description in the current language."""
        return str(self.about)


#: in the order a learner builds the engine (later files import earlier ones)
EXERCISES = (
    Exercise("add_mul", "ex01_add_mul.py", M("backward of add and mul, with broadcasting")),
    Exercise("topological_sort", "ex02_topological_sort.py", M("the order of the backward pass")),
    Exercise("relu", "ex03_relu.py", M("ReLU forward and backward")),
    Exercise("linear", "ex04_linear.py", M("fully connected layer y = x W^T + b")),
    Exercise("cross_entropy", "ex05_cross_entropy.py", M("softmax cross-entropy, stable, mean over the batch")),
    Exercise("im2col", "ex06_im2col.py", M("im2col and its adjoint col2im (overlaps add up)")),
    Exercise("conv2d", "ex07_conv2d.py", M("conv2d forward and backward (dW, dX, db), stride and padding")),
    Exercise("max_pool2d", "ex08_max_pool2d.py", M("max pooling backward: ties to the first maximum, padding")),
    Exercise("batch_norm", "ex09_batch_norm.py",
             M("batch norm backward in training mode: the mean and variance paths")),
    Exercise("residual", "ex10_residual.py", M("residual add and option-A shortcut backward: the \"+1\"")),
    Exercise("sgd", "ex11_sgd.py", M("SGD with momentum and weight decay (PyTorch's update)")),
    Exercise("basic_block", "ex12_basic_block.py", M("a BasicBlock assembled from your ops, forward and backward")),
)
_BY_NAME = {e.name: e for e in EXERCISES}


@dataclass
class Result:
    name: str
    ok: bool
    message: str = ""        # in the language that was current when the exercise was checked


def init_workspace(directory, solved=False, force=False):
    """Write the exercise files into ``directory`` (the reference solutions when ``solved``)."""
    return _init(directory, [e.file for e in EXERCISES], solved=solved, force=force)


def _where(exc, directory):
    """' (file.py line N)' of the deepest frame in the learner's workspace, if any."""
    root = os.path.abspath(directory)
    if isinstance(exc, SyntaxError) and exc.filename:
        return " " + _("({file} line {line})", file=os.path.basename(exc.filename), line=exc.lineno)
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if os.path.abspath(f.filename).startswith(root)]
    if not frames:
        return ""
    return " " + _("({file} line {line})", file=os.path.basename(frames[-1].filename), line=frames[-1].lineno)


def _run(directory, exercise):
    try:
        module = load_module(directory, exercise.file)
    except WorkspaceError as exc:
        return Result(exercise.name, False, str(exc))
    except (Exception, SystemExit) as exc:  # the learner's file does not import: report it on this line
        # a SyntaxError's str() repeats "(file, line N)" in English: where() says it once, translated
        message = exc.msg if isinstance(exc, SyntaxError) and exc.msg else exc
        return Result(exercise.name, False, _("cannot import {file}: {error}: {message}{where}", file=exercise.file,
                                              error=type(exc).__name__, message=message, where=_where(exc, directory)))
    try:
        GRADERS[exercise.name](module)
    except Wrong as exc:
        return Result(exercise.name, False, str(exc))
    except NotImplementedError as exc:
        return Result(exercise.name, False, _("not implemented yet ({function} raises NotImplementedError){where}",
                                              function=str(exc) or "NotImplementedError", where=_where(exc, directory)))
    except RecursionError as exc:
        return Result(exercise.name, False, _("RecursionError: your code recursed deeper than Python allows "
                                              "(infinite recursion, or recursion on a deep graph: use a loop){where}",
                                              where=_where(exc, directory)))
    except (Exception, SystemExit) as exc:  # anything the learner's code raised is a result, not a crash
        return Result(exercise.name, False, _("your code raised {error}: {message}{where}", error=type(exc).__name__,
                                              message=exc, where=_where(exc, directory)))
    return Result(exercise.name, True)


def check(directory, only=None):
    """Grade the workspace: a :class:`Result` per exercise (just ``only``'s when given)."""
    if only is not None and only not in _BY_NAME:
        raise ValueError(_("no exercise named {name!r}; the exercises are {names}", name=only,
                           names=", ".join(_BY_NAME)))
    chosen = [_BY_NAME[only]] if only else list(EXERCISES)
    return [_run(directory, e) for e in chosen]


def format_results(results, directory):
    """One line per exercise, then the summary ("7/12 passed; next: conv2d")."""
    lines = [_("PASS  {name}", name=r.name) if r.ok else _("FAIL  {name}: {message}", name=r.name, message=r.message)
             for r in results]
    count = {"passed": sum(r.ok for r in results), "total": len(results)}
    failed = [r.name for r in results if not r.ok]
    if failed:
        lines.append(_("{passed}/{total} passed; next: {name}", name=failed[0], **count))
    elif len(results) == len(EXERCISES):
        lines.append(_("{passed}/{total} passed; now train with your ops: tinyres train --ops {directory}",
                       directory=directory, **count))
    else:
        lines.append(_("{passed}/{total} passed", **count))
    return "\n".join(lines)


from .ops import OPS_EXERCISES, OpsNotReady, use_ops  # noqa: E402  (uses check above)
