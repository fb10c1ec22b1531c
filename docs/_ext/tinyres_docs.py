"""The parts of the website that Sphinx and sphinx-gallery do not do on their own.

- The lessons are staged for sphinx-gallery (``stage_lessons``): the copy gives the module
  docstring a reST title and turns the indented command lines into a literal block, and turns
  ``# %% Heading`` (sphinx-gallery drops the text on a ``# %%`` line) into a section heading.
- ``lesson_argv`` is the lessons' command line during the build (``--quick`` when
  ``TINYRES_QUICK=1``), ``run_block`` lets a lesson end early with ``SystemExit(0)`` as it does
  on the command line, and ``scrape_lesson_figures`` puts the PNGs a lesson wrote to its
  ``--out`` folder into the page (the lessons draw with Agg and save, they do not show).
- The tour page and the exercise list are generated from ``tinyres tour`` and
  ``tinyres.exercises.EXERCISES`` at build time.
"""
from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
import unicodedata
import zipfile
import unicodedata
from pathlib import Path

DOCS = Path(__file__).resolve().parents[1]
REPO = DOCS.parent
GENERATED = DOCS / "_generated"
STAGED = DOCS / "_lesson_sources"          # what sphinx-gallery reads (a copy, rebuilt every build)
LESSON_OUT = GENERATED / "lesson-out"      # the lessons' --out folders
LANGS = {"en": "lessons", "ko": "lessons_ko"}  # staged language -> gallery output folder under docs/

QUICK = os.environ.get("TINYRES_QUICK", "") not in ("", "0")

# A placeholder in the notebooks' first cell, replaced by each lesson's file name after the
# gallery is generated (sphinx-gallery's first_notebook_cell is one string for every notebook).
LESSON_PLACEHOLDER = "__TINYRES_LESSON__"
LANG_PLACEHOLDER = "__TINYRES_LANG__"

FIRST_NOTEBOOK_CELL = f"""\
# This notebook is lessons/{LESSON_PLACEHOLDER} of tinyres; this cell stands in for its command line.
# Options: "--quick" (seconds), "--device", "cuda" (CuPy on a GPU, after pip install -e ".[gpu]"),
# "--seed", "1", "--lang", "ko" (explanations in Korean). Figures go to tinyres-out/<lesson>/.
import sys
__file__ = "{LESSON_PLACEHOLDER}"
sys.argv = [__file__{LANG_PLACEHOLDER}]"""


# ---------------------------------------------------------------- staging the lessons

def lesson_files():
    return sorted((REPO / "lessons").glob("[0-9][0-9]_*.py"))


def _split_title(paragraph):
    """'Lesson 01 - autograd: tensors, ...' -> ('Lesson 01 - autograd', 'Tensors, ...')."""
    text = " ".join(paragraph.split())
    head, sep, rest = text.partition(": ")
    if not sep:
        return text, ""
    return head, rest[:1].upper() + rest[1:]


def _width(text):
    """Columns of ``text`` on screen, as docutils counts them for a title's underline."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _run_note(name, lang):
    lang_opt = " --lang ko" if lang == "ko" else ""
    note = [
        ".. note::",
        "",
        f"   Run it yourself: ``python lessons/{name}{lang_opt}`` (``--quick`` runs it in seconds), or",
        "   download the notebook at the end of this page. On a GPU, after ``pip install -e \".[gpu]\"``:",
        f"   ``python lessons/{name}{lang_opt} --device cuda`` runs the same code on CuPy; in the notebook,",
        "   add ``\"--device\", \"cuda\"`` to ``sys.argv`` in its first cell.",
        "",
    ]
    if QUICK:
        note += [
            ".. warning::",
            "",
            "   This page was built in quick mode (``TINYRES_QUICK=1``, the lesson's ``--quick``): a small",
            "   slice of the data and a few steps, so the numbers and figures below are not the lesson's",
            "   results. A full build of the site runs the lessons as ``python lessons/...`` does.",
            "",
        ]
    return note


def _docstring_rst(doc, name, lang):
    paragraphs = [p for p in re.split(r"\n\s*\n", doc.strip("\n"))]
    title, intro = _split_title(paragraphs[0])
    title += " (한국어)" if lang == "ko" else ""
    out = [title, "=" * _width(title), ""]
    if intro:
        out += [intro, ""]
    for p in paragraphs[1:]:
        lines = p.split("\n")
        if lines[0].startswith((" ", "\t")):
            out += [".. code-block:: bash", ""]  # command lines: code, not a block quote
        out += lines + [""]
    out += _run_note(name, lang)
    return "\n".join(out).rstrip() + "\n"


def _heading_cells(code):
    """``# %% Heading`` -> a text cell whose first line is a section heading."""
    def repl(m):
        heading = m.group(1).strip()
        return f"# %%\n# {heading}\n# {'-' * len(heading)}\n#\n"
    return re.sub(r"^# ?%%[ \t]+(\S[^\n]*)\n", repl, code, flags=re.M)


