"""The status line: step i of N, the phases (● on a phase with a breakpoint), the loss, the epoch.

Fitted to the width by dropping whole parts, least useful first, never by cutting one:
the sparkline, then the words "here" and "epoch", then the phases shorten (∂w′ for
∂L/∂w′), then L, then the phases shrink to the current one, and so on.
"""

from __future__ import annotations

from functools import lru_cache

from rich.cells import cell_len
from rich.text import Text

from ... import notation as nt
from .base import View, sparkline


@lru_cache(maxsize=64)
def phase_label(name: str, vector: bool = False) -> str:
    """fwd, ∂L/∂w′ … (∂L/∂W′ on a vector scenario, as its panels name the matrices)."""
    return ({"forward": "fwd", "loss": "loss", "update": "upd"}.get(name)
            or nt.gradient_symbol(name.split(".")[1], vector=vector))


@lru_cache(maxsize=64)
def _short_label(name: str, vector: bool = False) -> str:
    """∂w′ for ∂L/∂w′: the phases in less room."""
    label = phase_label(name, vector)
    return label.replace("∂L/∂", "∂", 1) if name.startswith("backward.") else label


#: which part gives way first when the line is too wide (each entry: that part's next, shorter form);
#: then a message's shorter alternatives, then the current phase, the message, the overflow flag
_GIVE_WAY = ("spark", "mark", "epoch", "phases", "chunk", "loss", "claims", "claims", "phases", "mark", "chunk", "overflow")


def _chunk_forms(tape, step) -> list[tuple[str, object]]:
    """"chunk 2 of 3 (steps 5–8)", shorter, or nothing: TBPTT's chunk of the current step's t."""
    if tape.scenario.method != "tbptt" or (step.t is None and step.chunk is None):
        return [("", "")]
    from ...methods.tbptt import chunk_of

    c, first, last, _ = chunk_of(tape.scenario, step.t if step.chunk is None else (step.chunk - 1) * tape.scenario.k1 + 1)
    count = -(-tape.T // tape.scenario.k1)
    return [(f"  chunk {c} of {count} (steps {first}–{last})", "yellow"), (f"  chunk {c}/{count}", "yellow"), ("", "")]


def _claims_forms(view: View, claims_wrong: int, epoch: int) -> list[tuple[str, object]]:
    """"claims: 2 wrong", "claims: all right (1 within rounding)", or, past epoch 0, that they are epoch 0's."""
    if not view.claims:
        if epoch > 0 and view.tape.scenario.claims:  # the claims are about epoch 0's tape: not judged here
            return [("  claims: epoch 0's (U goes back)", "dim"), ("  claims: epoch 0's", "dim"), ("", "")]
        return [("", "")]
    if claims_wrong:
        return [(f"  claims: {claims_wrong} wrong", "bold red"), ("", "")]
    rounding = sum(r.verdict == "rounding" for results in view.claims.values() for r in results)
    if rounding:
        return [(f"  claims: all right ({rounding} within rounding)", "green"), (f"  claims: all right ({rounding} ≈)", "green"),
                ("", "")]
    return [("  claims: all right", "green"), ("", "")]


def status_line(view: View, breakpoints: set[int], epoch: int, loss_history: list[float], claims_wrong: int,
                message: str | tuple[str, ...] = (), width: int = 200) -> Text:
    """The status line for ``width``; ``message`` is one text or alternatives, longest first (the first that fits)."""
    tape, cursor = view.tape, view.cursor
    steps = tape.steps
    alternatives = (message,) if isinstance(message, str) else tuple(message)
    near = getattr(steps, "phase_bounds_near", None)  # a TBPTT tape: the phases of the cursor's chunk
    bounds = near(cursor) if near is not None else steps.phase_bounds()
    loss_step = next(hi - 1 for name, _, hi in bounds if name == "loss")
    here = steps[cursor].phase
    # each part's forms, richest first, as (text, style); "" is the part left out. Measured as plain text,
    # made into Rich Text only once chosen (this runs at every step)
    full, short = (_phases_plain(bounds, breakpoints, label, tape.vector) for label in (phase_label, _short_label))
    forms: dict[str, list[tuple[str, object]]] = {
        "phases": [(full, phase_label), (short, _short_label),
                   (" " + phase_label(here, tape.vector), "bold underline"), ("", "")],
        "message": [(f"  {m}", "bold yellow") for m in alternatives] + [("", "")],
        "mark": ([("  ● breakpoint here", "bold red"), ("  ● breakpoint", "bold red"), ("", "")]
                 if cursor in breakpoints and not alternatives else [("", "")]),
        "overflow": ([("  ⚠ overflow: inf/nan on this tape", "bold white on red"),
                      ("  ⚠ overflow", "bold white on red"), ("", "")] if tape.nonfinite else [("", "")]),
        "claims": _claims_forms(view, claims_wrong, epoch),
        # L: its room is kept from the start, so the line does not change shape when it appears
        "loss": ([(f"  L = {nt.fmt(tape.loss, view.digits)}", "dim"), ("", "")] if near is None else
                 [(f"  chunk L = {nt.fmt(tape.chunk_loss_at(cursor), view.digits)}", "dim"), ("", "")]),
        "epoch": [(f"  epoch {epoch}", "dim"), ("", "")],
        "chunk": _chunk_forms(tape, steps[cursor]),  # TBPTT (SPEC §9): which chunk this step's t falls in
        "spark": ([("  L by epoch " + sparkline(loss_history[-24:]), "spark"), ("", "")]
                  if len(loss_history) > 1 else [("", "")]),
    }
    head = Text(f" step {cursor + 1}/{len(steps)} ", style="bold reverse")
    order = ("phases", "message", "mark", "overflow", "claims", "chunk", "loss", "epoch", "spark")
    chosen = dict.fromkeys(order, 0)
    cells = {p: [cell_len(text) for text, _ in forms[p]] for p in order}  # measured once: the loop only adds

    def length() -> int:
        return head.cell_len + sum(cells[p][chosen[p]] for p in order)

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
            text, style = forms[part][chosen[part]]
            if not text:
                continue
            # not yet: the forward pass has not reached L (with one target, its ℓ_T, one step before, is L)
            if part == "loss" and (cursor < loss_step - (1 if view.tape.single_target else 0)
                                   or any(i in view.hidden for i in ("loss", f"outputs.loss[{tape.T}]"))):
                status.append("  L = ·" if near is None else "  chunk L = ·", style="dim")
            elif part == "phases" and callable(style):
                status.append_text(_phases(view, bounds, breakpoints, style))
            elif style == "spark":
                status.append("  L by epoch ", style="dim")
                status.append(text[len("  L by epoch "):], style="bold cyan")
            else:
                status.append(text, style=style)  # type: ignore[arg-type]
    status.rstrip()
    return status


def _phases_plain(bounds: list[tuple[str, int, int]], breakpoints: set[int], label, vector: bool) -> str:
    """What ``_phases`` writes, as plain text (to measure it)."""
    return "".join((" ●" if any(lo <= b < hi for b in breakpoints) else " ") + label(name, vector)
                   for name, lo, hi in bounds)


def _phases(view: View, bounds: list[tuple[str, int, int]], breakpoints: set[int], label) -> Text:
    cursor, status = view.cursor, Text()
    for name, lo, hi in bounds:
        here = lo <= cursor < hi
        if any(lo <= b < hi for b in breakpoints):  # before the label: "●∂L/∂w" reads as one phase
            status.append(" ●", style="red")
        else:
            status.append(" ")
        status.append(label(name, view.tape.vector), style="bold underline" if here else ("" if cursor >= hi else "dim"))
    return status
