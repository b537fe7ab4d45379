"""The writer of a derivation document (vector_export.py, gated_export.py): headings, paragraphs and displays
of equations, in Markdown or LaTeX, and the parameters' LaTeX symbols."""

from __future__ import annotations

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


def _latex_text(text: str) -> str:
    from .latex import latex_text

    return latex_text(text)


def eq(lhs: str, *parts) -> Equation:
    """``lhs = part = …``; a part is a formula (str), an atom, or a tuple of them set side by side."""
    e = Equation(symbol(lhs))
    for part in parts:
        e.eq(*[symbol(p) if isinstance(p, str) else p for p in (part if isinstance(part, (tuple, list)) else (part,))])
    return e
