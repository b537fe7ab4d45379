"""User text is data: titles, descriptions, notes and file names are never read as markup, and the control
characters in them (escape sequences, bidi overrides) are shown escaped wherever rnnstep prints or exports.

One property test writes scenario files whose user text mixes markup-looking strings with terminal control
sequences, and renders every place that shows user text: trace (table, markdown, latex, json), check, verify
(table, markdown, json), drill --plain, and the debugger's and the drill's screens under Pilot.
"""

from __future__ import annotations

import asyncio
import html
import io
import json
import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from rnnstep import cli
from rnnstep.scenario import SCENARIO_DIR, load_scenario

HOSTILE = ["[/]", "[bold]", "[/bold]", "[link=https://evil.example]x[/link]", "[@click=app.quit]q[/]",
           "[red]", ":smile:", "\x1b]0;PWNED\x07", "\x1b[2J", "\x1b]52;c;ZWNobyBoaQ==\x07", "\x9b31m", "\x7f",
           "\u202e", "\u2066", "\r", "\x00", "\x08", "\\", "$", "%", "&", "{}", "_", "#", "|", "`", "~"]

#: what must never reach a terminal raw: C0 but tab and line feed, DEL, C1, bidi overrides and isolates
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def escaped(text: str, one_line: bool = True) -> str:
    """How a one-line place shows ``text``: each control character as \\xNN (or \\uNNNN), line breaks as \\n
    (a paragraph, ``one_line=False``, keeps line breaks and tabs as white space)."""
    out = []
    for ch in text:
        if ch in "\n\t" and not one_line:
            out.append(" ")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif unicodedata.category(ch) == "Cc" or ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069":
            out.append(f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "".join(out)


def squeezed(text: str) -> str:
    return "".join(text.split())


def toml_string(text: str) -> str:
    """A TOML basic string holding ``text`` exactly (control characters as \\u escapes)."""
    return '"' + "".join(ch if ch.isprintable() and ch not in '"\\' else f"\\U{ord(ch):08x}" for ch in text) + '"'


piece = st.one_of(st.sampled_from(HOSTILE), st.text(st.characters(blacklist_categories=("Cs",)), max_size=4))
user_texts = st.lists(piece, min_size=1, max_size=6).map("".join).filter(lambda s: s.strip() != "")
stems = user_texts.map(lambda s: s.replace("/", "").replace("\x00", "").replace(".", "")[:40]).filter(
    lambda s: s.strip() != "" and not s.startswith("-"))


def write_scenario(folder: Path, title: str, description: str, note: str, stem: str) -> Path:
    text = (SCENARIO_DIR / "notes-four-steps-claims.toml").read_text(encoding="utf-8")
    head, _, rest = text.partition("\n[rnn]")
    body = f"title = {toml_string(title)}\ndescription = {toml_string(description)}\n\n[rnn]" + rest
    body += f'\n[[notes]]\nat = "forward.O[1]"\ntext = {toml_string(note)}\n'
    path = folder / f"{stem}.toml"
    path.write_text(body, encoding="utf-8")
    return path


def run(capsys, monkeypatch, *argv: str, stdin: str = "") -> tuple[int, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    monkeypatch.setenv("COLUMNS", "400")  # rich wraps at the width: the title stays on one line
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    assert "internal error" not in err and "Traceback" not in err, err
    assert code in (0, 1), (argv, err)
    assert not RAW.search(out), (argv, repr(RAW.search(out).group()))
    assert not RAW.search(err), (argv, err)
    return code, out


def assert_shows(out: str, text: str, where: str, one_line: bool = True) -> None:
    expected = escaped(text, one_line)
    assert squeezed(expected) in squeezed(out), (where, expected, out[:2000])


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck),
          phases=(Phase.explicit, Phase.generate))  # each example runs every command: no slow shrinking
@example(title="Markup [/] test", description="[bold]d", note="[@click=app.quit]n", stem="[link=x]s")
@example(title="X\x1b]0;PWNED\x07\x1b[2J\x1b]52;c;ZWNobyBoaQ==\x07Y", description="\u202eab\r",
         note="\x9b31m", stem="\x1b[2J")
