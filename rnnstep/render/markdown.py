"""The derivation as Markdown: path products with symbols, numbers and running sums."""

from __future__ import annotations

from .. import notation as nt
from ..tape import Tape
from .derivation import ForwardLine, OutputLine, TermLine, Total, UpdateLine, derivation


def render_markdown(tape: Tape, digits: int = 6) -> str:
    s, f = tape.scenario, (lambda v: nt.fmt(v, digits))
    lines = [f"# {s.name}", ""]
    if s.description:
        lines += [" ".join(s.description.split()), ""]
    lines += [
        f"f = {s.activation}, g = {s.output_activation}, loss = {s.loss}, T = {tape.T}, "
        f"η = {f(s.learning_rate)}" + (f", truncate = {s.truncate}" if s.truncate else "")
        + (f", clip = {f(s.clip)}" if s.clip else ""),
        "",
        "Weights: " + ", ".join(f"{nt.param(p)} = {f(v)}" for p, v in s.weights().items()) + f", O₀ = {f(s.h0)}",
        "",
        "## Forward pass",
        "",
    ]
    current = None
    for item in derivation(tape, "unicode", digits):
        if isinstance(item, ForwardLine):
            lines.append(f"- {item.equation} = {item.substituted}")
        elif isinstance(item, OutputLine):
            if current != "loss":
                lines += ["", "## Output and loss", ""]
                current = "loss"
            sub = nt.sub(item.t)
            lines.append(f"- z{sub} = {f(item.z)}, ŷ{sub} = {s.output_activation}(z{sub}) = {f(item.yhat)}, "
                         f"y{sub} = {f(item.y)}, ℓ{sub} = {f(item.loss)}")
        elif isinstance(item, TermLine):
            if current != item.param:
                lines += [f"- **L = {f(tape.loss)}**"] if current == "loss" else []
                lines += ["", f"## {nt.gradient_symbol(item.param)}", ""]
                current = item.param
            where = f"t = {item.t}, k = {item.k}" if item.k is not None else f"t = {item.t}"
            mark = " — *truncated: not added*" if item.truncated else ""
            strike = "~~" if item.truncated else ""
            lines.append(f"- {where}: {strike}[{' × '.join(item.symbols)}]{strike}  ")
            lines.append(f"  = {' × '.join(item.numbers)} = **{f(item.value)}**{mark}  ")
            lines.append(f"  running sum = {f(item.running_sum)}")
        elif isinstance(item, Total):
            lines += ["", f"**{item.symbol} = {f(item.value)}**"]
        elif isinstance(item, UpdateLine):
            if current != "update":
                lines += ["", "## Update", ""]
                current = "update"
            p = nt.param(item.param)
            grad = f"clip({f(item.grad)}) = {f(item.clipped)}" if s.clip else f(item.grad)
            lines.append(f"- {p}_new = {p} − η·{nt.gradient_symbol(item.param)} = "
                         f"{f(item.old)} − {f(s.learning_rate)}·{grad} = **{f(item.new)}**")
    return "\n".join(lines) + "\n"
