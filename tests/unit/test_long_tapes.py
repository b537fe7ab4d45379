"""Long tapes everywhere (issue 9): shortened chains, streaming printers, linear work, LaTeX that fits the page."""

from __future__ import annotations

import math
import os
import re
import shutil
import stat
import subprocess
import sys

import pytest
from hypothesis import example, given, settings

import rnnstep
from reference import Dual, Net, act, long_net, loss, to_toml
from rnnstep.cli import main
from rnnstep.render import chains
from rnnstep.render.derivation import TermLine, derivation, term_lines
from rnnstep.render.latex import iter_latex
from rnnstep.render.markdown import iter_markdown
from rnnstep.render.numbers import latex_number, markdown_number
from rnnstep.render.table import iter_table
from rnnstep.scenario import shipped_gated_scenarios, shipped_scenarios
from strategies import nets


def tape_of(net: Net, **train):
    return rnnstep.build_tape(rnnstep.load_scenario(to_toml(net, **train)))


# ----------------------------------------------------------------------------- chains

def test_a_short_chain_is_whole_and_a_long_one_shows_its_ends():
    assert chains.shown(8) == (range(8), 0, range(8, 8))
    first, hidden, last = chains.shown(5003)
    assert (list(first), hidden, list(last)) == ([0, 1, 2], 4998, [5001, 5002])
    assert chains.shown(5003, full=True) == (range(5003), 0, range(5003, 5003))
    asked = []
    chain = chains.shorten(5003, lambda i: asked.append(i) or i * 10)
    assert asked == [0, 1, 2, 5001, 5002]  # only the factors shown are ever made
    assert chain.parts(lambda n: f"<{n}>") == [0, 10, 20, "<4998>", 50010, 50020]
    assert chains.gap_text(4998) == "⋯ 4,998 factors ⋯" and chains.gap_text(1) == "⋯ 1 factor ⋯"


def independent_factors(net: Net, param: str, t: int, k: int) -> list[float]:
    """SPEC §3's factors of term(param, t, k), from the reference's forward values and dual derivatives."""
    a_list, O_list, losses = net.run()
    z, yhat, _ = losses[t]
    fp = lambda j: act(net.activation, Dual(a_list[j - 1].v, 1.0), net.leaky_slope).d  # noqa: E731
    dl_dyhat = loss(net.loss, Dual(yhat.v, 1.0), net.y_at(t)).d
    dyhat_dO = act(net.output_activation, Dual(z.v, 1.0), net.leaky_slope).d * net.w_out
    O_prev = O_list[k - 2].v if k > 1 else net.h0
    into = {"w": net.x[k - 1], "w_prime": O_prev, "b": 1.0}[param]
    return [dl_dyhat, dyhat_dO] + [fp(j) * net.w_prime for j in range(t, k, -1)] + [fp(k) * into]


def close(a: float, b: float, abs_tol: float = 1e-300) -> bool:
    """Equal to 1e-9, or the same non-finite value: a saturated bce's ∞ factor and the nan of ∞·0 it makes."""
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=abs_tol) or (math.isnan(a) and math.isnan(b))


def check_lines_against_reference(net: Net, tape) -> int:
    """Every term's shown factors are SPEC §3's factors at those places; the hidden count is the rest."""
    shortened = 0
    for param in ("w_prime", "w", "b"):
        for line in term_lines(tape, param, "unicode", repr):
            expected = independent_factors(net, param, line.t, line.k)
            head = [float(v) for v in line.head_numbers]
            tail = [float(v) for v in line.tail_numbers]
            assert len(head) + line.hidden + len(tail) == len(expected) == line.t - line.k + 3
            assert all(close(a, b) for a, b in zip(head, expected)), (param, line.t, line.k)
            assert all(close(a, b) for a, b in zip(tail, expected[len(expected) - len(tail):])), (param, line.t, line.k)
            # the shown and hidden factors together make the term the reference measures by differentiation
            product = math.prod(expected)
            assert close(product, net.term(param, line.t, line.k), abs_tol=1e-12)
            assert close(line.value, product)
            shortened += bool(line.hidden)
    return shortened


