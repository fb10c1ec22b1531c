"""The website builds in quick mode without a warning, with every lesson's page, figures and notebook.

Needs the docs extra (``pip install -e ".[docs]"``); skipped, with the reason, without it. The
build runs on a copy of docs/ next to links to lessons/ and tinyres/, so it neither reuses nor
overwrites what a build in the checkout left in docs/.
"""
import importlib.util
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
from html import unescape

import pytest

from langcheck import english_left

REPO = pathlib.Path(__file__).resolve().parents[1]
LESSONS = sorted((REPO / "lessons").glob("[0-9][0-9]_*.py"))
NEEDS = ("sphinx", "sphinx_gallery", "pydata_sphinx_theme", "sphinx-mathjax-offline")
MISSING = [m for m in NEEDS if importlib.util.find_spec(m) is None]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(bool(MISSING), reason=f"the website needs the docs extra (pip install -e \".[docs]\"); "
                                             f"missing: {', '.join(MISSING)}"),
]

GALLERIES = {"en": ("lessons", ""), "ko": ("lessons_ko", "_ko")}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("site")
    shutil.copytree(REPO / "docs", root / "docs", ignore=shutil.ignore_patterns(
        "_build", "_generated", "_lesson_sources", "lessons", "lessons_ko", "api", "sg_execution_times.rst",
        "__pycache__"))
    for name in ("lessons", "tinyres"):
        (root / name).symlink_to(REPO / name, target_is_directory=True)
    out, warnings = root / "html", root / "warnings.txt"
    env = {**os.environ, "TINYRES_QUICK": "1", "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "1")}
    run = subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-q", "-w", str(warnings),
                          str(root / "docs"), str(out)], capture_output=True, text=True, env=env, timeout=900)
    return {"root": root, "out": out, "run": run, "warnings": warnings.read_text() if warnings.exists() else ""}


def test_builds_without_warnings(site):
    run = site["run"]
    assert run.returncode == 0, f"sphinx exited {run.returncode}\n{site['warnings']}\n{run.stderr[-4000:]}"
    assert site["warnings"].strip() == ""


def _images(html):
    return re.findall(r'<img[^>]+src="([^"]+)"', html)


@pytest.mark.parametrize("lang", list(GALLERIES))
@pytest.mark.parametrize("lesson", LESSONS, ids=[p.stem for p in LESSONS])
def test_lesson_page_has_output_figures_and_notebook(site, lesson, lang):
    gallery, suffix = GALLERIES[lang]
    stem = lesson.stem + suffix
    page = site["out"] / gallery / f"{stem}.html"
    assert page.exists(), f"no page for {lesson.name} ({lang})"
    html = page.read_text(encoding="utf-8")
    assert "sphx-glr-script-out" in html, "the page shows nothing the lesson printed"
    assert f"[{lesson.stem}] " + ("용어" if lang == "ko" else "glossary") in html
    if lang == "ko":        # what the Korean page shows the lesson printing is Korean
        printed = "\n".join(unescape(re.sub(r"<[^>]+>", "", block)) for block in
                             re.findall(r'sphx-glr-script-out.*?<pre>(.*?)</pre>', html, re.S))
        assert printed.strip() and not english_left(printed), english_left(printed)[:10]

    # every PNG the lesson wrote to its --out folder is on the page, and the file is there
    written = sorted((site["root"] / "docs" / "_generated" / "lesson-out" / lang / stem).rglob("*.png"))
    shown = [src for src in _images(html) if "/sphx_glr_" in src and "thumb" not in src]
    assert len(shown) == len(written), (shown, written)
    for src in shown:
        assert (page.parent / src).resolve().is_file(), src

    # the notebook: linked from the page, a notebook, and its first cell names the lesson
    links = re.findall(r'href="([^"]+\.ipynb)"', html)
    assert links, "no notebook link"
    notebook = json.loads((page.parent / links[0]).resolve().read_text(encoding="utf-8"))
    first = "".join(notebook["cells"][0]["source"])
    assert f'__file__ = "{lesson.name}"' in first and '"--device", "cuda"' in first
    assert ('"--lang", "ko"' in first.split("sys.argv = ", 1)[1]) == (lang == "ko")
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert f"python lessons/{lesson.name}" in text and "--device cuda" in text, "no word on running it on a GPU"


def test_lessons_with_figures_show_them(site):
    # guards the comparison above against a build where no lesson wrote a figure at all
    pages = (site["out"] / "lessons").glob("[0-9][0-9]_*.html")
    assert sum(len(_images(p.read_text(encoding="utf-8"))) for p in pages) >= 3


def test_tour_exercises_api_and_maths(site):
    out = site["out"]
    tour = (out / "tour.html").read_text(encoding="utf-8")
    assert "Parameters and multiply-adds" in tour and "resnet20" in tour
    images = _images(tour)
    assert images and all((out / src).resolve().is_file() for src in images)

    from tinyres.exercises import EXERCISES
    exercises = (out / "exercises.html").read_text(encoding="utf-8")
    assert all(e.file in exercises for e in EXERCISES)

    conv = (out / "api" / "tinyres.ops.conv.html").read_text(encoding="utf-8")
    assert re.search(r"<pre>(<span></span>)?[^<]*dL/d", conv), "the conv derivation is not shown as a formula block"
    assert (out / "_static" / "mathjax" / "tex-chtml.js").is_file()
    assert "mathjax/tex-chtml.js" in (out / "index.html").read_text(encoding="utf-8")
