"""Work is priced before it starts (rnnstep.budget): the estimates are within a factor of 3 of what is really
written and held, and a command over a limit stops at once with one line that states the estimate and how
to proceed; --force goes on. The drill asks its first question without making every question first."""

from __future__ import annotations

import subprocess
import sys
import time
import tracemalloc
from dataclasses import replace

import numpy as np
import pytest

from rnnstep import budget, cli
from rnnstep.render.json import iter_json
from rnnstep.render.latex import iter_latex
from rnnstep.render.markdown import iter_markdown
from rnnstep.render.table import iter_table
from rnnstep.render.vector_export import iter_vector_derivation
from rnnstep.scenario import SCENARIO_DIR, load_scenario
from rnnstep.build import build_tape


def scalar(T: int, every: bool):
    s = load_scenario(SCENARIO_DIR / "notes-four-steps.toml")
    return replace(s, x=tuple([0.5] * T), y=tuple([0.2] * T) if every else 0.2)


def vector(n: int, T: int, every: bool, m: int = 2, q: int = 1):
    s = load_scenario(SCENARIO_DIR / "vector" / "notes-hidden-two.toml")
    rng = np.random.default_rng(0)
    mat = lambda r, c: tuple(tuple(float(v) for v in row) for row in rng.normal(0, 0.3 / c ** 0.5, (r, c)))  # noqa: E731
    return replace(s, w=mat(n, m), w_prime=mat(n, n), b=tuple([0.1] * n), w_out=mat(q, n), b_out=tuple([0.0] * q),
                   h0=tuple([0.0] * n), x=tuple(tuple([0.5] * m) for _ in range(T)),
                   y=tuple(tuple([0.2] * q) for _ in range(T)) if every else tuple([0.2] * q), shape=(n, m, q))


def gated(cell: str, n: int, T: int):
    """An LSTM or GRU with a target at every step (SPEC §8): its tape keeps δ's and the carry's G·n-wide rows."""
    G = {"lstm": 4, "gru": 3}[cell]
    rng = np.random.default_rng(1)

    def rows(a):
        return "[" + ", ".join("[" + ", ".join(f"{v:.3f}" for v in row) + "]" for row in a) + "]"
    return load_scenario(f'title = "g"\n[rnn]\ncell = "{cell}"\n[weights]\nw = {rows(rng.normal(size=(G * n, 1)) * 0.5)}\n'
                         f"w_prime = {rows(rng.normal(size=(G * n, n)) * 0.5)}\nw_out = {rows(rng.normal(size=(1, n)))}\n"
                         f"[data]\nx = {rows(rng.normal(size=(T, 1)))}\ny = {rows(rng.normal(size=(T, 1)) * 0.3)}\n")


def written(chunks) -> int:
    return sum(len(chunk.encode()) for chunk in chunks)


def documents(tape):
    """(format, factors, bytes really written) for every trace format."""
    yield "json", True, written(iter_json(tape, factors=True))
    yield "json", False, written(iter_json(tape, factors=False))
    if tape.vector:
        yield "markdown", True, written(iter_vector_derivation(tape, 6, "markdown"))
        yield "latex", True, written(iter_vector_derivation(tape, 6, "latex"))
    else:
        yield "markdown", True, written(iter_markdown(tape, 6))
        yield "latex", True, written(iter_latex(tape, 6))
    yield "table", True, written(iter_table(tape, 6, False, False, 80))


CASES = {"T=60, every step": lambda: scalar(60, True), "T=600, one target": lambda: scalar(600, False),
         "n=4, T=30, every step": lambda: vector(4, 30, True), "n=16, T=60, one target": lambda: vector(16, 60, False)}


@pytest.mark.parametrize("case", list(CASES))
def test_the_output_estimate_is_within_a_factor_of_3(case):
    scenario = CASES[case]()
    tape = build_tape(scenario)
    for fmt, factors, size in documents(tape):
        estimate = budget.output_bytes(scenario, fmt, factors)
        assert size / 3 <= estimate <= size * 3, (fmt, factors, estimate, size)


