"""The README's commands, flags, defaults and figures stay in step with the real command line.

Every `tinyres ...` the README shows (code blocks and inline code) must parse with the parser
`tinyres` itself builds; every `--flag` it names must exist; every subcommand must be in it; its
first two commands must be the ones CI runs; the defaults it quotes must be the ones a run uses;
and what it shows a command printing must be what that command prints.
"""
import argparse
import contextlib
import io
import pathlib
import re
import shlex
import tokenize
from collections import Counter

import pytest

from tinyres import backend, cli
from tinyres.cli import build_parser, main

ROOT = pathlib.Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)
PLACEHOLDER = re.compile(r"[A-Z][A-Z_]*")          # DIR, NAME, COMMAND: the reader fills these in
OPERATORS = {"&&", "||", ";", "|"}


def _blocks(lang):
    return [body for kind, body in FENCE.findall(README) if kind == lang]


def _inline_code():
    prose = FENCE.sub("", README)
    return [" ".join(span.split()) for span in re.findall(r"`([^`]+)`", prose)]


def _commands(text):
    """Split shell text into commands (lists of words), dropping comments and operators."""
    commands = []
    for line in text.splitlines():
        words, current = shlex.split(line, comments=True), []
        for w in words + ["&&"]:
            if w in OPERATORS:
                if current:
                    commands.append(current)
                current = []
            else:
                current.append(w)
    return commands


def _subparsers(parser):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action.choices
    return {}


def _walk(parser, path=()):
    """(path, parser) for the parser and every subcommand under it."""
    yield path, parser
    for name, sub in _subparsers(parser).items():
        yield from _walk(sub, path + (name,))


def _readme_tinyres_commands():
    found = []
    for body in _blocks("bash"):
        found += [c[1:] for c in _commands(body) if c[0] == "tinyres"]
    for span in _inline_code():
        if span.startswith("tinyres "):
            found += [c[1:] for c in _commands(span) if c[0] == "tinyres"]
    expanded = []
    for argv in found:
        if argv and argv[0] == "COMMAND":           # `tinyres COMMAND --help`: every command
            expanded += [[name] + argv[1:] for name in _subparsers(build_parser())]
        else:
            expanded.append(argv)
    return expanded


def _fill_placeholders(argv):
    """A placeholder given to an option with choices (`--only NAME`) becomes its first choice."""
    parser, out = build_parser(), []
    for i, word in enumerate(argv):
        subs = _subparsers(parser)
        if word in subs:
            parser = subs[word]
        elif i and PLACEHOLDER.fullmatch(word):
            action = parser._option_string_actions.get(argv[i - 1])
            if action is not None and action.choices:
                word = list(action.choices)[0]
        out.append(word)
    return out


README_COMMANDS = list({tuple(a): a for a in _readme_tinyres_commands()}.values())


def test_the_readme_shows_tinyres_commands():
    assert len(README_COMMANDS) >= 10, README_COMMANDS


@pytest.mark.parametrize("argv", README_COMMANDS, ids=[" ".join(a) for a in README_COMMANDS])
def test_every_readme_command_parses(argv):
    err = io.StringIO()
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            build_parser().parse_args(_fill_placeholders(argv))
    except SystemExit as exc:
        assert exc.code == 0 and ("--help" in argv or "-h" in argv), \
            f"README command `tinyres {' '.join(argv)}` does not parse: {err.getvalue().strip()}"


def _known_flags():
    flags = {s for _, p in _walk(build_parser()) for a in p._actions for s in a.option_strings}
    scripts = [ROOT / "tinyres" / "lesson.py"] + sorted(ROOT.glob("lessons/*.py")) + \
        sorted(ROOT.glob("examples/*.py")) + sorted(ROOT.glob("benchmarks/*.py"))
    for path in scripts:       # the lessons', examples' and benchmarks' own argparse options
        flags |= set(re.findall(r"""["'](--[a-z][a-z0-9-]*)["']""", path.read_text()))
    return flags


MPIEXEC_FLAGS = {"--hostfile"}     # the launcher's, in the data-parallel section (Open MPI's spelling)


def test_every_flag_the_readme_names_exists():
    text = "\n".join(_inline_code() + _blocks("bash") + _blocks("text"))
    named = set(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*)", text))
    unknown = sorted(named - _known_flags() - MPIEXEC_FLAGS)
    assert named and not unknown, f"the README names flags no parser has: {unknown}"


def test_every_subcommand_is_in_the_readme():
    shown = {tuple(argv[:n]) for argv in README_COMMANDS for n in range(1, len(argv) + 1)}
    missing = [" ".join(path) for path, _ in _walk(build_parser()) if path and path not in shown]
    assert not missing, f"commands the README never shows: {missing}"


