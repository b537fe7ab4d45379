"""The fast printed verify table (render/verify_table.py) is byte for byte Rich's ``report_table``.

The definition is ``Console(file=out).print(report_table(report))``; the fast path
lays out a skeleton with Rich and writes the rows itself. Both are printed here on
consoles of random widths, with and without colour, for reports of real scenarios
with random claims and for made-up reports whose cells are random text (wide
characters, markup, long words, cells that wrap)."""

from __future__ import annotations

import io

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console

import rnnstep
from rnnstep.render.verify import report_table
from rnnstep.render.verify_table import print_report_table
from rnnstep.scenario import SCENARIO_DIR
from rnnstep.verify import VERDICTS, ClaimResult, Report, verify


def both(report: Report, width: int, color: bool) -> tuple[str, str]:
    """(Rich's table, the fast table) on two consoles alike."""
    def console(out):
        return Console(file=out, width=width, force_terminal=color, color_system="standard" if color else None,
                       legacy_windows=False)

    rich_out, fast_out = io.StringIO(), io.StringIO()
    console(rich_out).print(report_table(report))
    print_report_table(report, fast_out, console(fast_out))
    return rich_out.getvalue(), fast_out.getvalue()


def claimed(tape, ids: list[str], rng) -> str:
    """[claims] stating each id: true, rounded, or off (a slip), at 2 to 6 digits."""
    lines = []
    for i in ids:
        value = float(tape.value(i)) * (1 + rng.choice([0, 0, 0, 1e-3, 0.05]))
        lines.append(f'"{i}" = "{value:.{rng.integers(2, 7)}g}"')
    return "[claims]\n" + "\n".join(lines) + "\n"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), width=st.integers(30, 220), color=st.booleans(),
       vector=st.booleans())
def test_the_fast_table_is_richs_table_on_random_claims(seed, width, color, vector):
    rng = np.random.default_rng(seed)
    T = int(rng.integers(2, 7))
    x = np.round(rng.uniform(-1, 1, T), 2).tolist()
    head = f'title = "random {seed}"\n'
    if vector:
        head += f"[rnn]\nhidden_size = 2\n[weights]\nw = [[0.5], [-0.2]]\nw_prime = [[-0.3, 0.5], [0.4, 0.6]]\n"
        head += f"b = [0.1, 0.0]\n[data]\nx = {x}\ny = 0.2\n"
    else:
        head += f"[weights]\nw = 0.5\nw_prime = 0.9\nb = 0.1\n[data]\nx = {x}\ny = 0.2\n"
    tape = rnnstep.build_tape(rnnstep.load_scenario(head))
    ids = list(tape.value_ids())
    chosen = sorted(set(rng.choice(ids, size=min(len(ids), int(rng.integers(1, 25))), replace=False)))
    if vector:  # one entry of each chosen vector or matrix
        chosen = [i + "[" + ",".join("1" * np.ndim(tape.value(i))) + "]" if np.ndim(tape.value(i)) else i
                  for i in chosen]
    scenario = rnnstep.load_scenario(head + claimed(tape, chosen, rng))
    report = verify(rnnstep.build_tape(scenario))
    rich, fast = both(report, width, color)
    assert fast == rich


PLAIN = list("ab Oa₁₂′∂/L[],.-e0123456789 ✓界ü") + ["  ", "a" * 25]  # what the fast path writes itself
ANY_TEXT = st.lists(st.sampled_from(PLAIN + ["[red]", ":x:", "\\"]), max_size=12).map("".join)  # some left to Rich
PLAIN_TEXT = st.lists(st.sampled_from(PLAIN), max_size=12).map(lambda parts: "".join(parts).strip())


@st.composite
def reports(draw) -> Report:
    text = draw(st.sampled_from([ANY_TEXT, PLAIN_TEXT]))
    n = draw(st.integers(1, 12))
    results = []
    for k in range(n):
        verdict = draw(st.sampled_from(VERDICTS))
        earlier = [r.id for r in results]
        follows = ()
        if earlier and verdict == "follows":
            follows = tuple(draw(st.lists(st.sampled_from(earlier), max_size=3)))
        results.append(ClaimResult(
            id=f"forward.O[{k + 1}]", symbol=draw(text), stated_text=draw(text),
            stated=0.0, true=draw(st.floats(allow_nan=True, allow_infinity=True)), digits=draw(st.integers(0, 17)),
            verdict=verdict, step=k, follows_from=follows,
            recomputed=draw(st.none() | st.floats(-1e6, 1e6)), note=draw(text)))
    return Report(draw(text), results)


@settings(max_examples=150, deadline=None)
@given(report=reports(), width=st.integers(20, 160), color=st.booleans())
def test_the_fast_table_is_richs_table_on_any_cells(report, width, color):
    rich, fast = both(report, width, color)
    assert fast == rich


def test_the_shipped_worked_examples_print_the_same_table():
    for path in (SCENARIO_DIR / "worked-example-slip.toml", SCENARIO_DIR / "notes-four-steps-claims.toml",
                 SCENARIO_DIR / "vector" / "worked-example-hidden-two.toml"):
        report = verify(rnnstep.build_tape(rnnstep.load_scenario(path.read_text(encoding="utf-8"))))
        for width in (40, 80, 200):
            for color in (False, True):
                rich, fast = both(report, width, color)
                assert fast == rich, (path.name, width, color)
