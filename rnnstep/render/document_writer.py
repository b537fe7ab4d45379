"""The writer of a derivation document (vector_export.py, gated_export.py): headings, paragraphs and displays
of equations, in Markdown or LaTeX, and the parameters' LaTeX symbols."""

from __future__ import annotations

from typing import Iterator

from .. import notation as nt
from .tex_layout import Atom, Equation, lay_out, matrix, symbol

TEX_PARAM = nt.MATRIX_SYMBOL["latex"]  # W', W, b, W_{out}, b_{out}


class Writer:
    def __init__(self, style: str, digits: int):
        self.style, self.digits = style, digits

    def heading(self, text: str, level: int = 2) -> str:
        if self.style == "markdown":
            return "#" * level + " " + text + "\n\n"
        command = {1: "section*", 2: "section*", 3: "subsection*"}[level]
        return f"\\{command}{{{_latex_text(text)}}}\n\n"

    def text(self, text: str, latex: str | None = None) -> str:
        """A paragraph; ``latex`` is its LaTeX spelling where it has maths (else the text, escaped)."""
        if self.style == "markdown":
            return text + "\n\n"
        return (latex if latex is not None else _latex_text(text)) + "\n\n"

    def math(self, *equations: Equation) -> str:
        """One display of equations, laid out to fit the page (tex_layout.py)."""
        body = lay_out(list(equations), aligned=self.style == "markdown")
        if self.style == "markdown":
            return "$$\n" + body + "\n$$\n\n"
        if "&" in body:
            return "\\begin{align*}\n" + body + "\n\\end{align*}\n\n"
        return "\\[\n" + body + "\n\\]\n\n"

    def matrix(self, value, transpose: bool = True) -> Atom:
        return matrix(value, self.digits, transpose)


def update_and_end(tape, w: Writer, digits: int, style: str) -> Iterator[str]:
    """The end every derivation document shares: the update of each parameter, the overflow remark,
    the training method's sections (SPEC §9) and, in LaTeX, the end of the document."""
    from .methods_text import iter_method_sections
    from .tex_layout import number

    s = tape.scenario
    yield w.heading("Update")
    rule = r"p - \eta\,\mathrm{clip}(\partial L/\partial p)" if s.clip else r"p - \eta\,\partial L/\partial p"
    yield w.math(eq("p_{new}", rule), eq(r"\eta", number(s.learning_rate, digits)))
    for p, u in tape.updates.items():
        yield w.math(eq(f"{{{TEX_PARAM[p]}}}_{{new}}", w.matrix(u.new)))
    if tape.nonfinite:
        yield w.text("Some values overflowed to inf or nan.")
    yield from iter_method_sections(tape, digits, style)  # SPEC §9: chunks, coins, RTRL, clip by norm
    if style == "latex":
        yield "\\end{document}\n"


def _latex_text(text: str) -> str:
    from .latex_prose import latex_text

    return latex_text(text)


def eq(lhs: str, *parts) -> Equation:
    """``lhs = part = …``; a part is a formula (str), an atom, or a tuple of them set side by side."""
    e = Equation(symbol(lhs))
    for part in parts:
        e.eq(*[symbol(p) if isinstance(p, str) else p for p in (part if isinstance(part, (tuple, list)) else (part,))])
    return e
