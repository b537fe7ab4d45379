"""The trace as rich tables: forward pass, loss, terms with running sums, update."""

from __future__ import annotations

import math

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from .. import notation as nt
from ..ids import PARAMS
from ..tape import Tape


def _num(x: float, digits: int) -> Text:
    text = nt.fmt(x, digits)
    return Text(text, style="bold red" if not math.isfinite(x) else "")


def render_tables(tape: Tape, digits: int = 6, max_terms: int | None = None) -> Group:
    s = tape.scenario
    n = lambda x: _num(float(x), digits)  # noqa: E731
    parts: list = []
    header = Text(s.name, style="bold")
    if s.description:
        header.append("\n" + " ".join(s.description.split()), style="dim")
    parts.append(header)

    forward = Table(title="Forward pass  O_t = f(x_t·w + O_{t−1}·w′ + b)", title_justify="left")
    for col in ("t", "x_t", "a_t", "O_t", "f′(a_t)"):
        forward.add_column(col, justify="right")
    for t in range(1, tape.T + 1):
        forward.add_row(str(t), n(tape.x[t - 1]), n(tape.a[t - 1]), n(tape.O[t - 1]), n(tape.f_prime[t - 1]))
    parts.append(forward)

    outputs = Table(title=f"Output and loss ({s.output_activation}, {s.loss})", title_justify="left")
    for col in ("t", "z_t", "ŷ_t", "y_t", "ℓ_t"):
        outputs.add_column(col, justify="right")
    for i, t in enumerate(tape.targets):
        outputs.add_row(str(t), n(tape.z[i]), n(tape.yhat[i]), n(tape.y[i]), n(tape.losses[i]))
    outputs.caption = f"L = {nt.fmt(tape.loss, digits)}"
    parts.append(outputs)

    for param in PARAMS:
        table = tape.gradients[param]
        grid = Table(title=f"{nt.gradient_symbol(param)} term by term", title_justify="left")
        for col in ("t", "k", "path", "term", "running sum"):
            grid.add_column(col, justify="left" if col == "path" else "right")
        count = len(table) if max_terms is None else min(len(table), max_terms)
        for i in range(count):
            k = "" if table.k is None else str(int(table.k[i]))
            path = Text(nt.term_symbol(tape.factors(param, i)), style="strike dim" if table.truncated[i] else "")
            value = n(table.value[i])
            if table.truncated[i]:
                value.append(" (truncated)", style="dim")
            grid.add_row(str(int(table.t[i])), k, path, value, n(table.running_sum[i]))
        if count < len(table):
            grid.add_row("…", "", Text(f"{len(table) - count} more terms", style="dim"), "", "")
        grid.caption = f"{nt.gradient_symbol(param)} = {nt.fmt(table.total, digits)}"
        parts.append(grid)

    update = Table(title="Update  p_new = p − η·" + ("clip(∂L/∂p)" if s.clip else "∂L/∂p")
                   + f"   (η = {nt.fmt(s.learning_rate, digits)})", title_justify="left")
    for col in ("param", "old", "∂L/∂p", "new"):
        update.add_column(col, justify="right")
    for param, u in tape.updates.items():
        update.add_row(nt.param(param), n(u.old), n(u.grad), n(u.new))
    parts.append(update)
    if tape.nonfinite:
        parts.append(Text("⚠ some values overflowed to inf or nan (shown in red)", style="bold red"))
    return Group(*parts)


def print_tables(tape: Tape, console: Console, digits: int = 6) -> None:
    console.print(render_tables(tape, digits))
