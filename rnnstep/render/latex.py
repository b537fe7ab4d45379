"""The derivation as a standalone LaTeX document (article + amsmath)."""

from __future__ import annotations

from .. import notation as nt
from ..tape import Tape
from .derivation import ForwardLine, OutputLine, TermLine, Total, UpdateLine, derivation

_TEXT_ESCAPES = {
    "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
    "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
    "′": "$'$", "·": r"$\cdot$", "∂": r"$\partial$", "≥": r"$\geq$", "≤": r"$\leq$", "−": "-",
    "η": r"$\eta$", "σ": r"$\sigma$", "Σ": r"$\Sigma$", "ŷ": r"$\hat{y}$", "→": r"$\to$", "×": r"$\times$",
    "…": r"\ldots{}", "—": "---", "–": "--", "’": "'", "“": "``", "”": "''",
}
_SUBSCRIPTS = "₀₁₂₃₄₅₆₇₈₉"


def latex_text(text: str) -> str:
    """Escape text for LaTeX; characters outside ASCII that it cannot set are dropped."""
    out = []
    for ch in text:
        if ch in _TEXT_ESCAPES:
            out.append(_TEXT_ESCAPES[ch])
        elif ch in _SUBSCRIPTS:
            out.append(f"$_{_SUBSCRIPTS.index(ch)}$")
        elif ord(ch) < 128:
            out.append(ch)
        else:
            out.append("?")
    return "".join(out)


def _n(text: str) -> str:
    return text.replace("inf", r"\infty").replace("nan", r"\mathrm{NaN}")


def _name(text: str) -> str:
    return text.replace("_", r"\_")


def render_latex(tape: Tape, digits: int = 6) -> str:
    s, f = tape.scenario, (lambda v: _n(nt.fmt(v, digits)))
    op = lambda v: _n(nt.operand(v, digits))  # noqa: E731  (a number inside a product: negatives in parentheses)
    f_name, g_name = _name(s.activation), _name(s.output_activation)
    out = [
        r"\documentclass{article}",
        r"\usepackage{amsmath}",
        r"\usepackage[margin=2cm]{geometry}",
        r"\allowdisplaybreaks",
        r"\begin{document}",
        rf"\section*{{{latex_text(s.name)}}}",
        rf"$f = \mathrm{{{f_name}}}$, $g = \mathrm{{{g_name}}}$, "
        rf"loss {latex_text(s.loss)}, $T = {tape.T}$, $\eta = {f(s.learning_rate)}$"
        + (rf", truncate $K = {s.truncate}$" if s.truncate else "") + (rf", clip $C = {f(s.clip)}$" if s.clip else "")
        + ".",
        r"\subsection*{Forward pass}",
        r"\begin{align*}",
    ]
    current = "forward"
    for item in derivation(tape, "latex", digits):
        if isinstance(item, ForwardLine):
            a, O = f(float(tape.a[item.t - 1])), f(float(tape.O[item.t - 1]))
            out.append(rf"{item.equation} &= \mathrm{{{f_name}}}({a}) = {O} \\")
        elif isinstance(item, OutputLine):
            if current != "loss":
                out += [r"\end{align*}", r"\subsection*{Output and loss}", r"\begin{align*}"]
                current = "loss"
            sub = nt.sub(item.t, "latex")
            out.append(rf"z{sub} &= {f(item.z)}, & \hat{{y}}{sub} &= {f(item.yhat)}, & y{sub} &= {f(item.y)}, "
                       rf"& \ell{sub} &= {f(item.loss)} \\")
        elif isinstance(item, TermLine):
            if current != item.param:
                if current == "loss":
                    out.append(rf"L &= {f(tape.loss)}")
                out += [r"\end{align*}", rf"\subsection*{{${nt.gradient_symbol(item.param, 'latex')}$}}",
                        r"\begin{align*}"]
                current = item.param
            where = f"t={item.t},\\ k={item.k}" if item.k is not None else f"t={item.t}"
            product = r" \times ".join(item.symbols)
            numbers = r" \times ".join(_n(n) for n in item.numbers)
            note = r"\quad\text{(truncated: not added)}" if item.truncated else ""
            out.append(rf"&\text{{{where}:}} && \left[{product}\right] \\")
            out.append(rf"&&&= {numbers} = {f(item.value)}{note} \\")
            out.append(rf"&&&\text{{running sum}} = {f(item.running_sum)} \\[4pt]")
        elif isinstance(item, Total):
            out.append(rf"&& {item.symbol} &= {f(item.value)}")
        elif isinstance(item, UpdateLine):
            if current != "update":
                out += [r"\end{align*}", r"\subsection*{Update}", r"\begin{align*}"]
                current = "update"
            p = nt.param(item.param, "latex")
            grad = rf"\operatorname{{clip}}({f(item.grad)})" if s.clip else op(item.grad)
            # {p}_{new} as a group: w_{out} already carries a subscript
            out.append(rf"{{{p}}}_{{\text{{new}}}} &= {f(item.old)} - {op(s.learning_rate)} \cdot {grad} = {f(item.new)} \\")
    out += [r"\end{align*}", r"\end{document}"]
    return "\n".join(out) + "\n"
