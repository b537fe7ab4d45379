"""`rnnstep trace --format table` on a vector scenario fits the width, never folding or cutting a number,
and names its matrices W, W′, W_out with the terms written δᵀ·O_{k−1}ᵀ (SPEC §7)."""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
import pytest

import rnnstep
from rnnstep import notation as nt
from rnnstep.cli import main
from rnnstep.render.table import cell_len, plain
from rnnstep.render.table_vector import vector_table_lines
from rnnstep.scenario import (parse_scenario, shipped_gated_scenarios, shipped_scenarios,
                              shipped_vector_scenarios)
from vector_scenarios import vector_toml

NUMBER = re.compile(r"-?(?:inf|nan|\d+(?:\.\d+)?(?:e[+-]\d+)?)")


def _tapes():
    for path in shipped_vector_scenarios():
        yield path.stem, rnnstep.build_tape(rnnstep.load_scenario(path))
    # n = 8, a target at every step, truncation (a "(truncated)" norm) and a softmax over q = 3
    text = vector_toml(n=8, m=3, q=3, T=5, every_step=True, seed=8, output="softmax", loss="cross_entropy",
                       truncate=2)
    yield "random-n8", rnnstep.build_tape(parse_scenario(text, source="<n = 8>"))


TAPES = dict(_tapes())


def _numbers(lines: list[str]) -> Counter:
    return Counter(token for line in lines for token in NUMBER.findall(line)
                   if not re.fullmatch(r"\s*columns? \d+(–\d+)?", line))


@pytest.mark.parametrize("name", TAPES)
def test_every_line_fits_and_every_number_stays_whole(name):
    tape = TAPES[name]
    wide = list(vector_table_lines(tape, 6, plain, 10_000))
    whole = _numbers(wide)
    # the numbers of the tape, formatted independently of the table, are all there whole
    expected = [tape.a, tape.O, tape.yhat, tape.gradients["w_prime"].total, tape.updates["w"].new]
    expected += [tape.gradients["w"].delta(i) for i in range(len(tape.gradients["w"]))]
    for array in expected:
        for x in np.ravel(array):
            assert whole[nt.fmt(float(x))] > 0, (name, x)
    for width in range(60, 141):
        lines = list(vector_table_lines(tape, 6, plain, width))
        too_wide = [line for line in lines if cell_len(line) > width]
        assert not too_wide, (name, width, too_wide[:3])
        assert _numbers(lines) == whole, (name, width)  # a folded or cut number would change the tokens


def test_a_table_too_narrow_for_its_box_is_printed_a_row_at_a_time():
    tape = TAPES["random-n8"]
    lines = list(vector_table_lines(tape, 6, plain, 30))
    assert any(line.startswith("t = 2,  k = 1") for line in lines)
    assert all(cell_len(line) <= 30 for line in lines if "[" in line or "]" in line)
    assert _numbers(line for line in lines if "[" in line or "]" in line)  # the vectors are still printed


def test_a_matrix_too_wide_is_printed_a_few_columns_at_a_time():
    tape = TAPES["random-n8"]
    lines = list(vector_table_lines(tape, 6, plain, 60))
    assert any(line.startswith("  columns 1–") for line in lines)
    assert all(cell_len(line) <= 60 for line in lines)


@pytest.mark.parametrize("columns,width", [(None, 80), ("60", 60), ("140", 140)])
def test_the_command_fits_80_columns_piped_or_the_columns_asked_for(columns, width, capsys, monkeypatch):
    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", columns)
    assert main(["trace", "hello-char-rnn", "--format", "table"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert max(map(cell_len, lines)) <= width
    if width == 140:  # room for every row on one line: the forward table's rows are not wrapped
        assert any("│ 2 │ [0, 1, 0, 0] │ [-0.150935, 0.706558, -0.0283621] │" in line for line in lines)


def _box(line: str) -> str:
    """A one-unit term row's boxed part: its path hangs after the box, never measured (table_scalar)."""
    return line[:line.rindex("│") + 1] if line.startswith("│") else line


SHIPPED = shipped_scenarios() + shipped_vector_scenarios() + shipped_gated_scenarios()


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_shipped_trace_fits_80_columns_method_sections_too(path, capsys, monkeypatch):
    """Every line, the method sections' (SPEC §9: chunks, coins, RTRL, clip by norm) included, fits the
    80 columns of a pipe; the sections fit any width asked for, reflowed between words, every number whole."""
    def trace(columns: int) -> list[str]:
        monkeypatch.setenv("COLUMNS", str(columns))
        assert main(["trace", str(path), "--format", "table"]) == 0
        return capsys.readouterr().out.splitlines()

    def sections(lines: list[str]) -> list[str]:
        first = next((i for i, line in enumerate(lines) if line.startswith("## ")), len(lines))
        return lines[first:]

    monkeypatch.delenv("COLUMNS", raising=False)
    assert main(["trace", str(path), "--format", "table"]) == 0
    too_wide = [line for line in capsys.readouterr().out.splitlines() if cell_len(_box(line)) > 80]
    assert not too_wide, too_wide[:3]
    whole = _numbers(sections(trace(100_000)))
    for width in (40, 60, 80):
        shown = sections(trace(width))
        assert all(cell_len(line) <= width for line in shown), (width, [x for x in shown if cell_len(x) > width][:3])
        assert _numbers(shown) == whole, width  # a cut or folded number would change the tokens


def test_the_trace_and_check_name_the_matrices_and_write_the_outer_product(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    assert main(["trace", "notes-hidden-two", "--format", "table"]) == 0
    out = capsys.readouterr().out
    for heading in ("∂L/∂W′ term by term (W′ is 2×2)", "∂L/∂W term by term (W is 2×1)",
                    "∂L/∂W_out term by term (W_out is 1×2)", "∂L/∂b term by term"):
        assert heading in out
    assert "term = δᵀ·O_{k−1}ᵀ;" in out and "term = δᵀ·x_kᵀ;" in out and "term = (∂ℓ_t/∂z_t)ᵀ·O_tᵀ;" in out
    assert "∂L/∂w" not in out and "δ·" not in out
    assert main(["check", "notes-hidden-two"]) == 0
    out = capsys.readouterr().out
    assert "∂L/∂W′[1,1]" in out and "∂L/∂W_out[1,2]" in out and "∂L/∂w" not in out


def test_styled_lines_are_the_plain_lines_with_escape_codes():
    from rnnstep.render.table import terminal_paint

    tape = TAPES["hello-char-rnn"]
    for width in (60, 80, 140):
        styled = [re.sub(r"\x1b\[[0-9;]*m", "", line) for line in vector_table_lines(tape, 6, terminal_paint(), width)]
        assert styled == list(vector_table_lines(tape, 6, plain, width))
