"""Numbers in documents: the one formatter's text (``notation.fmt``), written for markdown or LaTeX.

``-1.82467e-05`` reads as a subtraction in a formula, so a document writes
``-1.82467×10⁻⁵`` (markdown) or ``-1.82467 \\times 10^{-5}`` (LaTeX). The digits
are the formatter's; only the exponent's spelling changes.
"""

from __future__ import annotations

from .. import notation as nt

_SUPERSCRIPT = str.maketrans("0123456789-+", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺")


def _split(text: str) -> tuple[str, int] | None:
    """'-1.82467e-05' -> ('-1.82467', -5); None when there is no exponent."""
    mantissa, e, exponent = text.partition("e")
    return (mantissa, int(exponent)) if e else None


def markdown_number(x: float, digits: int = 6) -> str:
    text = nt.fmt(x, digits)
    split = _split(text)
    if split is None:
        return text
    mantissa, exponent = split
    return f"{mantissa}×10{str(exponent).translate(_SUPERSCRIPT)}"


def markdown_operand(x: float, digits: int = 6) -> str:
    """A number inside a product: negatives in parentheses."""
    text = markdown_number(x, digits)
    return f"({text})" if text.startswith("-") else text


def latex_number(x: float, digits: int = 6) -> str:
    text = nt.fmt(x, digits)
    if text[-1].isdigit() and "e" not in text:  # the common case, first: a plain number
        return text
    if text in ("inf", "-inf"):
        return text.replace("inf", r"\infty")
    if text == "nan":
        return r"\mathrm{NaN}"
    split = _split(text)
    if split is None:
        return text
    mantissa, exponent = split
    return f"{mantissa} \\times 10^{{{exponent}}}"


def latex_operand(x: float, digits: int = 6) -> str:
    text = latex_number(x, digits)
    return f"({text})" if text.startswith("-") else text


_EXPONENT = None


def markdown_text(text: str) -> str:
    """Every number with an exponent in ``text`` (a formula with numbers) written as markdown_number does."""
    if "e" not in text:
        return text
    global _EXPONENT
    if _EXPONENT is None:
        import re

        _EXPONENT = re.compile(r"(?<![A-Za-z_])(\d+(?:\.\d+)?)e([+-]\d+)")
    return _EXPONENT.sub(lambda m: f"{m[1]}×10{str(int(m[2])).translate(_SUPERSCRIPT)}", text)
