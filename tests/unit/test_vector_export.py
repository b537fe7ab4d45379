"""Markdown and LaTeX exports of a vector scenario write matrices as bmatrix; the LaTeX compiles."""

import re
import shutil
import subprocess

import numpy as np
import pytest

import rnnstep
from rnnstep import notation as nt
from rnnstep.cli import main
from rnnstep.render.vector_export import bmatrix, iter_vector_derivation


def test_bmatrix_rows_and_vectors():
    assert bmatrix([[1.0, -0.5], [0.25, 2.0]], 6) == r"\begin{bmatrix} 1 & -0.5 \\ 0.25 & 2 \end{bmatrix}"
    assert bmatrix([1.0, 2.0], 6) == r"\begin{bmatrix} 1 & 2 \end{bmatrix}^{T}"
    assert r"\times 10^{-7}" in bmatrix([1.5e-7], 6) and r"\infty" in bmatrix([float("inf")], 6)


@pytest.mark.parametrize("style", ["markdown", "latex"])
def test_every_term_total_and_jacobian_is_written(style):
    tape = rnnstep.build_tape(rnnstep.load_scenario("notes-hidden-two"))
    text = "".join(iter_vector_derivation(tape, 6, style))
    table = tape.gradients["w_prime"]
    for i in range(len(table)):
        assert bmatrix(table.value[i], 6) in text  # the outer product, as a matrix
        assert bmatrix(table.delta(i), 6, False) in text
    assert bmatrix(table.total, 6) in text
    for j in range(2, tape.T + 1):
        assert bmatrix(tape.backprop_jacobian(j), 6) in text
        assert nt.fmt(tape.jacobian_norm(j), 6) in text
    assert text.count(r"\mathrm{term}_{W'}") == len(table)


def test_markdown_and_latex_through_the_cli(tmp_path, capsys):
    for fmt in ("markdown", "latex"):
        assert main(["trace", "hello-char-rnn", "--format", fmt]) == 0
    out = capsys.readouterr().out
    assert out.count(r"\begin{bmatrix}") > 50 and "\\documentclass" in out


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
@pytest.mark.parametrize("name", ["hello-char-rnn", "exploding-vector"])
def test_latex_compiles_standalone(tmp_path, name):
    tex = tmp_path / f"{name}.tex"
    assert main(["trace", name, "--format", "latex", "-o", str(tex)]) == 0
    result = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", tex.name],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-2000:]
    assert (tmp_path / f"{name}.pdf").stat().st_size > 1000