def _ci_test_command():
    lines = (ROOT / ".ci" / "run").read_text().splitlines()
    start = next(i for i, l in enumerate(lines) if l.startswith("# --- the README's test command"))
    command = []
    for line in lines[start + 1:]:
        if line.startswith("# ---"):
            break
        if line.strip() and not line.lstrip().startswith("#"):
            command.append(line.strip())
    return command, lines[:start]


def test_the_first_two_commands_are_what_ci_runs():
    first, second = [[p.strip() for p in b.strip().split(" && ")] for b in _blocks("bash")[:2]]
    ci_command, ci_setup = _ci_test_command()
    venv = ["python3 -m venv .venv", ". .venv/bin/activate"]
    assert all(line in ci_setup for line in venv)
    assert second == venv + ci_command, f"README's test command {second} is not what .ci/run runs: {ci_command}"
    assert first[:3] == venv + ["pip install -e ."]
    assert first[3:] and all(p.startswith("tinyres ") for p in first[3:]) and first[-1] == "tinyres tour"


def test_demo_defaults_and_output_are_the_readme_s():
    block = next(b for b in _blocks("text") if b.startswith("tinyres demo on"))
    quoted = re.search(r"What it prints \(the defaults: `([^`]+)`\)", " ".join(README.split())).group(1)
    demo = _subparsers(build_parser())["demo"]
    for flag, value in zip(*[iter(shlex.split(quoted))] * 2):
        assert str(demo.get_default(flag.lstrip("-").replace("-", "_"))) == value, flag
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["demo"]) == 0
    printed = out.getvalue().splitlines()
    shown = block.splitlines()
    assert shown[-1].strip() == "..." and len(shown) > 10
    for i, line in enumerate(shown[:-1]):       # the gradcheck's last digits depend on the BLAS: elided
        assert printed[i].rstrip() == line.rstrip(), f"README demo line {i + 1} differs from a run"


def _flat(text):
    return " ".join(text.split())


def test_quoted_training_defaults_are_the_cli_s():
    d = cli._train_defaults()
    digits, paper = d[""], d["--recipe cifar10-paper"]
    m = re.search(r"default for `--data digits` \((\d+) epochs, batch (\d+), lr ([\d.]+) /10 at epochs (\d+) and "
                  r"(\d+), weight decay ([\d.e-]+), pad-(\d+) random crop, no flip", _flat(README))
    assert m, "the README no longer quotes the digits defaults where this test looks for them"
    epochs, batch, lr, m1, m2, wd, pad = m.groups()
    assert (int(epochs), int(batch), float(lr), (int(m1), int(m2)), float(wd), int(pad), False) == (
        digits["epochs"], digits["batch_size"], digits["lr"], tuple(digits["milestones"]), digits["weight_decay"],
        digits["crop_padding"], digits["flip"])
    paper_re = (r"batch (\d+), lr ([\d.]+), momentum ([\d.]+),? (?:weight decay|wd) ([\d.e-]+), /10 at (\d+)k and "
                r"(\d+)k, (\d+)k iterations")
    recipe_help = next(a.help for a in _subparsers(build_parser())["train"]._actions if "--recipe" in a.option_strings)
    for where, text in (("README", _flat(README)), ("tinyres train --help", recipe_help)):
        m = re.search(r"cifar10-paper.{0,40}?\(" + paper_re, text)
        assert m, f"{where} no longer quotes the cifar10-paper recipe where this test looks for it"
        b, lr, mom, wd, m1, m2, it = m.groups()
        assert (int(b), float(lr), float(mom), float(wd), (int(m1) * 1000, int(m2) * 1000), int(it) * 1000) == (
            paper["batch_size"], paper["lr"], paper["momentum"], paper["weight_decay"], tuple(paper["milestones"]),
            paper["iterations"]), where


def test_every_option_help_shows_its_default():
    missing = []
    for path, parser in _walk(build_parser()):
        for a in parser._actions:
            takes_value = a.option_strings and a.nargs != 0 and not isinstance(a, argparse._HelpAction)
            if takes_value and "default" not in (a.help or ""):
                missing.append(f"tinyres {' '.join(path)} {a.option_strings[0]}")
    assert not missing, f"options whose --help gives no default: {missing}"


def test_summary_figures_in_the_readme_are_what_it_prints():
    checked = 0
    for body in _blocks("bash"):
        for line in body.splitlines():
            m = re.match(r"tinyres (summary [^#]*?)\s+#.*?(\d+\.\d+G)", line)
            if m:
                out = io.StringIO()
                with contextlib.redirect_stdout(out):
                    assert main(shlex.split(m.group(1))) == 0
                assert f"({m.group(2)})" in out.getvalue(), line
                checked += 1
    assert checked