@pytest.mark.parametrize("every_step", [False, True])
def test_shortened_chains_show_the_tapes_factors(every_step):
    net = long_net(14, every_step)
    assert check_lines_against_reference(net, tape_of(net)) > 0


@settings(max_examples=25, deadline=None)
@given(nets(max_T=12))
@example(Net(w=0.0, w_prime=1.5, b=1.0, x=[0.0] * 8, y=0.0, w_out=1.0, b_out=0.0, activation="relu",
             output_activation="sigmoid", loss="bce"))  # ŷ₈ = 1.0 exactly: ℓ₈ and ∂ℓ₈/∂ŷ₈ are +∞
@example(Net(w=0.0, w_prime=1.5, b=1.0, x=[0.0] * 8, y=1.0, w_out=1.0, b_out=0.0, activation="relu",
             output_activation="sigmoid", loss="bce"))  # ŷ₈ = 1.0 = y: ℓ₈ = 0, ∂ℓ₈/∂ŷ₈ = −1
def test_shortened_chains_on_random_scenarios(net):
    tape = tape_of(net)
    check_lines_against_reference(net, tape)
    for param in ("w_prime", "w", "b"):  # --full-chains: every factor, exactly the tape's
        for i, line in enumerate(term_lines(tape, param, "unicode", repr, full_chains=True)):
            assert line.hidden == 0
            assert [float(v) for v in line.head_numbers] == [f.value for f in tape.factors(param, i)]


def test_the_markdown_shows_the_shortened_numbers_of_the_tape():
    net = long_net(40)
    tape = tape_of(net)
    text = "".join(iter_markdown(tape))
    block = text.split("- t = 40, k = 3:", 1)[1].split("\n- ", 1)[0]
    symbols, numbers = block.split("\n")[0], block.split("\n")[1]
    assert "∂O₄₀/∂O₃₉ × ⋯ 35 factors ⋯ × ∂O₄/∂O₃ × ∂⁺O₃/∂w′" in symbols
    expected = independent_factors(net, "w_prime", 40, 3)
    shown = [expected[0], expected[1], expected[2], expected[-2], expected[-1]]
    printed = re.findall(r"\(?(-?[\d.]+(?:×10[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+)?)\)?", numbers.split("⋯")[0] + numbers.split("⋯")[2])
    assert [markdown_number(v) for v in shown] == printed[:5]
    assert "⋯ 35 factors ⋯" in numbers
    assert f"**{markdown_number(net.term('w_prime', 40, 3))}**" in numbers


# ----------------------------------------------------------------------------- streams and linear work

def test_printers_stream_and_do_linear_work(monkeypatch):
    """T = 3,000: the first lines come before the rest is made, and the tape is asked for O(T) factors."""
    tape = tape_of(long_net(3000))
    calls = 0
    factor = type(tape).factor

    def counting(self, *args):
        nonlocal calls
        calls += 1
        return factor(self, *args)

    monkeypatch.setattr(type(tape), "factor", counting)
    for printer in (iter_markdown, iter_latex, lambda tape: iter_table(tape)):
        calls = 0
        chunks = printer(tape)
        next(chunks)
        assert calls == 0  # a generator: nothing is made before it is asked for
        size = sum(len(chunk) for chunk in chunks)
        assert calls <= 3 * 5 * 3000 + 100, calls  # at most five factors per term, not T
        assert size < 12_000_000  # megabytes, not gigabytes


def test_full_chains_says_how_large_the_output_will_be(capsys, tmp_path):
    path = tmp_path / "long.toml"
    path.write_text(to_toml(long_net(60)))
    assert main(["trace", str(path), "--format", "markdown", "--full-chains"]) == 0
    captured = capsys.readouterr()
    factors = sum(t - k + 3 for t in (60,) for k in range(1, 61)) * 3 + 2 * 3
    assert f"{factors:,} factors in 182 terms" in captured.err and "kB of markdown" in captured.err
    line = captured.out.split("- t = 60, k = 1:", 1)[1].split("\n", 1)[0]
    assert line.count(" × ") == 62 - 1 and "⋯" not in line  # every one of the 62 factors
    assert main(["trace", str(path), "--format", "markdown"]) == 0
    assert "⋯ 57 factors ⋯" in capsys.readouterr().out
    assert main(["trace", str(path), "--format", "json", "--full-chains"]) == 2
    assert "--full-chains goes with" in capsys.readouterr().err


