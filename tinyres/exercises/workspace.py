"""The learner's workspace: writing it (blank templates or the solutions) and loading it.

The solutions in ``solutions/`` are the single source: a template is the same file with
the body of every function replaced by ``raise NotImplementedError``, so the docstring
(the maths, the shapes, the hint) the learner reads is the one the solution was written to.
They are stored as ``exNN_name.py.txt``: learner code on NumPy arrays, written out into a
workspace, never imported as part of tinyres (whose compute modules never import NumPy).
"""
from __future__ import annotations

import ast
import importlib
import os
import re
import sys
from contextlib import contextmanager

from ..i18n import _

__all__ = ["SOLUTIONS_DIR", "solution_source", "template_source", "init_workspace", "load_module",
           "WorkspaceError"]

SOLUTIONS_DIR = os.path.join(os.path.dirname(__file__), "solutions")
_MODULE_NAME = re.compile(r"^ex\d\d_\w+$")

README = """\
tinyres exercises: build the engine yourself
============================================

Each exNN_*.py file holds functions to write. Every function says, in its docstring, the
maths to implement, the shapes, and a hint; replace its `raise NotImplementedError` line.
You work on NumPy arrays. Do them in order: later files import earlier ones.

    tinyres exercises check {dir}                   grade everything
    tinyres exercises check {dir} --only relu       grade one exercise
    tinyres train --ops {dir}                       train ResNet-20 with YOUR ops
"""


class WorkspaceError(ValueError):
    """A workspace that cannot be written (files in the way) or read."""


def solution_source(filename):
    with open(os.path.join(SOLUTIONS_DIR, filename + ".txt"), encoding="utf-8") as f:
        return f.read()


def template_source(filename):
    """The solution file with each function body replaced by ``raise NotImplementedError``."""
    source = solution_source(filename)
    lines = source.splitlines(keepends=True)
    cuts = []
    for node in ast.parse(source).body:
        if not isinstance(node, ast.FunctionDef):
            continue
        body = node.body
        has_doc = isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str)
        first = body[1] if has_doc and len(body) > 1 else (None if has_doc else body[0])
        if first is None:
            continue
        indent = " " * first.col_offset
        stub = (f'{indent}# YOUR CODE HERE: replace this line with your implementation\n'
                f'{indent}raise NotImplementedError("{node.name}")\n')
        cuts.append((first.lineno - 1, body[-1].end_lineno, stub))
    for start, end, stub in reversed(cuts):
        lines[start:end] = [stub]
    return "".join(lines)


def init_workspace(directory, files, solved=False, force=False):
    """Write the exercise files (templates, or solutions when ``solved``) into ``directory``.

    Refuses, naming them, to overwrite files that are already there unless ``force``: they
    may hold the learner's work. Returns the paths written."""
    os.makedirs(directory, exist_ok=True)
    targets = list(files) + ["README.txt"]
    existing = [f for f in targets if os.path.exists(os.path.join(directory, f))]
    if existing and not force:
        raise WorkspaceError(_("{dir} already holds {files}; not overwriting your work (pass --force to replace "
                               "them)", dir=directory, files=", ".join(existing)))
    written = []
    for name in files:
        text = solution_source(name) if solved else template_source(name)
        path = os.path.join(directory, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        written.append(path)
    path = os.path.join(directory, "README.txt")
    with open(path, "w", encoding="utf-8") as f:
        f.write(_(README, dir=directory))
    written.append(path)
    return written


@contextmanager
def _on_path(directory):
    """The workspace first on sys.path, and no stale exNN modules cached from an earlier load
    (the learner edits and re-checks: each load must read the files as they are now)."""
    def purge():
        for name in [n for n in sys.modules if _MODULE_NAME.match(n)]:
            del sys.modules[name]
    purge()
    sys.path.insert(0, os.path.abspath(directory))
    try:
        yield
    finally:
        sys.path.remove(os.path.abspath(directory))


def load_module(directory, filename):
    """Import ``filename`` from the workspace (with the workspace importable, so exercise 7 can
    ``from ex06_im2col import im2col``). Errors propagate: the checker reports them."""
    path = os.path.join(directory, filename)
    if not os.path.exists(path):
        raise WorkspaceError(_("{file} is missing from {dir}; write it with `tinyres exercises init {dir}` (existing "
                               "files are kept only without --force)", file=filename, dir=directory))
    with _on_path(directory):
        importlib.invalidate_caches()
        return importlib.import_module(filename[:-3])