def stage_lesson(text, name, lang):
    """The staged copy of lesson ``name`` (``NN_topic.py``) for the gallery in language ``lang``.

    The note on quick mode it carries also makes sphinx-gallery (which caches by the source's
    checksum) run the lessons again when a build switches between quick and full mode."""
    tree = ast.parse(text)
    doc_node = tree.body[0] if tree.body and isinstance(tree.body[0], ast.Expr) else None
    doc = ast.get_docstring(tree, clean=True)
    if doc is None or doc_node is None:
        raise ValueError("a lesson must start with a docstring whose first line is its title")
    rest = "\n".join(text.split("\n")[doc_node.end_lineno:])
    return '"""\n' + _docstring_rst(doc, name, lang).replace('"""', r'\"\"\"') + '"""\n' + _heading_cells(rest)


def stage_lessons(app=None):
    """Write the staged copies (only where they changed, so sphinx-gallery's cache holds)."""
    for lang in LANGS:
        target = STAGED / lang
        target.mkdir(parents=True, exist_ok=True)
        header = target / "GALLERY_HEADER.rst"
        wanted = {header.name}
        _write_if_changed(header, GALLERY_HEADERS[lang])
        for src in lesson_files():
            wanted.add(staged_name(src, lang))
            _write_if_changed(target / staged_name(src, lang), stage_lesson(src.read_text(encoding="utf-8"), src.name, lang))
        for stale in target.iterdir():
            if stale.name not in wanted:
                stale.unlink()


def _write_if_changed(path, text):
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


GALLERY_HEADERS = {
    "en": """\
Lessons
=======

Each lesson is one script in ``lessons/`` of the repository, written as ``# %%`` cells. The
pages below are those scripts run when this site was built: the code, what it printed, and the
figures it drew. Every page offers the script and a Jupyter notebook to download.

Run one yourself with ``python lessons/01_autograd.py`` (``--quick`` runs in seconds,
``--device cuda`` runs it on a GPU with CuPy, ``--lang ko`` prints and draws everything in Korean).
""",
    "ko": """\
강의 (한국어)
=============

같은 강의를 ``--lang ko``\\ 로 실행한 결과입니다. 코드와 주석은 같고, 강의가 출력하는 설명, 결과,
용어집과 그림의 글자는 모두 한국어입니다 (the same lessons run with ``--lang ko``: everything
they print and draw is in Korean).
""",
}


# ---------------------------------------------------------------- running the lessons

_state = {"src": None, "stopped": False, "seen": set()}


def staged_name(lesson, lang):
    """Sphinx-gallery wants file names unique across its galleries."""
    return lesson.name if lang == "en" else f"{lesson.stem}_{lang}{lesson.suffix}"


def lesson_source(staged):
    """lessons/NN_topic.py for a staged copy (English or not)."""
    stem = Path(staged).stem
    for lang in LANGS:
        stem = stem.removesuffix(f"_{lang}")
    return REPO / "lessons" / f"{stem}.py"


def _lesson_out(src_file):
    src = Path(src_file)
    return LESSON_OUT / src.parent.name / src.stem


def lesson_argv(gallery_conf, script_vars):
    """The lesson's command line during the build; also gives the script its ``__file__``.

    sphinx-gallery runs a script without ``__file__`` (its issues #166, #212), and the lessons
    name their output folder after it; ``example_globals`` is the namespace the script runs in.
    """
    src = script_vars["src_file"]
    script_vars["example_globals"]["__file__"] = str(lesson_source(src))
    out = _lesson_out(src)
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    _state.update(src=src, stopped=False, seen=set(), globals=script_vars["example_globals"])
    lang = Path(src).parent.name
    return ["--out", str(out), "--lang", lang] + (["--quick"] if QUICK else [])


