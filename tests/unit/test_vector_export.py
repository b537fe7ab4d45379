"""Markdown and LaTeX exports of a vector scenario write matrices as bmatrix; the LaTeX compiles."""

import re
import shutil
import subprocess

import numpy as np
import pytest

import rnnstep
from rnnstep import notation as nt
from rnnstep.cli import main
from rnnstep.render.numbers import latex_number
from rnnstep.render.tex_layout import matrix
from rnnstep.render.vector_export import bmatrix, iter_vector_derivation
from rnnstep.scenario import shipped_vector_scenarios
from vector_scenarios import vector_toml


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
        assert bmatrix(table.running_sum[i], 6) in text  # the running sum after the term
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


def overfull(log: str, box: str = "hbox") -> list[float]:
    return [float(x) for x in re.findall(rf"Overfull \\{box} \(([\d.]+)pt too (?:wide|high)\)", log)]


WIDE = {"wide-n8": dict(n=8, m=3, q=2, T=3, every_step=True, seed=2),
        "wide-n30": dict(n=30, m=2, q=3, T=2, seed=5, output="softmax", loss="cross_entropy")}


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
@pytest.mark.parametrize("name", [p.stem for p in shipped_vector_scenarios()] + list(WIDE))
def test_latex_compiles_standalone_and_fits_the_page(tmp_path, name):
    tex = tmp_path / f"{name}.tex"
    source = name
    if name in WIDE:
        source = str(tmp_path / f"{name}.toml")
        (tmp_path / f"{name}.toml").write_text(vector_toml(**WIDE[name]))
    assert main(["trace", source, "--format", "latex", "-o", str(tex)]) == 0
    result = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", tex.name],
                            cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:]
    assert (tmp_path / f"{name}.pdf").stat().st_size > 1000
    log = (tmp_path / f"{name}.log").read_text(errors="replace")
    assert max(overfull(log), default=0.0) <= 3.0, [line for line in log.splitlines() if "Overfull" in line][:5]
    assert not overfull(log, "vbox")


def _entries(tex: str) -> list[list[str]]:
    body = re.search(r"\\begin\{(?:b?matrix)\} (.*?) \\end\{(?:b?matrix)\}", tex).group(1)
    return [row.split(" & ") for row in body.split(r" \\ ")]


@pytest.mark.parametrize("shape", [(30, 30), (60, 7), (40,), (3, 3)])
@pytest.mark.parametrize("room", [150.0, 300.0, 480.0])
def test_a_wide_or_tall_matrix_is_split_into_blocks_that_put_every_entry_back(shape, room):
    value = np.random.default_rng(len(shape)).normal(size=shape) * 10.0 ** np.random.default_rng(1).integers(-9, 3, shape)
    grid = matrix(value, 6, transpose=True)
    blocks = grid.blocks(room)
    assert all(b.width <= max(room, min(grid.columns) + 200) for b in blocks)
    assert blocks[0].tex.count(r"\left[") == 1 and blocks[-1].tex.endswith(r"\right]" + ("^{T}" if len(shape) == 1 else ""))
    rebuilt = np.full(value.reshape(len(value) if len(shape) == 2 else 1, -1).shape, "", dtype=object)
    for block in blocks:
        label = re.search(r"\\scriptsize (?:rows (\d+)--(\d+), )?(?:columns|entries) (\d+)(?:--(\d+))?:", block.tex)
        r0 = int(label.group(1) or 1) - 1
        c0 = int(label.group(3)) - 1
        for r, row in enumerate(_entries(block.tex)):
            for c, text in enumerate(row):
                assert rebuilt[r0 + r, c0 + c] == ""  # each entry once
                rebuilt[r0 + r, c0 + c] = text
    expected = np.vectorize(lambda v: latex_number(v, 6), otypes=[object])(value.reshape(rebuilt.shape))
    assert (rebuilt == expected).all()


def _every_shipped_scenario():
    from rnnstep.scenario import shipped_gated_scenarios, shipped_scenarios

    return [*shipped_scenarios(), *shipped_vector_scenarios(), *shipped_gated_scenarios()]


def test_the_prose_of_every_shipped_scenario_reaches_latex_without_question_marks():
    """A character LaTeX cannot set became '?': δ, ᵀ, ‖, ⋯ in the vector scenarios' descriptions did; the gated
    ones' ½, ã_t, δₓ/δₕ and aᶠ₂₀ did too (the test read the plain and vector scenarios only)."""
    from rnnstep.render.latex import latex_text

    for path in _every_shipped_scenario():
        s = rnnstep.load_scenario(path)
        for text in [s.title, s.description or "", *(n.text for n in s.notes)]:
            assert latex_text(text).count("?") == text.count("?"), (path.stem, text)