def test_one_gpu_install_line_everywhere():
    form = 'pip install -e ".[gpu]"'
    assert form in backend.GPU_INSTALL_HINT and form in README
    files = [ROOT / "README.md"] + sorted(ROOT.glob("tinyres/**/*.py")) + sorted(ROOT.glob("lessons/*.py")) + \
        sorted(ROOT.glob("examples/*.py")) + sorted(ROOT.glob("benchmarks/*.py"))
    for path in files:
        text = path.read_text().replace('\\"', '"')
        assert "tinyres[" not in text, path
        for hit in re.findall(r"pip install[^\n`]*gpu[^\n`]*", text):
            # the one form, possibly with more extras beside gpu (".[gpu,mpi]")
            assert re.match(r'pip install -e "\.\[([a-z]+,)*gpu(,[a-z]+)*\]"', hit), f"{path}: {hit}"


def test_every_extra_the_readme_installs_is_declared():
    """`pip install -e ".[mpi]"` must install something: an extra that slid into another
    section of setup.cfg would be ignored by pip with only a warning."""
    import configparser
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg")
    declared = set(cfg["options.extras_require"])
    named = {e for group in re.findall(r'\.\[([a-z,]+)\]', README) for e in group.split(",")}
    assert {"dev", "gpu", "docs", "mpi"} <= named, named
    assert named <= declared, f"extras the README installs but setup.cfg does not declare: {named - declared}"


# --- README.ko.md: the Korean README stays the same document as README.md -------------------
# Prose, headings and code comments are translated; commands, code, output and every measured
# figure are not. Each test names the first thing that differs, so whoever edits README.md sees
# what to carry over to README.ko.md.

README_KO_PATH = ROOT / "README.ko.md"
README_KO = README_KO_PATH.read_text() if README_KO_PATH.exists() else ""

# A measured figure: a number with a decimal point (97.77, 2.13.0), in scientific notation (1e-4),
# with thousands separators (853,018) or with a unit (94 s, 1.37x, 50%, 11.28G, 25 MB, 32k). A
# bare integer ("3 seeds", "depth 56") is not one: Korean may write it as a word or reorder it.
# The unit must end the token, so "3 seeds" is not "3 s" and "8x8" is not "8x", while Hangul may
# follow it directly ("94 s에", "1.5x가").
FIGURE = re.compile(r"""
    (?<![\w.])\d+(?:,\d{3})*(?:\.\d+)*(?:e[+-]?\d+)?       # the number
    (?:\ ?(?:img/s|s/step|ms|MB|min|s|M)|[%xGk])?            # its unit, if any
    (?![A-Za-z0-9])""", re.X)


def _strip_fences(text):
    return FENCE.sub("", text)


def _sections(text):
    """[(heading, body)] split at '## ' headings outside code blocks; the first is the preamble."""
    parts = re.split(r"^(## .*)$", _strip_fences(text), flags=re.M)
    return [("(before the first ## heading)", parts[0])] + list(zip(parts[1::2], parts[2::2]))


def _figures(text):
    return [t for t in (m.group(0) for m in FIGURE.finditer(text)) if not t.isdigit()]


def test_the_readmes_link_to_each_other_at_the_top():
    assert README_KO_PATH.exists(), "README.ko.md is missing"
    for name, text, target in (("README.md", README, "README.ko.md"), ("README.ko.md", README_KO, "README.md")):
        top = "\n".join(text.splitlines()[:5])
        assert f"]({target})" in top, f"{name} does not link to {target} in its first 5 lines:\n{top}"


def _bash_commands(text):
    """Every shell command of the bash blocks, comments stripped, as one normalised line each."""
    return [shlex.join(c) for kind, body in FENCE.findall(text) if kind == "bash" for c in _commands(body)]


def test_the_korean_readme_has_the_same_shell_commands_in_order():
    en, ko = _bash_commands(README), _bash_commands(README_KO)
    assert len(en) >= 10, en
    for i, (a, b) in enumerate(zip(en, ko)):
        assert a == b, f"shell command {i + 1} differs:\n  README.md:    {a}\n  README.ko.md: {b}"
    assert len(en) == len(ko), (f"README.md has {len(en)} shell commands, README.ko.md {len(ko)}; "
                                f"only in README.md: {en[len(ko):]}; only in README.ko.md: {ko[len(en):]}")
    first_two = [body for _, body in FENCE.findall(README_KO)[:2]]
    assert first_two == _blocks("bash")[:2], \
        f"README.ko.md does not open with README.md's two newcomer commands, byte for byte: {first_two}"


