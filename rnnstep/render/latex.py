"""The derivation as a standalone LaTeX document (article + amsmath) that fits the page.

Each path product is broken across lines a few factors at a time, numbers are
written ``-1.82467 \\times 10^{-5}``, and the displays are closed and reopened
every few dozen terms so that TeX never holds a whole long tape at once.
Yielded chunk by chunk so a long tape streams.
"""

from __future__ import annotations

from typing import Iterator, NamedTuple

from .. import notation as nt
from ..printed import relation
from ..tape import Tape
from .chains import LIMIT
from .methods_text import iter_method_sections, term_mark
from .derivation import ForwardLine, OutputLine, TermLine, Total, UpdateLine, derivation
from .numbers import latex_number, latex_operand
from ..usertext import shown, shown_line
from .latex_prose import latex_text


LINE_WIDTH = 360.0  # pt of a product row: with the t, k label (~100 pt) it fits 17.6 cm (~500 pt)
TERMS_PER_DISPLAY = 40  # amsmath reads a whole align* before it sets it: keep each one short




def _name(text: str) -> str:
    return text.replace("_", r"\_")


def _gap(hidden: int) -> str:
    return rf"\cdots \text{{\small{{}} {hidden:,} factors}} \cdots"


_WIDTH = {  # rough widths in pt of Computer Modern 10 pt math, enough to break lines before the margin
    "digit": 5.0, ".": 2.8, ",": 2.8, "-": 7.8, "(": 3.9, ")": 3.9, "times": 12.2, "sub": 3.6, "letter": 6.5,
}


_widths: dict[str, float] = {}  # a factor's estimated width, by its text (factors repeat from term to term)


def _width(part: str) -> float:
    """The width of one factor (a \\frac, a number) or of the ⋯ N factors ⋯ gap, estimated."""
    width = _widths.get(part)
    if width is None:
        if len(_widths) > 100_000:
            _widths.clear()
        if part.startswith(r"\cdots"):
            width = 30 + 4.5 * len(part.split("}", 2)[1])  # \cdots, then "4,990 factors" in small type
        elif part.startswith(r"\frac"):
            top, _, bottom = part[len(r"\frac{"):].partition("}{")
            width = max(_math_width(top), _math_width(bottom)) + 2.4
        else:
            width = _number_width(part)
        _widths[part] = width
    return width


def _number_width(text: str) -> float:
    """-1.82467 \\times 10^{-5}, (0.25), \\infty: digits and signs are about 5 pt, the power about 30."""
    mantissa, times, exponent = text.partition(r" \times 10^")
    return 5.2 * len(mantissa) + (32 + 3.6 * len(exponent) if times else 0)


def _math_width(text: str) -> float:
    """\\partial O_{123}: letters about 6.5 pt, subscript characters about 3.6."""
    base, _, subscript = text.replace("\\partial", "d").replace("\\hat{y}", "y").replace("^{+}", "+").partition("_{")
    return 6.5 * len(base.replace(" ", "")) + 3.6 * len(subscript)


def _lines(parts: list[str], widths: list[float], width: float = LINE_WIDTH) -> list[list[str]]:
    """Parts grouped greedily into lines no wider than ``width`` (each part after the first with its \\times)."""
    lines: list[list[str]] = []
    line: list[str] = []
    used, times = 0.0, _WIDTH["times"]
    for part, need in zip(parts, widths):
        if line and used + times + need > width:
            lines.append(line)
            line, used = [], 20.0  # a continued line starts with \quad \times
        used += need + (times if line else 0.0)
        line.append(part)
    lines.append(line)
    return lines


def _product(lines: list[list[str]]) -> list[str]:
    """Rows of a product broken across lines: every row after the first starts with \\times."""
    return [(r"\quad \times " if n else "") + r" \times ".join(line) for n, line in enumerate(lines)]


class _Joined(NamedTuple):
    """A shortened chain's head (the same for every term of one t) or tail (one k), joined once."""

    symbols: str
    symbols_width: float
    numbers: str
    numbers_width: float


def _join(symbols: list[str], numbers: list[str]) -> _Joined:
    times = _WIDTH["times"] * (len(symbols) - 1)
    return _Joined(r" \times ".join(symbols), sum(map(_width, symbols)) + times,
                   r" \times ".join(numbers), sum(map(_width, numbers)) + times)