@pytest.mark.parametrize("path", _every_shipped_scenario(), ids=lambda p: p.stem)
def test_every_shipped_scenarios_latex_is_ascii_with_no_character_dropped(path, capsys):
    """`trace FILE --format latex`, as the command writes it: every character of the document is ASCII (each
    symbol set by a command), no '?' stands for a character the prose had, and no subscript follows another
    ($_2_0$ is a TeX error: aᶠ₂₀ is a$^{f}_{20}$)."""
    s = rnnstep.load_scenario(path)
    asked = sum(t.count("?") for t in [s.title, s.description or "", *(n.text for n in s.notes)])
    assert main(["trace", str(path), "--format", "latex"]) == 0
    tex = capsys.readouterr().out
    strange = sorted({ch for ch in tex if ord(ch) >= 128})
    assert not strange, (path.stem, strange)
    assert tex.count("?") <= asked, [tex[max(0, i - 30):i + 30] for i in range(len(tex)) if tex[i] == "?"][:5]
    assert not re.search(r"_(\{[^}]*\}|\w)_", tex), re.search(r".{30}_(\{[^}]*\}|\w)_.{30}", tex)


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
@pytest.mark.parametrize("name", ["gru-two-steps", "lstm-two-steps-by-hand", "lstm-forgets", "gru-carry",
                                  "randomized-truncation"])
def test_the_gated_and_prose_heavy_latex_compiles(tmp_path, name):
    """The documents whose prose held ½, ã_t, δₓ, aᶠ₂₀ and ← compile with pdflatex (a '?' compiled, hiding
    the loss; $_2_0$ would not have)."""
    tex = tmp_path / f"{name}.tex"
    assert main(["trace", name, "--format", "latex", "-o", str(tex)]) == 0
    result = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", tex.name],
                            cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:]
    assert "Missing character" not in (tmp_path / f"{name}.log").read_text(errors="replace")


def test_prose_sets_fractions_accents_scripts_and_greek_by_themselves():
    from rnnstep.render.latex import latex_text

    assert latex_text("½(O_t − y_t)²") == r"$\frac{1}{2}$(O$_{t}$ - y$_{t}$)$^{2}$"
    assert latex_text("ã_t = W′·O_(t−1) + b′") == r"\~{a}$_{t}$ = W$'\cdot$O$_{t-1}$ + b$'$"
    assert latex_text("take δₕ, whose n row is δₓ's") == r"take $\delta_{h}$, whose n row is $\delta_{x}$'s"
    assert latex_text("aᶠ₂₀ = 5 − 15") == r"a$^{f}_{20}$ = 5 - 15"
    assert latex_text("κ") == r"$\kappa$"


def test_a_run_of_superscripts_is_one_group_and_scripts_side_by_side_never_stack_twice():
    from rnnstep.render.latex import latex_text

    assert latex_text("1.5¹¹ ≈ 86") == r"1.5$^{11}$ $\approx$ 86"  # was 1.5$^{1}^{1}$: "Double superscript"
    assert latex_text("x²ᵀ") == r"x$^{2T}$"
    assert latex_text("a₂₀ᵀ") == r"a$_{20}^{T}$" and latex_text("w′²") == r"w$'^{2}$"
    assert latex_text("2²°") == r"2$^{2}{}^{\circ}$" and latex_text("xᵀ′") == r"x$^{T}{}'$"
    assert latex_text("x₂²₃") == r"x$_{2}^{2}{}_{3}$"
    assert latex_text("∂ℓ_t/∂s_t") == r"$\partial$$\ell$$_{t}$/$\partial$s$_{t}$"  # was $\partial\ell$\_t


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
def test_prose_with_scripts_side_by_side_compiles(tmp_path):
    from rnnstep.render.latex import latex_text

    prose = ["1.5¹¹ ≈ 86", "x²ᵀ", "a₂₀ᵀ", "w′²", "2²°", "xᵀ′", "x₂²₃", "w′²′", "∂ℓ/∂w′", "e⁻¹", "10⁻¹²"]
    (tmp_path / "p.tex").write_text("\\documentclass{article}\n\\begin{document}\n"
                                    + "\n\n".join(map(latex_text, prose)) + "\n\\end{document}\n")
    result = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "p.tex"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-1500:]


def test_prose_subscripts_are_set_as_subscripts_and_key_names_stay_as_written():
    from rnnstep.render.latex import latex_text

    assert latex_text("∂O_j/∂O_{j−1}") == r"$\partial$O$_{j}$/$\partial$O$_{j-1}$"
    assert latex_text("δ(t,k)·O_{k−1}ᵀ") == r"$\delta$(t,k)$\cdot$O$_{k-1}$$^{T}$"
    assert latex_text("weights.w_prime, W_out, snake_case") == r"weights.w\_prime, W\_out, snake\_case"