def _without_comments(kind, body):
    """A code block with its comments removed: what must match README.md's byte for byte."""
    if kind == "python":
        tokens = tokenize.generate_tokens(io.StringIO(body).readline)
        kept = [t for t in tokens if t.type != tokenize.COMMENT]
        return "\n".join(line.rstrip() for line in tokenize.untokenize(kept).splitlines())
    if kind == "bash":
        return "\n".join(" ".join(c) for c in _commands(body))
    return body                            # program output and the like: not translated at all


def test_the_korean_readme_has_the_same_code_blocks():
    en, ko = FENCE.findall(README), FENCE.findall(README_KO)
    assert [k for k, _ in en] == [k for k, _ in ko], \
        f"code block languages differ:\n  README.md:    {[k for k, _ in en]}\n  README.ko.md: {[k for k, _ in ko]}"
    for i, ((kind, a), (_, b)) in enumerate(zip(en, ko)):
        a, b = _without_comments(kind, a), _without_comments(kind, b)
        if a != b:
            line = next(j for j, (x, y) in enumerate(zip(a.splitlines() + [""], b.splitlines() + [""])) if x != y)
            pytest.fail(f"code block {i + 1} ({kind}) differs, comments aside, at its line {line + 1}:\n"
                        f"  README.md:    {(a.splitlines() + [''])[line]}\n"
                        f"  README.ko.md: {(b.splitlines() + [''])[line]}")


def test_the_korean_readme_has_the_same_sections():
    en = [h for h, _ in _sections(README)][1:]
    ko = [h for h, _ in _sections(README_KO)][1:]
    pairs = "\n".join(f"  {a!s:45} | {b}" for a, b in
                      zip(en + [""] * (len(ko) - len(en)), ko + [""] * (len(en) - len(ko))))
    assert len(en) == len(ko), f"README.md has {len(en)} '## ' sections, README.ko.md {len(ko)}:\n{pairs}"
    sub_en = [len(re.findall(r"^### ", body, re.M)) for _, body in _sections(README)]
    sub_ko = [len(re.findall(r"^### ", body, re.M)) for _, body in _sections(README_KO)]
    assert sub_en == sub_ko, f"'### ' subsections per section differ (README.md {sub_en}, README.ko.md {sub_ko}):\n{pairs}"


def _figures_by_section(text):
    """[(heading, Counter of figures)] per '## ' section, from its prose and tables and from the
    comments of its bash and python blocks (translated too, so a figure there can drift)."""
    out = [(heading, Counter(_figures(body))) for heading, body in _sections(text)]
    section = 0
    for m in re.finditer(r"^## [^\n]*$|" + FENCE.pattern, text, re.M | re.S):
        if m.group(0).startswith("## "):
            section += 1
        elif m.group(1) in ("bash", "python"):
            for line in m.group(2).splitlines():
                comment = re.search(r"(?:^|\s)#(.*)$", line)
                if comment:
                    out[section][1].update(_figures(comment.group(1)))
    return out


def test_every_figure_of_the_readme_is_in_the_korean_readme():
    """Section by section the measured figures are the same multiset in both files: a figure
    missing, changed or left stale in README.ko.md fails here, named with its section."""
    en, ko = _figures_by_section(README), _figures_by_section(README_KO)
    assert sum(sum(c.values()) for _, c in en) >= 100, "the figure rule finds too few figures in README.md"
    assert len(en) == len(ko), "the '## ' sections differ: see test_the_korean_readme_has_the_same_sections"
    problems = []
    for (heading, a), (heading_ko, b) in zip(en, ko):
        missing, extra = a - b, b - a
        if missing or extra:
            problems.append(f"{heading} / {heading_ko}:\n"
                            f"    in README.md, missing or changed in README.ko.md: {sorted(missing.elements())}\n"
                            f"    in README.ko.md, not in README.md (stale?):        {sorted(extra.elements())}")
    assert not problems, "figures differ between README.md and README.ko.md\n  " + "\n  ".join(problems)


def _anchor(heading):
    """GitHub's anchor for a heading: lower case, punctuation but '-' and '_' dropped, spaces to '-'."""
    return "#" + re.sub(r"[^\w\- ]", "", heading.lstrip("#").strip().lower()).replace(" ", "-")


def test_every_link_within_the_korean_readme_finds_its_heading():
    anchors = {_anchor(h) for h in re.findall(r"^#+ .*$", _strip_fences(README_KO), re.M)}
    broken = sorted(set(re.findall(r"\]\((#[^)]+)\)", README_KO)) - anchors)
    assert not broken, f"README.ko.md links to headings it does not have: {broken}"
