"""Markdown, LaTeX and the rich table of a gated tape (SPEC §8): every term's chain of block Jacobians,
δ, carry and rest; documents linear in T."""

from __future__ import annotations

import re

import pytest

from gated_scenarios import gated_scenario
from rnnstep import build_tape
from rnnstep.render.numbers import latex_number
from rnnstep.render.table import table_lines
from rnnstep.render.vector_export import iter_vector_derivation


def _document(tape, style: str) -> str:
    return "".join(iter_vector_derivation(tape, 6, style))


@pytest.mark.parametrize("cell", ["lstm", "gru"])
@pytest.mark.parametrize("style", ["markdown", "latex"])
def test_every_term_shows_its_blocks_delta_carry_and_rest(cell, style):
    tape = build_tape(gated_scenario(cell, n=2, m=1, q=1, T=4, every_step=True))
    text = _document(tape, style)
    assert len(re.findall(r"\\delta\(4,1\) &?=", text)) == 4  # once per recurrent parameter
    terms = sum(len(tape.gradients[p]) for p in tape.params[:4])
    assert len(re.findall(r"\\mathrm\{carry\}\(\d+,\d+\) &?=", text)) == terms
    assert len(re.findall(r"\\mathrm\{rest\}\(\d+,\d+\) &?=", text)) == terms
    assert "J_{4} J_{3} J_{2}" in text  # the chain of δ(4,1), block by block
    diag = "f" if cell == "lstm" else "u"
    assert rf"\prod_{{j=2}}^{{4}} \operatorname{{diag}}({diag}_j)" in text
    # the carry's and rest's numbers are the tape's, correctly rounded
    table = tape.gradients["b"]
    i = table.index_of(4, 1)
    before = text[:text.index(r"\mathrm{term}_{b}(4,1)")]
    section = before[before.rindex("\n" + r"\mathrm{carry}(4,1)"):before.rindex("\n" + r"\mathrm{rest}(4,1)")]
    for v in table.carry(i):
        assert latex_number(float(v), 6) in section  # a long row is set in blocks of entries
    if style == "latex":
        assert text.startswith("\\documentclass") and text.rstrip().endswith("\\end{document}")


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_a_long_documents_size_is_linear_in_T(cell):
    sizes = []
    for T in (100, 200):
        tape = build_tape(gated_scenario(cell, n=1, m=1, q=1, T=T, every_step=False))
        sizes.append(len(_document(tape, "markdown")))
    assert 1.8 < sizes[1] / sizes[0] < 2.2


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_the_table_prints_gates_c_and_carry_and_rest_columns(cell):
    tape = build_tape(gated_scenario(cell, n=1, m=1, q=1, T=3))
    lines = list(table_lines(tape, width=200))
    text = "\n".join(lines)
    assert all(len(line) <= 200 for line in lines)
    assert ("c_t" in text) == (cell == "lstm")
    assert "carry" in text and "rest" in text and "∂L/∂b′ term by term" in text
    gate = "f_t" if cell == "lstm" else "u_t"
    assert gate in text
    # 80 columns: still every line fits
    assert all(len(line) <= 80 for line in table_lines(tape, width=80))


@pytest.mark.parametrize("fmt", ["table", "json", "markdown", "latex"])
def test_rnnstep_trace_prints_every_gated_scenario(fmt, capsys):
    from rnnstep.cli import main
    from rnnstep.scenario import shipped_gated_scenarios

    for path in shipped_gated_scenarios():
        assert main(["trace", path.stem, "--format", fmt]) == 0
        out = capsys.readouterr().out
        assert "carry" in out


def test_the_debuggers_export_can_price_every_gated_scenario():
    """Adversarial try-out: e on an LSTM or GRU crashed with KeyError 'b_prime' in the size estimate."""
    from rnnstep.render.vector_export import estimate_bytes
    from rnnstep.scenario import load_scenario, shipped_gated_scenarios
    from rnnstep.build import build_tape
    from rnnstep.tui.export import document_chunks

    for path in shipped_gated_scenarios():
        tape = build_tape(load_scenario(path))
        written = sum(len(chunk.encode("utf-8")) for chunk in document_chunks(tape, "markdown", 6))
        assert written / 3 <= estimate_bytes(tape) <= written * 3, path.stem