def run_block(func):
    """sphinx-gallery's hook around each cell: a lesson that ends with SystemExit(0) (the GPU
    lesson on a machine without one) leaves its remaining cells shown but not run."""
    if _state["stopped"]:
        _state["globals"]["___"] = None  # where sphinx-gallery looks for a cell's last value
        return 0.0, None
    try:
        return 0.0, func()
    except SystemExit as exc:
        if exc.code not in (0, None):
            raise RuntimeError(f"{Path(_state['src']).name} exited with status {exc.code}") from None
        _state["stopped"] = True
        _state["globals"]["___"] = None
        from tinyres.i18n import _
        print("[" + _("the lesson ends here on this machine (SystemExit(0)); the cells below did not run when this "
                      "page was built") + "]")
        return 0.0, None


_INITIAL_DTYPE = None


def reset_tinyres(gallery_conf, fname):
    """Before each lesson: the state a fresh ``python lessons/NN.py`` starts from, as far as one
    process shared by all the lessons carries it over (the default dtype, open figures)."""
    global _INITIAL_DTYPE
    import matplotlib.pyplot as plt
    from tinyres import backend

    if _INITIAL_DTYPE is None:
        _INITIAL_DTYPE = backend.get_default_dtype()
    backend.set_default_dtype(_INITIAL_DTYPE)
    plt.close("all")  # the lessons save their figures; this gallery's scraper does not close them


def scrape_lesson_figures(block, block_vars, gallery_conf, **kwargs):
    """The PNGs the lesson wrote to its --out folder since the previous cell, one per row."""
    from sphinx_gallery.scrapers import figure_rst

    out = _lesson_out(block_vars["src_file"])
    new = sorted((p for p in out.rglob("*.png") if p not in _state["seen"]),
                 key=lambda p: (p.stat().st_mtime_ns, str(p)))
    rst = ""
    for png, target in zip(new, block_vars["image_path_iterator"]):
        _state["seen"].add(png)
        shutil.copyfile(png, target)
        alt = png.relative_to(out).as_posix()
        rst += figure_rst([target], gallery_conf["src_dir"], fig_titles=alt)
    return rst


# ---------------------------------------------------------------- docstrings

# The docstrings are written to read well as plain text (``help()``, the source): derivations and
# examples are indented blocks under a line of prose, ``*`` is multiplication or an unpacking
# and ``|x|`` a norm. In reST an indented block under a paragraph is an error, a lone ``*``
# opens an emphasis and ``|x|`` is a substitution, so ``plain_docstring`` shows such blocks as
# literal blocks (monospace, alignment kept) and escapes the lone stars and the bars.

_LIST_OR_MARKUP = re.compile(r"^\s*([-*+] |\d+[.)] |\.\. |:[\w ]+:|>>>)")
_PROTECT = re.compile(r"``.+?``|`[^`]+`_?|(?<![\w*])\*\*[^\s*][^*]*?(?<![\s\\])\*\*(?![\w*])"
                      r"|(?<![\w*])\*[^\s*][^*]*?(?<![\s\\])\*(?![\w*])")
_UNDERLINE = re.compile(r"^\s*([-=~^\"'`#*+])\1{2,}\s*$")


def _indent(line):
    return len(line) - len(line.lstrip())


def _escape(text):
    return text.replace("*", "\\*").replace("|", "\\|")


def _escape_inline(line):
    parts, last = [], 0
    for m in _PROTECT.finditer(line):
        parts += [_escape(line[last:m.start()]), m.group(0)]
        last = m.end()
    return "".join(parts + [_escape(line[last:])])


def plain_docstring(lines):
    out, i = [], 0
    para, last = [], []               # the current paragraph and the one before the blank line(s)
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            out.append(line)
            last, para = para or last, []
            i += 1
            continue
        above = para or last          # the prose an indented block would hang under
        base = _indent(above[0]) if above else 0
        if not (above and _indent(line) > base and not _LIST_OR_MARKUP.match(above[0])
                and not above[-1].rstrip().endswith("::")):
            para.append(line)
            last = []
            out.append(line if para[0].lstrip().startswith(">>>") else _escape_inline(line))
            if _UNDERLINE.match(line):    # a section title ends here, whatever follows it
                para = []
            i += 1
            continue
        block = []
        while i < len(lines) and (not lines[i].strip() or _indent(lines[i]) > base):
            block.append(lines[i])
            i += 1
        while block and not block[-1].strip():
            block.pop()
        if para and len(para) > 1 and all(re.search(r"\S {2,}\S", p) for p in para):
            # rows of a two-column table whose last cell wraps: the whole table is literal
            del out[len(out) - len(para):]
            block = para + block
        block = [" " * 4 + b if b.strip() else "" for b in block]
        while out and not out[-1].strip():
            out.pop()
        out += ["", " " * base + "::", ""] + block + [""]
        para, last = [], []
    return out