@pytest.mark.parametrize("make", [lambda: scalar(800, True), lambda: vector(64, 60, True), lambda: vector(2, 600, True),
                                  lambda: gated("lstm", 2, 800), lambda: gated("gru", 8, 400)],
                         ids=["scalar T=800 every step", "n=64 T=60 every step", "n=2 T=600 every step",
                              "LSTM n=2 T=800 every step", "GRU n=8 T=400 every step"])
def test_the_memory_estimate_is_within_a_factor_of_3(make):
    scenario = make()
    tracemalloc.start()
    try:
        tape = build_tape(scenario)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert tape.T == scenario.T
    estimate = budget.tape_price(scenario).memory - budget.BASE_MEMORY
    assert peak / 3 <= estimate <= peak * 3, (estimate, peak)


def test_the_counts_are_the_tapes():
    for scenario in (scalar(50, True), scalar(70, False), vector(3, 20, True)):
        tape = build_tape(scenario)
        assert budget.term_count(scenario) == sum(len(table) for table in tape.gradients.values())


def big_file(tmp_path, T: int, every: bool) -> str:
    path = tmp_path / "big.toml"
    x = ", ".join(["0.5"] * T)
    y = f"[{', '.join(['0.2'] * T)}]" if every else "0.2"
    path.write_text(f'title = "big"\n[weights]\nw = 0.5\nw_prime = -0.3\nb = 0.1\nw_out = 1.0\nb_out = 0.0\n'
                    f"[data]\nx = [{x}]\ny = {y}\n", encoding="utf-8")
    return str(path)


def vector_file(tmp_path, n: int, T: int) -> str:
    rng = np.random.default_rng(1)
    rows = lambda a: "[" + ", ".join("[" + ", ".join(f"{v:.3f}" for v in row) + "]" for row in a) + "]"  # noqa: E731
    path = tmp_path / "wide.toml"
    path.write_text(f'title = "wide"\n[rnn]\nh0 = [{", ".join(["0.0"] * n)}]\n'
                    f"[weights]\nw = {rows(rng.normal(0, 0.1, (n, 1)))}\nw_prime = {rows(rng.normal(0, 0.03, (n, n)))}\n"
                    f"b = [{', '.join(['0.1'] * n)}]\nw_out = {rows(rng.normal(0, 0.1, (1, n)))}\nb_out = [0.0]\n"
                    f"[data]\nx = {rows(np.full((T, 1), 0.5))}\ny = [0.2]\n", encoding="utf-8")
    return str(path)


def refused(capsys, argv: list[str]) -> str:
    started = time.monotonic()
    code = cli.main(argv)
    err = capsys.readouterr().err
    assert code == 2, err
    assert time.monotonic() - started < 20  # priced, not attempted
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("rnnstep: error: "), err
    assert "--force" in lines[0]
    return lines[0]


def test_a_json_trace_of_a_long_tape_is_refused_naming_no_factors(tmp_path, capsys):
    line = refused(capsys, ["trace", big_file(tmp_path, 5_000, False), "--format", "json"])  # 2.97 GB in issue 18
    assert "GB of output" in line and "--no-factors (about" in line and "limit is 200.0 MB" in line


def test_every_step_of_a_long_tape_is_refused_by_every_command(tmp_path, capsys):
    path = big_file(tmp_path, 100_000, True)  # 15 billion terms: issue 20's 3.64 TiB `check`
    for argv in (["trace", path, "--format", "json", "--no-factors"], ["trace", path], ["check", path],
                 ["verify", path], ["drill", path, "--plain"], ["open", path]):
        line = refused(capsys, argv)
        assert "15,000,350,000 terms" in line and "of memory" in line, line