class _TermWriter:
    """Each term as rows of an align*: the product with symbols, with numbers, then the running sum."""

    def __init__(self, digits: int) -> None:
        self.digits = digits
        self.param = ""
        self.heads: dict[int, _Joined] = {}
        self.tails: dict[int, _Joined] = {}
        self.gaps: dict[int, tuple[str, float]] = {}  # ⋯ N factors ⋯ and its width, by N
        # after a term: why it is left out, or its weight (SPEC §9, methods_text.term_mark)
        self.mark_of = lambda item: r"\quad\text{(truncated: not added)}" if item.truncated else ""

    @staticmethod
    def _gap(hidden: int) -> tuple[str, float]:
        gap = _gap(hidden)
        return gap, _width(gap)

    def __call__(self, item: TermLine) -> str:
        where = rf"t = {item.t},\ k = {item.k}" if item.k is not None else f"t = {item.t}"
        value = latex_number(item.value, self.digits)
        if item.underflow:  # 0 with no zero factor: the product fell below the smallest double
            value += r"\ \text{(underflow: no factor is 0)}"
        mark = self.mark_of(item)
        rows = self._shortened(item, where, value, mark) if item.hidden else None
        if rows is None:
            rows = self._greedy(item, where, value, mark)
        return rows + rf"&\text{{running sum}} = {latex_number(item.running_sum, self.digits)} \\[6pt]" + "\n"

    def _shortened(self, item: TermLine, where: str, value: str, mark: str = "") -> str | None:
        """The common case on a long tape, laid out from the head's and tail's joined text: one or two
        rows each for symbols and numbers; None when even two rows would not fit."""
        if item.param != self.param:
            self.param, self.heads, self.tails = item.param, {}, {}
        head = self.heads.get(item.t)
        if head is None:
            head = self.heads[item.t] = _join(item.head_symbols, item.head_numbers)
        tail = self.tails.get(item.k)
        if tail is None:
            tail = self.tails[item.k] = _join(item.tail_symbols, item.tail_numbers)
        gap, gap_width = self.gaps.get(item.hidden) or self.gaps.setdefault(item.hidden, self._gap(item.hidden))
        times = _WIDTH["times"]
        first = head.symbols_width + times + gap_width
        if first + times + tail.symbols_width + 8 <= LINE_WIDTH:
            symbols = rf"{where}:\quad &\Bigl[{head.symbols} \times {gap} \times {tail.symbols}\Bigr] \\" + "\n"
        elif first <= LINE_WIDTH and 28 + tail.symbols_width <= LINE_WIDTH:
            symbols = (rf"{where}:\quad &\Bigl[{head.symbols} \times {gap} \\" + "\n"
                       + rf"&\quad \times {tail.symbols}\Bigr] \\" + "\n")
        else:
            return None
        first = head.numbers_width + times + gap_width + 10
        end = _number_width(value) + 10
        used = first + times + tail.numbers_width + end
        if used <= LINE_WIDTH:
            return symbols + rf"&= {head.numbers} \times {gap} \times {tail.numbers} = {value}" + _marked(mark, used)
        used = 20 + tail.numbers_width + end
        if first <= LINE_WIDTH and used <= LINE_WIDTH:
            return (symbols + rf"&= {head.numbers} \times {gap} \\" + "\n"
                    + rf"&\quad \times {tail.numbers} = {value}" + _marked(mark, used))
        return None

    @staticmethod
    def _greedy(item: TermLine, where: str, value: str, mark: str = "") -> str:
        """Any chain (a short one whole, or every factor): factors placed greedily, line by line."""
        parts = item.symbol_parts(_gap)
        symbols = _product(_lines(parts, list(map(_width, parts))))
        symbols[0] = r"\Bigl[" + symbols[0]
        symbols[-1] += r"\Bigr]"
        parts = item.number_parts(_gap)
        # the result placed as if it were one more factor (its width not memoised: it is new every term)
        lines = _lines(parts + [value], [*map(_width, parts), _number_width(value)])
        lines[-1].pop()
        numbers = _product([line for line in lines if line])
        equals = "=" if item.sign == "=" else r"\approx"
        if lines[-1]:
            numbers[-1] += f" {equals} {value}"
            used = (20.0 if len(lines) > 1 else 10.0) + sum(map(_width, lines[-1])) + _WIDTH["times"] * len(lines[-1])
        else:  # the result goes on a line of its own
            numbers.append(f"\\quad {equals} {value}")
            used = 20.0
        used += _number_width(value) + 10
        numbers[0] = "= " + numbers[0]
        rows = [rf"{where}:\quad &{symbols[0]} \\"] + [rf"&{row} \\" for row in symbols[1:]]
        rows += [rf"&{row} \\" for row in numbers[:-1]]
        return "\n".join(rows) + "\n&" + numbers[-1] + _marked(mark, used)


