"""One catalogue per language (tinyres/i18n/<lang>.py): every English template in the code has
a twin with the same fields in every language, the glossary's terms are used, wide characters
count double when text is wrapped, and Korean figures draw every glyph."""
import os
import pathlib
import re
import subprocess
import sys
import warnings

import pytest

from tinyres import i18n
from tinyres.i18n import M, _, fill, fields, pad, width

from langcheck import TITLES, english_left, glossary_terms, shadowing, source_files, templates

OTHER = [lang for lang in i18n.LANGS if lang != "en"]


def _mod(lang):
    return __import__(f"tinyres.i18n.{lang}", fromlist=["x"])


def test_korean_is_a_language_file():
    assert "ko" in i18n.LANGS and i18n.LANGS[0] == "en"


def test_templates_are_constant_strings():
    """An f-string handed to the translator would be looked up with its numbers filled in."""
    bad = [f"{p.relative_to(p.parents[1])}:{line}" for p, line, t in templates() if t is None]
    assert not bad, "pass a constant template and its fields as keywords, not an f-string: " + ", ".join(bad)


def test_no_module_rebinds_the_translator():
    bad = [f"{p.name}:{line}" for p, line in shadowing()]
    assert not bad, "`_` is the translator where it is imported; name the variable otherwise: " + ", ".join(bad)


@pytest.mark.parametrize("lang", OTHER)
def test_every_template_has_a_twin_with_the_same_fields(lang):
    cat = i18n.catalogue(lang)
    missing, wrong = [], []
    for path, line, t in templates():
        if t is None:
            continue
        twin = cat.get(" ".join(t.split()))
        where = f"{path.name}:{line}"
        if twin is None:
            missing.append(f"{where} {t!r}")
        elif fields(twin) != fields(t):
            wrong.append(f"{where} {sorted(fields(t))} vs {sorted(fields(twin))}: {t!r}")
    assert not missing, f"{len(missing)} template(s) without a {lang} twin in tinyres/i18n/{lang}.py:\n" + \
        "\n".join(missing)
    assert not wrong, "fields differ between English and " + lang + ":\n" + "\n".join(wrong)


@pytest.mark.parametrize("lang", OTHER)
def test_no_template_is_translated_twice(lang):
    """A dict literal keeps the last of two equal keys without a word: two sections translating one
    template would silently lose one."""
    import ast
    path = pathlib.Path(i18n.__file__).with_name(f"{lang}.py")
    seen, twice = set(), []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") in ("MESSAGES", "TERMS"):
            seen = set()
            for key in node.value.keys:
                k = " ".join(ast.literal_eval(key).split())
                if k in seen:
                    twice.append(k)
                seen.add(k)
    assert not twice, f"translated twice in {lang}.py: " + ", ".join(map(repr, twice))


@pytest.mark.parametrize("lang", OTHER)
def test_no_stale_translation(lang):
    used = {" ".join(t.split()) for _p, _l, t in templates() if t}
    used |= {" ".join(m.split()) for _p, _e, m in glossary_terms()}
    stale = sorted(set(i18n.catalogue(lang)) - used)
    assert not stale, f"{lang}.py translates templates no code uses any more:\n" + "\n".join(stale)


@pytest.mark.parametrize("lang", OTHER)
def test_translations_follow_the_glossary(lang):
    mod = _mod(lang)
    broken = []
    for en, twin in mod.MESSAGES.items():
        prose = en
        for title in TITLES:            # a paper's title and code names (shortcut_a) are not prose
            prose = prose.replace(title, " ")
        prose = re.sub(r"\w*_\w*", " ", prose)
        for pattern, word in mod.REQUIRED.items():
            if re.search(pattern, prose, re.IGNORECASE) and word not in twin:
                broken.append(f"{word!r} missing (English has /{pattern}/): {twin!r}")
        for word in mod.FORBIDDEN:
            if word in twin:
                broken.append(f"{word!r} is not used: {twin!r}")
    for word in mod.FORBIDDEN:
        broken += [f"{word!r} in TERMS[{k!r}]" for k, v in mod.TERMS.items() if word in v]
    assert not broken, "\n".join(broken)


@pytest.mark.parametrize("lang", OTHER)
def test_every_lesson_term_is_in_the_glossary(lang):
    terms = _mod(lang).TERMS
    missing = [f"{p.name}: {en!r}" for p, en, _m in glossary_terms() if en not in terms]
    assert not missing, f"add to TERMS in tinyres/i18n/{lang}.py: " + ", ".join(missing)
    meanings = [m for _p, _e, m in glossary_terms()]
    assert all(" ".join(m.split()) in i18n.catalogue(lang) for m in meanings)


def test_the_catalogue_is_found_by_reading_every_source_file():
    names = {p.name for p in source_files()}
    assert {"lesson.py", "05_residual_block.py"} <= names and "ko.py" not in names


def test_render_in_any_language_and_nested_messages():
    inner = M("{m:.1f} ± {s:.1f} (range {lo:.1f} to {hi:.1f})", m=1, s=0.5, lo=0.25, hi=2)
    outer = M("{measured}: the sign changes from seed to seed.", measured=inner)
    assert outer.render("en") == "1.0 ± 0.5 (range 0.2 to 2.0): the sign changes from seed to seed."
    assert outer.render("ko") == "1.0 ± 0.5 (범위 0.2 ~ 2.0): 시드마다 부호가 바뀝니다."