def test_check_on_a_wide_network_is_refused_by_its_time(tmp_path, capsys):
    line = refused(capsys, ["check", vector_file(tmp_path, 256, 4)])  # n = 512 ran over 100 s in issue 20
    assert "of work (the limit is 60 s)" in line and "n = 256" in line


def test_the_debugger_on_a_wide_network_is_refused_by_its_screen(tmp_path, capsys):
    line = refused(capsys, ["open", vector_file(tmp_path, 512, 2)])  # held the screen 20 s a step in issue 20
    assert "to draw each step" in line


def test_force_goes_on_over_a_limit(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(budget, "OUTPUT_LIMIT", 1_000)
    refused(capsys, ["trace", "--format", "markdown"])
    assert cli.main(["trace", "--format", "markdown", "--force"]) == 0
    assert capsys.readouterr().out.startswith("# ")


def test_the_drill_asks_its_first_question_without_making_every_question(tmp_path):
    path = big_file(tmp_path, 2_000, True)  # six million paths: the drill never asked in issue 20
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "rnnstep", "drill", path, "--plain", "--history",
                           str(tmp_path / "h.jsonl")], input="quit\n", capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "? forward.a[1] " in done.stdout
    assert time.monotonic() - started < 60


async def test_the_tui_drill_makes_no_more_questions_than_it_needs(tmp_path):
    from rnnstep.drill.history import History
    from rnnstep.drill.lazy import Lazy
    from rnnstep.drill.questions import questions
    from rnnstep.drill.session import DrillSession
    from rnnstep.drill.tui import DrillApp

    tape = build_tape(scalar(300, True))  # 136,050 terms: as many questions and more
    made = 0

    def counted():
        nonlocal made
        for question in questions(tape):
            made += 1
            yield question

    app = DrillApp(DrillSession(tape, Lazy(counted()), History(tmp_path / "h.jsonl")), header="long")
    async with app.run_test(size=(140, 45)):
        assert "question 1 of over 10,000" in str(app.query_one("#status").render())
    assert made <= 10_001


class _Terminal:
    """A stderr that says it is a terminal, and keeps what is written."""

    def __init__(self, tty: bool) -> None:
        self.tty, self.text = tty, ""

    def isatty(self) -> bool:
        return self.tty

    def write(self, text: str) -> int:
        self.text += text
        return len(text)

    def flush(self) -> None:
        pass


def test_work_over_a_second_is_announced_on_a_terminal_only():
    long = scalar(3_000, True)  # 13.5 million terms: about two seconds
    for tty in (True, False):
        stream = _Terminal(tty)
        budget.announce(budget.tape_price(long), long, stream)
        assert (stream.text.startswith("rnnstep: building 13,510,500 terms, about ")) is tty, stream.text
    stream = _Terminal(True)
    short = scalar(4, False)
    budget.announce(budget.tape_price(short), short, stream)
    assert stream.text == ""  # a short run stays quiet


async def test_the_open_dialog_prices_a_scenario_before_building_it(tmp_path):
    from rnnstep.tui.app import DebuggerApp

    path = vector_file(tmp_path, 512, 2)
    app = DebuggerApp(load_scenario(SCENARIO_DIR / "notes-four-steps.toml"))
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.press("o")
        await pilot.click("#open-path")
        app.screen.query_one("#open-path").value = path
        await pilot.press("enter")
        await pilot.pause()
        error = str(app.screen.query_one("#open-error").render())
        assert "to draw each step" in error and "--force` opens it anyway" in error, error
        assert app.tape.scenario.title == "The notes' four steps"  # nothing else changed


def test_serve_prices_every_scenario_before_listening(tmp_path, capsys):
    pytest.importorskip("textual_serve")
    line = refused(capsys, ["serve", vector_file(tmp_path, 512, 2), "--port", "18399"])
    assert line.startswith("rnnstep: error: serve: ") and "wide.toml" in line and "to draw each step" in line
