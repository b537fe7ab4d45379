"""The status line: step i of N, the phases (● on a phase with a breakpoint), the loss, the epoch."""

from __future__ import annotations

from rich.text import Text

from ... import notation as nt
from .base import View, sparkline


def phase_label(name: str, vector: bool = False) -> str:
    """fwd, ∂L/∂w′ … (∂L/∂W′ on a vector scenario, as its panels name the matrices)."""
    return ({"forward": "fwd", "loss": "loss", "update": "upd"}.get(name)
            or nt.gradient_symbol(name.split(".")[1], vector=vector))


def status_line(view: View, breakpoints: set[int], epoch: int, loss_history: list[float], claims_wrong: int,
                message: str | tuple[str, ...] = (), width: int = 200) -> Text:
    """The status line for ``width``; ``message`` is one text or alternatives, longest first (the first that fits)."""
    tape, cursor = view.tape, view.cursor
    steps = tape.steps
    status = Text(no_wrap=True, overflow="crop")
    status.append(f" step {cursor + 1}/{len(steps)} ", style="bold reverse")
    phases = _phases(view, breakpoints)
    alternatives = (message,) if isinstance(message, str) else tuple(message)
    room = width - status.cell_len - phases.cell_len - 3
    message = next((m for m in alternatives if len(m) <= room), "")
    if not message and alternatives:  # without the phases, then
        room = width - status.cell_len - len(phase_label(steps[cursor].phase, tape.vector)) - 4
        message = next((m for m in alternatives if len(m) <= room), "")
    if message and status.cell_len + phases.cell_len + 3 + len(message) > width:
        phases = Text(" " + phase_label(steps[cursor].phase, tape.vector), style="bold underline")  # the message comes first
    status.append_text(phases)
    if message and status.cell_len + 3 + len(message) <= width:
        status.append(f"   {message}", style="bold yellow")
    elif cursor in breakpoints:
        status.append("   ● breakpoint here", style="bold red")
    if tape.nonfinite:
        status.append("   ⚠ overflow: inf/nan on this tape", style="bold white on red")
    if view.claims:
        status.append(f"   claims: {claims_wrong} wrong" if claims_wrong else "   claims: all right",
                      style="bold red" if claims_wrong else "green")
    tail = Text(f"   L = {nt.fmt(tape.loss, view.digits)}  epoch {epoch}", style="dim")
    if len(loss_history) > 1:
        tail.append("  L by epoch ", style="dim")
        tail.append(sparkline(loss_history[-24:]), style="bold cyan")
    if status.cell_len + tail.cell_len <= width:  # whole or not at all
        status.append_text(tail)
    return status


def _phases(view: View, breakpoints: set[int]) -> Text:
    cursor, status = view.cursor, Text()
    for name, lo, hi in view.tape.steps.phase_bounds():
        here = lo <= cursor < hi
        if any(lo <= b < hi for b in breakpoints):  # before the label: "●∂L/∂w" reads as one phase
            status.append(" ●", style="red")
        else:
            status.append(" ")
        status.append(phase_label(name, view.tape.vector), style="bold underline" if here else ("" if cursor >= hi else "dim"))
    return status