@given(title=user_texts, description=user_texts, note=user_texts, stem=stems)
def test_user_text_is_shown_literally_and_escaped_by_every_printer(tmp_path_factory, capsys, monkeypatch,
                                                                   title, description, note, stem):
    folder = tmp_path_factory.mktemp("hostile")
    path = str(write_scenario(folder, title, description, note, stem))
    history = str(folder / "history.jsonl")

    _, out = run(capsys, monkeypatch, "trace", path)
    assert_shows(out, title, "trace table")
    assert_shows(out, description, "trace table description", one_line=False)
    _, out = run(capsys, monkeypatch, "trace", path, "--format", "markdown")
    assert f"# {escaped(title)}\n" in out
    _, out = run(capsys, monkeypatch, "trace", path, "--format", "latex")
    assert "\\section*{" in out
    _, out = run(capsys, monkeypatch, "trace", path, "--format", "json")
    scenario = json.loads(out)["scenario"]
    assert (scenario["title"], scenario["description"]) == (title, description)  # the data, exactly

    _, out = run(capsys, monkeypatch, "check", path)
    assert_shows(out, title + ": gradients against central finite differences", "check")

    _, out = run(capsys, monkeypatch, "verify", path)
    assert_shows(out, title + ": every stated number checked", "verify table")
    _, out = run(capsys, monkeypatch, "verify", path, "--format", "markdown")
    assert f"# Corrections: {escaped(title)}\n" in out
    _, out = run(capsys, monkeypatch, "verify", path, "--format", "json")
    assert json.loads(out)["scenario"] == title

    _, out = run(capsys, monkeypatch, "drill", path, "--plain", "--history", history, stdin="note\nquit\n")
    assert_shows(out, title, "drill --plain header")
    assert_shows(out, description, "drill --plain description", one_line=False)

    untitled = folder / "untitled"
    untitled.mkdir()
    nameless = write_scenario(untitled, "", description, note, stem)
    nameless.write_text(nameless.read_text(encoding="utf-8").replace('title = ""\n', ""), encoding="utf-8")
    _, out = run(capsys, monkeypatch, "trace", str(nameless), "--format", "markdown")
    assert f"# {escaped(stem)}\n" in out  # the file's name stands in for the title

    screens = asyncio.run(_screens(load_scenario(Path(path))))
    for where, shown in screens.items():
        assert not RAW.search(shown), where
    assert_shows(screens["debugger"], title, "debugger title bar")
    assert_shows(screens["note"], note, "debugger note dialog", one_line=False)
    assert_shows(screens["drill"], title, "drill title bar")


def _screen_text(app) -> str:
    """The screen's text as the SVG screenshot holds it, lines in order."""
    svg = app.export_screenshot()
    texts = re.findall(r"<text[^>]*>(.*?)</text>", svg, flags=re.S)
    return html.unescape("".join(re.sub(r"<[^>]+>", "", t) for t in texts)).replace("\xa0", " ")


async def _screens(scenario) -> dict[str, str]:
    from rnnstep import build_tape
    from rnnstep.drill.history import History
    from rnnstep.drill.questions import questions
    from rnnstep.drill.session import DrillSession
    from rnnstep.drill.tui import DrillApp
    from rnnstep.tui.app import DebuggerApp

    screens = {}
    app = DebuggerApp(scenario)
    async with app.run_test(size=(200, 60)) as pilot:
        screens["debugger"] = _screen_text(app)
        app.cursor = app.tape.steps.index_of("forward.O[1]")  # where the note is
        await pilot.pause()
        await pilot.press("m")
        await pilot.pause()
        screens["note"] = _screen_text(app)
    tape = build_tape(scenario)
    drill = DrillApp(DrillSession(tape, questions(tape)[:2], History(Path("/nonexistent/never-written"))),
                     header=f"rnnstep drill: {scenario.name}")
    async with drill.run_test(size=(200, 60)):
        screens["drill"] = _screen_text(drill)
    return screens


@pytest.mark.parametrize("text", ["X\x1b]0;PWNED\x07\x1b[2J\x1b]52;c;ZWNobyBoaQ==\x07Y", "a\u202eb", "c\x9bd\x7f"])
def test_the_issues_title_is_escaped_in_every_format(tmp_path, capsys, monkeypatch, text):
    path = str(write_scenario(tmp_path, text, "d", "n", "s"))
    for fmt in ("table", "markdown", "latex", "json"):
        _, out = run(capsys, monkeypatch, "trace", path, "--format", fmt)
        if fmt != "latex":
            assert escaped(text) in out.replace("\\\\", "\\") or fmt == "json"
    _, out = run(capsys, monkeypatch, "trace", path, "--format", "json")
    assert json.loads(out)["scenario"]["title"] == text


@pytest.mark.parametrize("fmt", ["table", "markdown", "latex"])
def test_a_vector_scenarios_title_is_escaped(tmp_path, capsys, monkeypatch, fmt):
    text = (SCENARIO_DIR / "vector" / "notes-hidden-two.toml").read_text(encoding="utf-8")
    title = "[/]V\x1b]52;c;ZWNobyBoaQ==\x07[bold]\u202e"
    path = tmp_path / "v.toml"
    path.write_text(re.sub(r'(?m)^title = .*$', lambda _: f"title = {toml_string(title)}", text, count=1),
                    encoding="utf-8")
    _, out = run(capsys, monkeypatch, "trace", str(path), "--format", fmt)
    if fmt != "latex":
        assert_shows(out, title, f"vector trace {fmt}")


def test_stats_shows_a_history_kind_as_data(tmp_path, capsys, monkeypatch):
    history = tmp_path / "h.jsonl"
    history.write_text('{"kind":"[/]","right":true}\n{"kind":"\\u001b]0;X\\u0007[bold]","right":false}\n',
                       encoding="utf-8")
    _, out = run(capsys, monkeypatch, "stats", "--history", str(history))
    assert_shows(out, "[/]", "stats")
    assert_shows(out, "\x1b]0;X\x07[bold]", "stats")


async def test_the_served_open_list_shows_names_as_data():
    from dataclasses import replace

    from rnnstep.serve.app import ServedApp

    hostile = "[/]Served [bold]x[@click=app.quit]y\x1b]0;T\x07"
    scenarios = [load_scenario(SCENARIO_DIR / "notes-four-steps.toml"),
                 replace(load_scenario(SCENARIO_DIR / "relu-dead-step.toml"), title=hostile)]
    app = ServedApp(scenarios)
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.press("o")
        await pilot.pause()
        screen = _screen_text(app)
    assert not RAW.search(screen)
    assert_shows(screen, hostile, "served open list")