def process_docstring(app, what, name, obj, options, lines):
    lines[:] = plain_docstring(lines)


# ---------------------------------------------------------------- the tour and the exercises

def _md_inline(text):
    return re.sub(r"(?<!`)`([^`]+)`(?!`)", r"``\1``", text)


def _md_table(rows):
    cells = [[c.strip() for c in r.strip().strip("|").split("|")] for r in rows]
    header, body = cells[0], cells[2:]
    out = [".. list-table::", "   :header-rows: 1", ""]
    for row in [header] + body:
        out.append("   * - " + _md_inline(row[0]))
        out += ["     - " + _md_inline(c) for c in row[1:]]
    return out + [""]


def tour_report_rst(md, image_root):
    """The tour's report.md as reST: its sections become subsections of the tour page."""
    out, lines, i = [], md.split("\n"), 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("# "):
            pass  # the page has its own title
        elif line.startswith("## "):
            title = line[3:].strip()
            out += [title, "-" * len(title), ""]
        elif m := re.fullmatch(r"!\[([^\]]*)\]\(([^)]+)\)", line.strip()):
            out += [f".. image:: {image_root}/{m.group(2)}", f"   :alt: {m.group(1)}", ""]
        elif line.startswith("|"):
            table = []
            while i < len(lines) and lines[i].startswith("|"):
                table.append(lines[i])
                i += 1
            out += _md_table(table)
            continue
        else:
            out.append(_md_inline(line))
        i += 1
    return "\n".join(out) + "\n"


def build_tour(app):
    out = GENERATED / "tour"
    shutil.rmtree(out, ignore_errors=True)
    cmd = [sys.executable, "-m", "tinyres", "tour", "--out", str(out), "--no-progress"] + (["--quick"] if QUICK else [])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO)] + [p for p in [os.environ.get("PYTHONPATH")] if p])}
    run = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=REPO)
    if run.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[1:])} failed:\n{run.stdout}\n{run.stderr}")
    md = (out / "report.md").read_text(encoding="utf-8")
    _write_if_changed(GENERATED / "tour_report.rst", tour_report_rst(md, "/_generated/tour"))


def exercises_rst():
    from tinyres.exercises import EXERCISES

    out = [".. list-table::", "   :header-rows: 1", "   :widths: 4 18 24 54", "",
           "   * - #", "     - name (``--only``)", "     - file", "     - what you write"]
    for k, e in enumerate(EXERCISES, 1):
        title = e.title.replace("\\", "\\\\").replace("*", "\\*")
        out += [f"   * - {k}", f"     - ``{e.name}``", f"     - ``{e.file}``", f"     - {title}"]
    return "\n".join(out) + "\n"


def write_generated(app):
    GENERATED.mkdir(exist_ok=True)
    _write_if_changed(GENERATED / "exercises_table.rst", exercises_rst())
    build_tour(app)


def finish_gallery(app):
    """Fill the lesson's file name (and language) into each notebook's first cell, and drop the
    memory line that ``run_block`` (registered as sphinx-gallery's memory hook) would print."""
    for lang, gallery in LANGS.items():
        for page in (DOCS / gallery).glob("*.rst"):
            text = page.read_text(encoding="utf-8")
            _write_if_changed(page, re.sub(r"^\*\*Estimated memory usage:\*\*.*\n\n", "", text, flags=re.M))
        for nb in (DOCS / gallery).glob("*.ipynb"):
            text = nb.read_text(encoding="utf-8")
            if LESSON_PLACEHOLDER not in text:
                continue
            lang_args = ', \\"--lang\\", \\"ko\\"' if lang == "ko" else ""
            text = text.replace(LESSON_PLACEHOLDER, lesson_source(nb).name).replace(LANG_PLACEHOLDER, lang_args)
            json.loads(text)  # still a notebook
            nb.write_text(text, encoding="utf-8")
            # sphinx-gallery zipped the notebook before this: zip the finished one
            with zipfile.ZipFile(nb.with_suffix(".zip"), "w", zipfile.ZIP_DEFLATED) as z:
                for member in (nb.with_suffix(".py"), nb):
                    z.write(member, member.name)


def setup(app):
    app.connect("config-inited", lambda app, config: stage_lessons(app))
    app.connect("builder-inited", write_generated)
    app.connect("autodoc-process-docstring", process_docstring)
    # after sphinx-gallery's own builder-inited handler (priority 500) has written the notebooks
    app.connect("builder-inited", finish_gallery, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
