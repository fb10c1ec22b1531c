"""What the language tests look for in printed text: English left in a Korean run, and the
translatable templates in the source (found by reading the code, not by running it)."""
from __future__ import annotations

import ast
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[1]
HANGUL = re.compile("[\uac00-\ud7a3]")
_WORD = re.compile(r"[A-Za-z][a-z]+")
# Words that are code, commands, units or names in any language's text.
CODE_WORDS = {"tinyres", "exercises", "init", "check", "only", "ops", "pip", "install", "python", "lessons",
              "quick", "lang", "out", "device", "seed", "cuda", "cpu", "numpy", "cupy", "torch", "relu", "conv",
              "bn", "fc", "im2col", "col2im", "sgd", "et", "al", "he", "veit", "li", "ms", "max", "min", "sum",
              "mean", "std", "var", "exp", "log", "argmax", "shape", "dtype", "float32", "float64", "eps",
              "gamma", "beta", "mpiexec", "mpi", "nccl", "html", "md", "png", "json", "npz", "gz", "csv", "ok",
              "resnet", "plain", "gradflow", "tour", "train", "eval", "sync", "backward", "forward", "step",
              "ko", "en", "py", "fork", "join", "matmul", "hook"}


def _words(tokens):
    return [t for t in tokens if _WORD.fullmatch(t.strip("()[]{}'\"`,.;:!?")) and
            t.strip("()[]{}'\"`,.;:!?").lower() not in CODE_WORDS]


# Names that stay English in every language: paper titles.
TITLES = ("Deep Residual Learning for Image Recognition", "Identity Mappings in Deep Residual Networks",
          "Residual Networks Behave Like Ensembles of Relatively Shallow Networks",
          "Visualizing the Loss Landscape of Neural Nets", "A Mean Field Theory of Batch Normalization")


def english_left(text, allow=TITLES):
    """Lines of a non-English run that still hold English: three English words in a row, or a
    line with no Hangul and two English words. ``allow``: phrases that may stay (paper titles)."""
    bad = []
    for line in text.splitlines():
        probe = line
        for phrase in allow:
            probe = probe.replace(phrase, " ")
        tokens = probe.split()
        run = 0
        for t in tokens:
            run = run + 1 if _words([t]) else 0
            if run >= 3:
                bad.append(line)
                break
        else:
            if not HANGUL.search(probe) and len(_words(tokens)) >= 2:
                bad.append(line)
    return bad


# (function name, position of the template argument); attribute calls are the Lesson's methods.
TEMPLATE_CALLS = {"_": 0, "M": 0, "fig_text": 0}
LESSON_METHODS = {"say": 0, "title": 0, "result": 0, "your_turn": 1}


PASS_THROUGH = {"template", "meaning"}


def shadowing(files=None):
    """[(file, line)] where a module that imports ``_`` rebinds it (``for _ in ...``): every later
    ``_(...)`` there would call the wrong thing."""
    bad = []
    for path in files or source_files():
        tree = ast.parse(path.read_text())
        imports = any(isinstance(n, ast.ImportFrom) and any(a.name == "_" for a in n.names) for n in ast.walk(tree))
        if imports:
            bad += [(path, n.lineno) for n in ast.walk(tree)
                    if isinstance(n, ast.Name) and n.id == "_" and isinstance(n.ctx, ast.Store)]
    return bad


def source_files():
    files = (sorted((ROOT / "tinyres").rglob("*.py")) + sorted((ROOT / "lessons").glob("[0-9][0-9]_*.py")) +
             sorted((ROOT / "docs" / "_ext").glob("*.py")))
    return [f for f in files if "/i18n/" not in f.as_posix() and "/solutions/" not in f.as_posix()]


def templates(files=None):
    """[(file, line, template or None if the argument is not a constant string)] for every call
    that hands text to the translator."""
    found = []
    for path in files or source_files():
        tree = ast.parse(path.read_text(), str(path))
        constants = {t.id: n.value.value for n in tree.body if isinstance(n, ast.Assign) and
                     isinstance(n.value, ast.Constant) and isinstance(n.value.value, str)
                     for t in n.targets if isinstance(t, ast.Name)}
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            f = node.func
            if isinstance(f, ast.Name) and f.id in TEMPLATE_CALLS:
                pos = TEMPLATE_CALLS[f.id]
            elif (isinstance(f, ast.Attribute) and f.attr in LESSON_METHODS and isinstance(f.value, ast.Name)
                  and f.value.id in ("L", "self") and (path.parent.name == "lessons" or path.name == "lesson.py")):
                pos = LESSON_METHODS[f.attr]
            else:
                continue
            if len(node.args) <= pos:
                continue
            arg = node.args[pos]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                found.append((path, node.lineno, arg.value))
            elif isinstance(arg, ast.Call) and isinstance(arg.func, ast.Name) and arg.func.id in ("M", "_"):
                continue            # an M or _() handed on: its own template is collected above
            elif isinstance(arg, ast.Name) and arg.id in constants:
                found.append((path, node.lineno, constants[arg.id]))     # a module-level template
            elif isinstance(arg, ast.Name) and arg.id in PASS_THROUGH:
                continue            # the Lesson methods handing on their caller's template
            else:
                found.append((path, node.lineno, None))
    return found


def glossary_terms(files=None):
    """English terms of every lesson's glossary: the list literal handed to Lesson(...)."""
    terms = []
    for path in files or sorted((ROOT / "lessons").glob("[0-9][0-9]_*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Lesson" and len(node.args) >= 3:
                for item in node.args[2].elts:
                    terms.append((path, item.elts[0].value, item.elts[1].value))
    return terms


if __name__ == "__main__":
    # python tests/langcheck.py ko [FILE ...]: the templates of FILE(s) (default: all) that the
    # language file lacks, as entries ready to be translated and pasted into tinyres/i18n/ko.py
    import sys

    sys.path.insert(0, str(ROOT))
    from tinyres import i18n

    lang, paths = sys.argv[1], [pathlib.Path(p).resolve() for p in sys.argv[2:]] or None
    cat, seen = i18n.catalogue(lang), set()
    for path, line, t in templates(paths):
        key = " ".join(t.split()) if t else None
        if t is None:
            print(f"# {path.name}:{line}: not a constant template")
        elif key not in cat and key not in seen:
            seen.add(key)
            print(f"    # {path.name}:{line}\n    {key!r}:\n        \"\",")