def _marked(mark: str, used: float) -> str:
    """The end of a term's value row: its mark (why it is left out, its weight) after the value when both fit
    the line, else the mark on a row of its own, its words wrapped (a long one is wider than any line)."""
    if not mark:
        return r" \\" + "\n"
    if used + mark_width(mark) <= LINE_WIDTH:
        return rf"{mark} \\" + "\n"
    words = mark.removeprefix(r"\quad")
    if words.startswith(_TEXT) and words.endswith("}") and words.count(_TEXT) == 1:
        words = rf"\parbox[t]{{{LINE_WIDTH - 40:.0f}pt}}{{\raggedright {words[len(_TEXT):-1]}}}"
    return r" \\" + "\n" + rf"&\quad {words} \\" + "\n"


_TEXT = "\\text{"


def mark_width(mark: str) -> float:
    """A mark's width in pt, estimated: about 5.2 pt a character of its words and numbers, 10 for the \\quad."""
    import re

    shown = re.sub(r"\\(?:quad|text|pi)\b|[{}$^]", "", mark)
    return 10.0 + 5.2 * len(shown)


def iter_latex(tape: Tape, digits: int = 6, full_chains: bool = False) -> Iterator[str]:
    """The document in chunks, each ending in a newline."""
    s = tape.scenario
    f = lambda v: latex_number(v, digits)  # noqa: E731
    op = lambda v: latex_operand(v, digits)  # noqa: E731
    f_name, g_name = _name(s.activation), _name(s.output_activation)
    head = [
        r"\documentclass{article}",
        r"\usepackage{amsmath}",
        r"\usepackage[margin=2cm]{geometry}",
        r"\allowdisplaybreaks",
        r"\exhyphenpenalty=10000",  # no line break after a minus sign in text: -0.5, 9.4e-05 stay whole
        r"\begin{document}",
        rf"\section*{{{latex_text(shown_line(s.name))}}}",
    ]
    if s.description:
        head += [latex_text(" ".join(shown(s.description).split())), ""]
    head.append(
        rf"$f = \mathrm{{{f_name}}}$, $g = \mathrm{{{g_name}}}$, "
        rf"loss {latex_text(s.loss)}, $T = {tape.T}$, $\eta = {f(s.learning_rate)}$"
        + (rf", truncate $K = {s.truncate}$" if s.truncate else "") + (rf", clip $C = {f(s.clip)}$" if s.clip else "")
        + ".")
    if not full_chains and tape.T + 2 > LIMIT:
        head += ["", rf"\emph{{A path of more than {LIMIT} factors shows its first three and last two, and how many "
                     r"are left out between them; \texttt{rnnstep trace --format latex --full-chains} writes every "
                     r"factor.}"]
    head += [r"\subsection*{Forward pass}", r"\begin{align*}"]
    yield "\n".join(head) + "\n"
    current, in_display = "forward", 0  # terms in the open display
    write_term = _TermWriter(digits)
    write_term.mark_of = lambda item: term_mark(tape, item.param, item.t, item.k, item.truncated, "latex", digits)
    for item in derivation(tape, "latex", digits, op, full_chains):
        if isinstance(item, TermLine):
            lead = ""
            if current != item.param:
                lead = (rf"L &= {f(tape.loss)}" + "\n") if current == "loss" else ""
                lead += (r"\end{align*}" + "\n" + rf"\subsection*{{\boldmath${_heading(item.param)}$, term by term}}" + "\n"
                         + r"\begin{align*}" + "\n")
                current, in_display = item.param, 0
            elif in_display == TERMS_PER_DISPLAY:
                lead, in_display = r"\end{align*}" + "\n" + r"\begin{align*}" + "\n", 0
            in_display += 1
            yield lead + write_term(item)
        elif isinstance(item, ForwardLine):
            t = item.t
            a, O = f(float(tape.a[t - 1])), f(float(tape.O[t - 1]))
            lead = ""
            if t > 1 and (t - 1) % TERMS_PER_DISPLAY == 0:
                lead = r"\end{align*}" + "\n" + r"\begin{align*}" + "\n"
            ts, prev = nt.sub(t, "latex"), nt.sub(t - 1, "latex")
            yield (lead + rf"a{ts} &= x{ts} w + O{prev} w' + b = {a}, & O{ts} &= \mathrm{{{f_name}}}(a{ts}) = {O} \\"
                   + "\n")
        elif isinstance(item, OutputLine):
            lead = ""
            if current != "loss":
                lead = r"\end{align*}" + "\n" + r"\subsection*{Output and loss}" + "\n" + r"\begin{align*}" + "\n"
                current, in_display = "loss", 0
            elif in_display == TERMS_PER_DISPLAY:
                lead, in_display = r"\end{align*}" + "\n" + r"\begin{align*}" + "\n", 0
            in_display += 1
            ts = nt.sub(item.t, "latex")
            numbers, again = nt.loss_substituted(s.loss, item.yhat, item.y, digits)
            sign = "=" if relation(again, item.loss, digits) == "=" else r"\approx"
            yield (lead + rf"z{ts} &= {f(item.z)}, & \hat{{y}}{ts} &= \mathrm{{{g_name}}}(z{ts}) = {f(item.yhat)}, \\"
                   + "\n" + rf"y{ts} &= {f(item.y)}, & \ell{ts} &= {_loss_tex(numbers)} {sign} {f(item.loss)} \\[6pt]"
                   + "\n")
        elif isinstance(item, Total):
            yield rf"\text{{total:}}\quad & {_heading(item.param)} = {f(item.value)}" + "\n"
        elif isinstance(item, UpdateLine):
            lead = ""
            if current != "update":
                lead = r"\end{align*}" + "\n" + r"\subsection*{Update}" + "\n" + r"\begin{align*}" + "\n"
                current = "update"
            p = nt.param(item.param, "latex")
            scale = tape.norm_clip.scale if tape.norm_clip is not None else None  # clip by norm (SPEC §9)
            numbers = nt.update_substituted(item.old, s.learning_rate, item.grad, item.clipped, item.new, s.clip,
                                            digits, f, scale)
            numbers = (numbers.replace("−", "-").replace("·", r" \cdot ").replace("clip(", r"\operatorname{clip}(")
                       .replace("±", r"\pm ").replace("≈", r"\approx"))
            # {p}_{new} as a group: w_{out} already carries a subscript
            yield lead + rf"{{{p}}}_{{\text{{new}}}} &= {numbers} {f(item.new)} \\" + "\n"
    yield r"\end{align*}" + "\n"
    yield from iter_method_sections(tape, digits, "latex")  # SPEC §9: chunks, coins, RTRL, clip by norm
    yield r"\end{document}" + "\n"


def _loss_tex(numbers: str) -> str:
    """ℓ with its numbers (notation.loss_substituted) as LaTeX: −[1·ln 0.631 + 0·ln 0.369] -> -[1 \\ln 0.631 + …]."""
    import re

    text = re.sub(r"(\d(?:\.\d+)?)e([+-]\d+)", lambda m: rf"{m[1]} \times 10^{{{int(m[2])}}}", numbers)
    for plain, tex in (("·ln ", r" \cdot \ln "), ("·", r" \cdot "), ("½", r"\tfrac{1}{2}"), ("²", "^2"), ("−", "-")):
        text = text.replace(plain, tex)
    return text


def _heading(param: str) -> str:
    """∂L/∂w′ on one line (a \\frac in a heading comes out tiny)."""
    return rf"\partial L/\partial {nt.param(param, 'latex')}"


def render_latex(tape: Tape, digits: int = 6, full_chains: bool = False) -> str:
    """The whole document as one string (small tapes and tests; long ones stream ``iter_latex``)."""
    return "".join(iter_latex(tape, digits, full_chains))
