"""Sphinx configuration of the tinyres website.

    pip install -e ".[docs]"
    python -m sphinx -b html docs docs/_build/html                     # lessons in full mode
    TINYRES_QUICK=1 python -m sphinx -b html docs docs/_build/html     # lessons in --quick mode
"""
import os
import sys
import types

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "_ext"))
sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..")))

import tinyres  # noqa: E402
import tinyres_docs  # noqa: E402

# autosummary imports every submodule to list it, and importing tinyres.__main__ runs the CLI
# (which then complains about Sphinx's command line); it documents nothing, so stand in for it
sys.modules.setdefault("tinyres.__main__", types.ModuleType("tinyres.__main__"))

project = "tinyres"
author = "the tinyres authors"
copyright = "tinyres authors, MIT licence"
release = version = tinyres.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "sphinx_gallery.gen_gallery",
    # MathJax from the package instead of a CDN: the site (and its test build) reads offline
    "sphinx-mathjax-offline",
    "tinyres_docs",
]

exclude_patterns = ["_build", "_generated", "_lesson_sources"]
templates_path = []
suppress_warnings = [
    # sphinx-gallery's memory hook is a function, which Sphinx cannot pickle into its cache;
    # the configuration is re-read on every build anyway
    "config.cache",
]

# literal blocks are the docstrings' formulas and tables: no syntax colouring (the gallery's
# code blocks and the pages' command lines name their language)
highlight_language = "none"

html_theme = "pydata_sphinx_theme"
html_title = "tinyres"
html_static_path = ["_static"]
html_css_files = ["tinyres.css"]
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc", "sg_download_links"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_show_sourcelink = False
# pages with no sub-pages: no empty "Section Navigation" column
html_sidebars = {page: [] for page in ("index", "tour", "exercises")}

autosummary_generate = True
# members defined in each module, not the names a package re-exports (one page per object)
autodoc_default_options = {"members": True, "show-inheritance": True, "ignore-module-all": True}
autodoc_member_order = "bysource"
autodoc_typehints = "none"

sphinx_gallery_conf = {
    "examples_dirs": [os.path.join("_lesson_sources", lang) for lang in tinyres_docs.LANGS],
    "gallery_dirs": list(tinyres_docs.LANGS.values()),
    "filename_pattern": r"/\d\d_\w+\.py$",      # run every lesson, not only plot_*.py
    "within_subsection_order": "FileNameSortKey",
    "reset_argv": "tinyres_docs.lesson_argv",
    "image_scrapers": ("tinyres_docs.scrape_lesson_figures",),
    "reset_modules": ("matplotlib", "tinyres_docs.reset_tinyres"),
    "show_memory": tinyres_docs.run_block,
    "capture_repr": (),                          # what a lesson prints, not the value of a cell's last line
    "first_notebook_cell": tinyres_docs.FIRST_NOTEBOOK_CELL,
    "download_all_examples": False,
    "remove_config_comments": True,
    "abort_on_example_error": True,
    "min_reported_time": 0,
}
