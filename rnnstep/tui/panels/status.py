"""The status line: step i of N, the phases (● on a phase with a breakpoint), the loss, the epoch.

Fitted to the width by dropping whole parts, least useful first, never by cutting one:
the sparkline, then the words "here" and "epoch", then the phases shorten (∂w′ for
∂L/∂w′), then L, then the phases shrink to the current one, and so on.
"""

from __future__ import annotations

from rich.text import Text

from ... import notation as nt
from .base import View, sparkline


def phase_label(name: str, vector: bool = False) -> str:
    """fwd, ∂L/∂w′ … (∂L/∂W′ on a vector scenario, as its panels name the matrices)."""
    return ({"forward": "fwd", "loss": "loss", "update": "upd"}.get(name)
            or nt.gradient_symbol(name.split(".")[1], vector=vector))


def _short_label(name: str, vector: bool = False) -> str:
    """∂w′ for ∂L/∂w′: the phases in less room."""
    label = phase_label(name, vector)
    return label.replace("∂L/∂", "∂", 1) if name.startswith("backward.") else label


#: which part gives way first when the line is too wide (each entry: that part's next, shorter form);
#: then a message's shorter alternatives, then the current phase, the message, the overflow flag
_GIVE_WAY = ("spark", "mark", "epoch", "phases", "loss", "claims", "phases", "mark", "overflow")


def status_line(view: View, breakpoints: set[int], epoch: int, loss_history: list[float], claims_wrong: int,
                message: str | tuple[str, ...] = (), width: int = 200) -> Text:
    """The status line for ``width``; ``message`` is one text or alternatives, longest first (the first that fits)."""
    tape, cursor = view.tape, view.cursor
    steps = tape.steps
    alternatives = (message,) if isinstance(message, str) else tuple(message)
    loss_step = next(hi - 1 for name, _, hi in steps.phase_bounds() if name == "loss")
    here = steps[cursor].phase
    # each part's forms, richest first; "" is the part left out
    forms: dict[str, list[Text]] = {
        "phases": [_phases(view, breakpoints, phase_label), _phases(view, breakpoints, _short_label),
                   Text(" " + phase_label(here, tape.vector), style="bold underline"), Text()],
        "message": [Text(f"  {m}", style="bold yellow") for m in alternatives] + [Text()],
        "mark": ([Text("  ● breakpoint here", style="bold red"), Text("  ● breakpoint", style="bold red"), Text()]
                 if cursor in breakpoints and not alternatives else [Text()]),
        "overflow": ([Text("  ⚠ overflow: inf/nan on this tape", style="bold white on red"),
                      Text("  ⚠ overflow", style="bold white on red"), Text()] if tape.nonfinite else [Text()]),
        "claims": ([Text(f"  claims: {claims_wrong} wrong" if claims_wrong else "  claims: all right",
                         style="bold red" if claims_wrong else "green"), Text()] if view.claims else [Text()]),
        # L: its room is kept from the start, so the line does not change shape when it appears
        "loss": [Text(f"  L = {nt.fmt(tape.loss, view.digits)}", style="dim"), Text()],
        "epoch": [Text(f"  epoch {epoch}", style="dim"), Text()],
        "spark": ([Text.assemble(("  L by epoch ", "dim"), (sparkline(loss_history[-24:]), "bold cyan")), Text()]
                  if len(loss_history) > 1 else [Text()]),
    }
    head = Text(f" step {cursor + 1}/{len(steps)} ", style="bold reverse")
    order = ("phases", "message", "mark", "overflow", "claims", "loss", "epoch", "spark")
    chosen = dict.fromkeys(order, 0)

    def length() -> int:
        return head.cell_len + sum(forms[p][chosen[p]].cell_len for p in order)

    given_way = []
    for part in (*_GIVE_WAY, *["message"] * (len(alternatives) - 1), "phases", "message", "overflow"):
        if length() <= width:
            break
        if chosen[part] < len(forms[part]) - 1:
            chosen[part] += 1
            given_way.append(part)
    for part in reversed(given_way):  # take back what the later steps made room for ("epoch" after short phases)
        chosen[part] -= 1
        if length() > width:
            chosen[part] += 1
    status = Text(no_wrap=True, overflow="crop")
    status.append_text(head)
    if length() <= width:
        for part in order:
            form = forms[part][chosen[part]]
            if part == "loss" and form and cursor < loss_step:  # not yet: the forward pass has not reached L
                form = Text("  L = ·", style="dim")
            status.append_text(form)
    status.rstrip()
    return status


def _phases(view: View, breakpoints: set[int], label) -> Text:
    cursor, status = view.cursor, Text()
    for name, lo, hi in view.tape.steps.phase_bounds():
        here = lo <= cursor < hi
        if any(lo <= b < hi for b in breakpoints):  # before the label: "●∂L/∂w" reads as one phase
            status.append(" ●", style="red")
        else:
            status.append(" ")
        status.append(label(name, view.tape.vector), style="bold underline" if here else ("" if cursor >= hi else "dim"))
    return status