def test_table_hangs_the_path_after_the_numbers():
    tape = tape_of(long_net(30))
    lines = "".join(iter_table(tape)).splitlines()
    row = next(line for line in lines if line.startswith("│ 30 │  1 │"))
    assert row.split("│")[3].strip() == rnnstep.notation.fmt(tape.value("gradients.w_prime.term[30,1]"))
    assert row.endswith("⋯ 27 factors ⋯ × ∂O₂/∂O₁ × ∂⁺O₁/∂w′")


# ----------------------------------------------------------------------------- numbers in documents

@pytest.mark.parametrize("value,latex,markdown", [
    (-1.82467e-05, r"-1.82467 \times 10^{-5}", "-1.82467×10⁻⁵"),
    (3.5e21, r"3.5 \times 10^{21}", "3.5×10²¹"),
    (0.25, "0.25", "0.25"),
    (float("inf"), r"\infty", "inf"),
    (float("-inf"), r"-\infty", "-inf"),
    (float("nan"), r"\mathrm{NaN}", "nan"),
])
def test_scientific_notation(value, latex, markdown):
    assert latex_number(value) == latex and markdown_number(value) == markdown


def test_markdown_renders_as_commonmark_with_strikethrough():
    """GitHub's markdown is CommonMark plus extensions: every term is one list item, nothing becomes a link."""
    from markdown_it import MarkdownIt

    tape = rnnstep.build_tape(rnnstep.load_scenario(shipped_path("truncated-bptt")))
    html = MarkdownIt("commonmark").enable("strikethrough").render("".join(iter_markdown(tape)))
    assert "<a " not in html and "<em>" in html
    assert html.count("<li>") == tape.T + len(tape.targets) + 1 + sum(len(g) for g in tape.gradients.values()) + 5
    assert html.count("<s>") == int(tape.gradients["w"].truncated.sum()) * 3  # struck: the truncated paths
    assert "<h2>∂L/∂w′</h2>" in html


def shipped_path(name: str):
    return next(p for p in shipped_scenarios() if p.stem == name)


# ----------------------------------------------------------------------------- LaTeX on the page

def overfull(log: str) -> list[float]:
    return [float(x) for x in re.findall(r"Overfull \\hbox \(([\d.]+)pt too wide\)", log)]


LONG_SCENARIOS = {
    "long-final-target": (long_net(120), {}),
    "every-step": (long_net(25, every_step=True), {"truncate": 6}),
    "saturated": (Net(w=3.0, w_prime=2.5, b=-1.0, w_out=-40.0, b_out=0.0, x=[1.0, -1.0] * 12, y=0.5,
                      activation="sigmoid"), {"clip": 1.0}),
}


# every shipped scenario: the one-unit ones here, the LSTM and GRU ones (gated_export) too; the hidden-vector
# ones are compiled, with the same bounds, by test_vector_export.py::test_latex_compiles_standalone_and_fits_the_page
@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="needs pdflatex (texlive-latex-base)")
@pytest.mark.parametrize("name", [p.stem for p in shipped_scenarios() + shipped_gated_scenarios()]
                         + list(LONG_SCENARIOS) + ["full-chains"])
