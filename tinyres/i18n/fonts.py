"""Fonts for figures in languages matplotlib's default font (DejaVu Sans) cannot draw.

DejaVu Sans has no Hangul: a Korean label comes out as empty boxes with a "Glyph ... missing
from font(s)" warning. The ``ko`` extra installs ``koreanize-matplotlib``, a small package
that bundles the NanumGothic font (SIL Open Font License). We only read that font file: we do
not import the package, because importing it changes matplotlib's global settings at once and
uses ``distutils``, which Python 3.12 removed. A Korean font the system already has (Nanum,
Noto Sans KR / CJK KR, Malgun Gothic, AppleGothic) works as well, without the extra.

Without any, Korean mode says once, on stderr, what to install and labels figures in English.
"""
from __future__ import annotations

import functools
import importlib.util
import os
import sys

__all__ = ["korean_font", "ready_for", "INSTALL_HINT"]

INSTALL_HINT = {
    "ko": 'tinyres: 그림에 한글을 쓰려면 한글 글꼴이 필요합니다: pip install -e ".[ko]" '
          "(없으면 그림의 글자는 영어로 나옵니다 / no Korean font: figures are labelled in English)",
}

_SYSTEM_KOREAN = ("NanumGothic", "NanumBarunGothic", "Noto Sans KR", "Noto Sans CJK KR", "Malgun Gothic",
                  "AppleGothic", "UnDotum")


def korean_font():
    """Path of a font file with Hangul, or None: the ``ko`` extra's NanumGothic, else a system font."""
    spec = importlib.util.find_spec("koreanize_matplotlib")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = os.path.join(folder, "fonts", "NanumGothic.ttf")
        if os.path.isfile(path):
            return path
    from matplotlib import font_manager
    for entry in font_manager.fontManager.ttflist:
        if entry.name in _SYSTEM_KOREAN:
            return entry.fname
    return None


@functools.lru_cache(maxsize=None)
def _font_name(lang):
    """The family name of a font that draws ``lang`` (registered with matplotlib), or None after
    printing INSTALL_HINT: once per process."""
    path = korean_font() if lang == "ko" else None
    if path is None:
        print(INSTALL_HINT.get(lang, f"tinyres: no font for {lang}: figures are labelled in English"),
              file=sys.stderr)
        return None
    from matplotlib import font_manager
    font_manager.fontManager.addfont(path)
    return font_manager.FontProperties(fname=path).get_name()


def ready_for(lang):
    """Make matplotlib able to draw ``lang`` and say whether it can (English always can). The
    settings are applied again on every call: a notebook or sphinx-gallery may have reset
    matplotlib since the last one."""
    if lang == "en":
        return True
    name = _font_name(lang)
    if name is None:
        return False
    import matplotlib
    # DejaVu Sans first: Latin letters, digits, the minus sign U+2212 and the maths text of log-axis
    # ticks (which has no fallback and NanumGothic has no minus); Hangul falls back to the Korean font.
    matplotlib.rcParams["font.family"] = ["DejaVu Sans", name]
    return True
