"""The derivation as Markdown: path products with symbols, numbers and running sums.

Plain text with unicode symbols (∂L/∂ŷ × ∂ŷ/∂O₄), which GitHub and every other
renderer show as written; yielded line by line so a long tape streams.
"""

from __future__ import annotations

from typing import Iterator

from .. import notation as nt
from ..printed import relation
from ..tape import Tape
from .chains import LIMIT, gap_text
from .derivation import ForwardLine, OutputLine, TermLine, Total, UpdateLine, derivation
from .methods_text import iter_method_sections, term_mark
from .numbers import markdown_number, markdown_operand, markdown_text
from ..usertext import shown, shown_line


def iter_markdown(tape: Tape, digits: int = 6, full_chains: bool = False) -> Iterator[str]:
    """The document, one record (a line or a few) at a time, each ending in a newline."""
    s, f = tape.scenario, (lambda v: markdown_number(v, digits))
    yield f"# {shown_line(s.name)}\n\n"
    if s.description:
        yield " ".join(shown(s.description).split()) + "\n\n"
    yield (f"f = {s.activation}, g = {s.output_activation}, loss = {s.loss}, T = {tape.T}, "
           f"η = {f(s.learning_rate)}" + (f", truncate = {s.truncate}" if s.truncate else "")
           + (f", clip = {f(s.clip)}" if s.clip else "") + "\n\n")
    yield "Weights: " + ", ".join(f"{nt.param(p)} = {f(v)}" for p, v in s.weights().items()) + f", O₀ = {f(s.h0)}\n\n"
    if not full_chains and tape.T + 2 > LIMIT:
        yield (f"*A path of more than {LIMIT} factors shows the first and last few, with the number left out "
               "between them; `rnnstep trace --format markdown --full-chains` writes every factor.*\n\n")
    yield "## Forward pass\n\n"
    current = None
    number = lambda v: markdown_operand(v, digits)  # noqa: E731
    for item in derivation(tape, "unicode", digits, number, full_chains):
        if isinstance(item, TermLine):
            head = ""
            if current != item.param:
                head = f"- **L = {f(tape.loss)}**\n" if current == "loss" else ""
                head += f"\n## {nt.gradient_symbol(item.param)}\n\n"
                current = item.param
            where = f"t = {item.t}, k = {item.k}" if item.k is not None else f"t = {item.t}"
            mark = term_mark(tape, item.param, item.t, item.k, item.truncated, "markdown", digits)  # SPEC §9
            if item.underflow:
                mark += " — *underflow: no factor is 0; the product is below the smallest double*"
            strike = "~~" if item.truncated else ""
            yield (f"{head}- {where}: {strike}[{' × '.join(item.symbol_parts(gap_text))}]{strike}  \n"
                   f"  = {' × '.join(item.number_parts(gap_text))} {item.sign} **{f(item.value)}**{mark}  \n"
                   f"  running sum = {f(item.running_sum)}\n")
        elif isinstance(item, ForwardLine):
            yield f"- {item.equation} = {markdown_text(item.substituted)}\n"
        elif isinstance(item, OutputLine):
            head = ""
            if current != "loss":
                head = "\n## Output and loss\n\n"
                current = "loss"
            sub = nt.sub(item.t)
            numbers, again = nt.loss_substituted(s.loss, item.yhat, item.y, digits)
            sign = relation(again, item.loss, digits)
            yield (f"{head}- z{sub} = {f(item.z)}, ŷ{sub} = {s.output_activation}(z{sub}) = {f(item.yhat)}, "
                   f"y{sub} = {f(item.y)}, ℓ{sub} = {nt.subscripted(tape.loss_fn.value_formula, item.t)} = "
                   f"{markdown_text(numbers)} {sign} {f(item.loss)}\n")
        elif isinstance(item, Total):
            yield f"\n**{item.symbol} = {f(item.value)}**\n"
        elif isinstance(item, UpdateLine):
            head = ""
            if current != "update":
                head = "\n## Update\n\n"
                current = "update"
            p = nt.param(item.param)
            rule = f"clip({nt.gradient_symbol(item.param)})" if s.clip else nt.gradient_symbol(item.param)
            scale = tape.norm_clip.scale if tape.norm_clip is not None else None  # clip by norm (SPEC §9)
            numbers = nt.update_substituted(item.old, s.learning_rate, item.grad, item.clipped, item.new, s.clip,
                                            digits, f, scale)
            yield f"{head}- {p}_new = {p} − η·{rule} = {numbers} **{f(item.new)}**\n"
    yield from iter_method_sections(tape, digits, "markdown")  # SPEC §9: chunks, coins, RTRL, clip by norm


def render_markdown(tape: Tape, digits: int = 6, full_chains: bool = False) -> str:
    """The whole document as one string (small tapes and tests; long ones stream ``iter_markdown``)."""
    return "".join(iter_markdown(tape, digits, full_chains))
