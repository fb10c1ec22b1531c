"""Every sentence tinyres prints for a person, in each language it speaks.

English is written in the code, where it is read, as a ``str.format`` template; every other
language is ONE file in this package (``ko.py``) holding

- ``MESSAGES``: English template -> that language's template (same ``{fields}``),
- ``TERMS``: the glossary, English term -> the term every sentence of that language uses,
- ``REQUIRED`` / ``FORBIDDEN``: the term rules a test checks every translation against.

A third language is a third file: copy ``ko.py``, translate the values, and it appears in
``LANGS`` (and in every ``--lang``). ``tests/test_i18n.py`` fails when a template in the code
has no twin in a language file, when a twin lost or invented a field, or breaks a term rule.

    _("trained {n} epoch(s)", n=3)    the sentence in the current language, formatted
    M("trained {n} epoch(s)", n=3)    the same, kept to be rendered later in any language
    fig_text("error (%)")             a figure label: the current language if its font exists
    fill(text, 96)                    word wrap by display width (a Hangul syllable is 2 columns)

The current language: ``set_lang()``, else ``$TINYRES_LANG``, else English. A missing
translation falls back to English, except under ``$TINYRES_STRICT_LANG=1`` (the test suite),
where it raises :class:`MissingTranslation`.
"""
from __future__ import annotations

import functools
import importlib
import os
import pkgutil
import string
import unicodedata

__all__ = ["LANGS", "MissingTranslation", "M", "_", "get_lang", "set_lang", "catalogue", "term", "translate",
           "fields", "fig_text", "figure_lang", "width", "pad", "fill"]

LANGS = ("en",) + tuple(sorted(m.name for m in pkgutil.iter_modules(__path__)
                               if len(m.name) == 2 and m.name.isalpha()))

_chosen = {"lang": None}


class MissingTranslation(KeyError):
    """A template has no twin in the language asked for (raised only under $TINYRES_STRICT_LANG=1)."""

    def __str__(self):
        return self.args[0]


def _check(lang):
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}: tinyres speaks {', '.join(LANGS)} "
                         "(a language is a file in tinyres/i18n/)")
    return lang


def set_lang(lang):
    """Choose the language of everything printed from now on in this process (None: back to $TINYRES_LANG)."""
    _chosen["lang"] = None if lang is None else _check(lang)


def get_lang():
    if _chosen["lang"]:
        return _chosen["lang"]
    return _check(os.environ.get("TINYRES_LANG") or "en")


def _key(text):
    """Templates are matched with their whitespace collapsed: a line break in the source is no change."""
    return " ".join(text.split())


@functools.lru_cache(maxsize=None)
def _module(lang):
    return importlib.import_module(f"{__name__}.{_check(lang)}")


@functools.lru_cache(maxsize=None)
def catalogue(lang):
    """{English template (whitespace collapsed): template in ``lang``} ({} for English)."""
    if lang == "en":
        return {}
    return {_key(k): v for k, v in _module(lang).MESSAGES.items()}


def term(english, lang=None):
    """A glossary term in ``lang`` (the current language by default)."""
    lang = lang or get_lang()
    if lang == "en":
        return english
    found = _module(lang).TERMS.get(english)
    if found is None:
        if os.environ.get("TINYRES_STRICT_LANG") == "1":
            raise MissingTranslation(f"no {lang} term for {english!r} in tinyres/i18n/{lang}.py TERMS")
        return english
    return found


def translate(template, lang=None):
    """The template in ``lang``; English when that language lacks it (an error in strict mode)."""
    lang = lang or get_lang()
    if lang == "en":
        return template
    found = catalogue(lang).get(_key(template))
    if found is None:
        if os.environ.get("TINYRES_STRICT_LANG") == "1":
            raise MissingTranslation(f"no {lang} twin in tinyres/i18n/{lang}.py for {_key(template)!r}")
        return template
    return found


def fields(template):
    """The set of ``{field}`` names a template formats (format specs and conversions ignored)."""
    return {name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(template)
            if name is not None}


def _render(template, lang, kw):
    text = translate(template, lang)
    if not kw:          # a template without arguments is printed as written (braces and all)
        return text
    return text.format(**{k: (v.render(lang) if isinstance(v, M) else v) for k, v in kw.items()})


def _(template, /, **kw):
    """``template`` in the current language, formatted with ``kw`` (an M in kw is rendered in it too)."""
    return _render(template, get_lang(), kw)


class M:
    """A message kept for later: rendered in whichever language asks (``render``) or the current one (``str``)."""

    __slots__ = ("template", "kw")

    def __init__(self, template, /, **kw):
        self.template, self.kw = template, kw

    def render(self, lang=None):
        return _render(self.template, lang or get_lang(), self.kw)

    def __str__(self):
        return self.render()

    def __format__(self, spec):
        return format(str(self), spec)

    def __repr__(self):
        return f"M({self.template!r}, **{self.kw!r})"


def figure_lang():
    """The language figures are labelled in: the current one if a font can draw it, else English."""
    lang = get_lang()
    if lang == "en":
        return lang
    from .fonts import ready_for
    return lang if ready_for(lang) else "en"


def fig_text(template, /, **kw):
    """A title, axis label, legend entry or caption drawn in a figure."""
    return _render(template, figure_lang(), kw)


def width(text):
    """Columns ``text`` takes in a terminal: East Asian wide and fullwidth characters take two,
    combining marks none."""
    cols = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        cols += 2 if unicodedata.east_asian_width(ch) in "WF" else 1
    return cols


def pad(text, cols, align="<"):
    """``text`` justified to ``cols`` display columns, left ("<") or right (">"): str.ljust and
    format specs count a Hangul syllable as one column."""
    fill_ = " " * max(0, cols - width(text))
    return fill_ + text if align == ">" else text + fill_


def fill(text, cols=96, indent=""):
    """Greedy word wrap to ``cols`` display columns (whitespace collapsed; a word longer than a
    line gets a line of its own)."""
    lines, line, used = [], indent, width(indent)
    for word in text.split():
        w = width(word)
        if line.strip() and used + 1 + w > cols:
            lines.append(line)
            line, used = indent + word, width(indent) + w
        else:
            sep = " " if line.strip() else ""
            line, used = line + sep + word, used + len(sep) + w
    if line.strip():
        lines.append(line)
    return "\n".join(lines)