def test_latex_compiles_and_fits_the_page(tmp_path, name):
    """pdflatex sets it with no error (1.5¹¹ once came out as 1.5$^{1}^{1}$, "Double superscript") and no line
    more than 3 pt past the margin (a left-out term's reason, a method section's long vectors once ran 20–195 pt
    past it)."""
    tex = tmp_path / f"{name}.tex"
    if name in LONG_SCENARIOS:
        net, train = LONG_SCENARIOS[name]
        source = tmp_path / f"{name}.toml"
        source.write_text(to_toml(net, **train))
        args = [str(source)]
    elif name == "full-chains":
        args = ["vanishing-gradients", "--full-chains"]
    else:
        args = [name]
    assert main(["trace", *args, "--format", "latex", "-o", str(tex)]) == 0
    result = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", tex.name],
                            cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:]
    log = (tmp_path / f"{name}.log").read_text(errors="replace")
    assert max(overfull(log), default=0.0) <= 3.0, [line for line in log.splitlines() if "Overfull" in line][:5]
    assert (tmp_path / f"{name}.pdf").stat().st_size > 1000


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="needs pdflatex (texlive-latex-base)")
@pytest.mark.parametrize("name", ["randomized-truncation", "lstm-tbptt-detach", "clip-norm-vs-value"])
def test_latex_never_breaks_a_line_after_a_minus_sign(tmp_path, name):
    """A number stays whole: no line ends in "-" of -0.00077 or 9.4699e-05 (the one-unit, gated and vector
    documents' method sections set such numbers in text). With words never hyphenated either, TeX's trace
    of the paragraphs lists no feasible break at a discretionary at all."""
    tex = tmp_path / f"{name}.tex"
    assert main(["trace", name, "--format", "latex", "-o", str(tex)]) == 0
    text = tex.read_text()
    assert "-0." in text or "e-0" in text  # there is a minus sign in text to break after
    tex.write_text(text.replace("\\begin{document}", "\\begin{document}\\hyphenpenalty=10000\\tracingparagraphs=1", 1))
    result = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", tex.name],
                            cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:]
    log = (tmp_path / f"{name}.log").read_text(errors="replace")
    assert "@firstpass" in log  # the trace is on
    assert "@\\discretionary" not in log, log[log.index("@\\discretionary") - 300:][:400]


def test_latex_headings_and_numbers_are_readable():
    tape = rnnstep.build_tape(rnnstep.load_scenario(shipped_path("vanishing-gradients")))
    text = "".join(iter_latex(tape))
    assert r"\subsection*{\boldmath$\partial L/\partial w'$, term by term}" in text
    assert "\\subsection*{$\\frac" not in text
    assert not re.search(r"\de[+-]\d", text)  # no raw 1e-05 in math mode
    assert r"\times 10^{-19}" in text and r"\cdots \text{\small{} 27 factors} \cdots" in text


# ----------------------------------------------------------------------------- progress on stderr

class FakeTerminal:
    """A stream that says it is a terminal (as stderr is when a person watches)."""

    def __init__(self):
        import io

        self.buffer = io.StringIO()

    def isatty(self):
        return True

    def write(self, text):
        return self.buffer.write(text)

    def flush(self):
        pass


def test_progress_shows_on_a_terminal_only_for_long_work():
    from rnnstep.progress import LONG, with_progress

    terminal = FakeTerminal()
    chunks = [f"{i}\n" for i in range(LONG + 10)]
    assert list(with_progress(iter(chunks), len(chunks), "writing x.md", terminal)) == chunks
    assert "writing x.md" in terminal.buffer.getvalue()
    quiet = FakeTerminal()
    assert list(with_progress(iter(chunks[:100]), 100, "writing y.md", quiet)) == chunks[:100]
    assert quiet.buffer.getvalue() == ""


def test_no_progress_when_stderr_is_piped_and_no_rich_console_on_the_fast_path(tmp_path):
    path = tmp_path / "long.toml"
    path.write_text(to_toml(long_net(3000)))
    code = ("import sys, rnnstep.cli as c; rc = c.main(sys.argv[1:]); "
            "assert 'rich.console' not in sys.modules and 'rich.progress' not in sys.modules, 'rich imported'; "
            "sys.exit(rc)")
    for fmt in ("markdown", "table"):
        out = tmp_path / f"out.{fmt}"
        result = subprocess.run([sys.executable, "-c", code, "trace", str(path), "--format", fmt, "-o", str(out)],
                                capture_output=True, text=True)
        assert result.returncode == 0 and result.stderr == "", result.stderr
        assert out.stat().st_size > 100_000
        umask = os.umask(0)
        os.umask(umask)
        assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~umask  # a new file's permissions, not mkstemp's 0600
    result = subprocess.run([sys.executable, "-m", "rnnstep", "check", str(path)], capture_output=True, text=True)
    assert result.returncode == 0 and result.stderr == ""