def test_missing_twin_raises_when_strict_and_falls_back_otherwise(monkeypatch):
    monkeypatch.setenv("TINYRES_STRICT_LANG", "1")
    with pytest.raises(i18n.MissingTranslation, match="no ko twin"):
        M("a sentence nobody translated").render("ko")
    monkeypatch.setenv("TINYRES_STRICT_LANG", "0")
    assert M("a sentence nobody translated").render("ko") == "a sentence nobody translated"


def test_language_from_env_and_set_lang(monkeypatch):
    monkeypatch.setenv("TINYRES_LANG", "ko")
    i18n.set_lang(None)
    assert i18n.get_lang() == "ko" and _("Your turn") == "직접 해 보기"
    i18n.set_lang("en")
    assert _("Your turn") == "Your turn"
    i18n.set_lang(None)
    monkeypatch.setenv("TINYRES_LANG", "xx")
    with pytest.raises(ValueError, match="unknown language 'xx'"):
        i18n.get_lang()


def test_width_counts_hangul_twice():
    assert width("abc") == 3 and width("잔차") == 4 and width("e\u0301") == 1
    assert pad("잔차", 6) == "잔차  " and width(pad("abc", 6)) == 6


def test_fill_wraps_korean_to_the_same_columns():
    text = ("덧셈 z = F + x의 역전파는 dL/dz를 그대로 두 입력 모두에 넘기므로 dL/dx = dL/dz (dF/dx + 1)입니다. " * 4)
    lines = fill(text, 40).splitlines()
    assert len(lines) > 4 and all(width(line) <= 40 for line in lines)
    assert max(width(line) for line in lines) > 30          # full lines, not one word per line
    assert " ".join(lines) == " ".join(text.split())          # nothing lost or reordered


def test_english_left_finds_sentences_not_code():
    assert english_left("모든 시드에서 the deeper net is worse")
    assert english_left("  max |y by hand - y|: 1e-16")
    assert not english_left("  tinyres exercises check DIR --only relu\n일반 신경망 plain-56: 85.1%")
    assert not english_left("He 등(2016, 'Identity Mappings in Deep Residual Networks')",
                            allow=("Identity Mappings in Deep Residual Networks",))


# --- figures ------------------------------------------------------------------------------
KOREAN_FONT = "import tinyres.i18n.fonts as f; print(f.korean_font() or '')"


def _draw(lang, env_extra=None):
    code = f"""
import warnings, matplotlib
matplotlib.use("Agg")
warnings.simplefilter("error")          # a missing glyph is a warning: make it fail
import matplotlib.pyplot as plt
from tinyres import i18n
i18n.set_lang({lang!r})
i18n.figure_lang()                      # fonts are chosen before a figure exists (its texts copy them)
fig, ax = plt.subplots()
ax.semilogy([1, 2], [1e-3, 10], label=i18n.fig_text("Your turn"))     # ticks 10^-3..10^1: maths text with a minus
ax.set_title("잔차 학습 ± α -1" if i18n.figure_lang() == "ko" else "residual learning ± α -1")
ax.legend()
fig.savefig({os.devnull!r}, format="png")
print("drawn in", i18n.figure_lang())
"""
    env = {**os.environ, **(env_extra or {})}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)


def test_korean_figures_draw_every_glyph():
    font = subprocess.run([sys.executable, "-c", KOREAN_FONT], capture_output=True, text=True).stdout.strip()
    if not font:
        pytest.skip('no Korean font: pip install -e ".[ko]"')
    run = _draw("ko")
    assert run.returncode == 0, run.stderr[-2000:]
    assert "drawn in ko" in run.stdout and "glyph" not in run.stderr.lower(), run.stderr[-2000:]


def test_without_a_korean_font_figures_fall_back_to_english(tmp_path):
    # a stand-in koreanize_matplotlib without fonts hides the real one; matplotlib's own
    # fonts have no Hangul, so nothing is found
    fake = tmp_path / "koreanize_matplotlib"
    fake.mkdir()
    (fake / "__init__.py").write_text("raise ImportError('never imported')\n")
    run = _draw("ko", {"PYTHONPATH": f"{tmp_path}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"})
    if "drawn in ko" in run.stdout:
        pytest.skip("this system has a Korean font of its own")
    assert run.returncode == 0, run.stderr[-2000:]
    assert "drawn in en" in run.stdout
    hint = [line for line in run.stderr.splitlines() if "pip install" in line]
    assert len(hint) == 1 and '".[ko]"' in hint[0]


def test_fig_text_is_english_when_the_language_has_no_font(monkeypatch):
    from tinyres.i18n import fonts
    monkeypatch.setattr(i18n, "figure_lang", lambda: "en")
    i18n.set_lang("ko")
    try:
        assert i18n.fig_text("Your turn") == "Your turn" and _("Your turn") == "직접 해 보기"
    finally:
        i18n.set_lang(None)
    assert fonts.INSTALL_HINT["ko"].count("\n") == 0
