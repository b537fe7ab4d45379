"""What every panel shares: the View over a tape cursor, the styles, small layout helpers."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from rich.text import Text

from ... import notation as nt
from ...ids import PARAMS
from ...numbers import fit
from ...tape import Step, Tape

# styles (Textual themes remap the named colours for light and dark terminals)
CURRENT = "bold reverse"
PATH = "bold yellow"
USE = "bold magenta"
FUTURE = "dim"
BAD = "bold white on red"
TRUNCATED = "strike dim"

PHASE_LABEL = {
    "forward": "forward pass",
    "loss": "output and loss",
    "update": "update",
    **{f"backward.{p}": f"backward {nt.gradient_symbol(p)}" for p in PARAMS},
}


def phase_label(phase: str, vector: bool = False) -> str:
    """"backward ∂L/∂w′" (∂L/∂W′ on a vector scenario, whose weights are matrices)."""
    if vector and phase.startswith("backward."):
        return f"backward {nt.gradient_symbol(phase.split('.', 1)[1], vector=True)}"
    return PHASE_LABEL[phase]


@dataclass
class View:
    """What the panels need: the tape, where the cursor is, and which values to hide (drills)."""

    tape: Tape
    cursor: int = 0
    digits: int = 6
    hidden: set[str] = field(default_factory=set)  # value ids shown as "?" (the drill's question)
    notes: dict[int, list[str]] = field(default_factory=dict)  # teaching notes by step index
    claims: dict[int, list] = field(default_factory=dict)  # verify.ClaimResult by step index
    factor_offset: int = 0  # the first factor row shown when a term's factors do not all fit
    grid_row: int = 0  # the first row a matrix too tall for its box shows (the debugger's ⇧↓ ⇧↑)
    flow_paged: bool = False  # the chart shows a page of single paths, not every path in bands (the debugger's v)
    more_key: str | None = None  # the key that shows a note cut for room whole (the debugger's "m"), if any
    update_key: str | None = None  # the key that applies the update (the debugger's "u"); none in a drill
    cache: dict = field(default_factory=dict, repr=False)  # layout facts computed once per tape
    triangle_split: str = "whole"  # the t×k triangle shades whole terms, or a gated cell's carry or rest (t)

    @property
    def step(self) -> Step:
        return self.tape.steps[self.cursor]

    def computed(self, index: int) -> bool:
        """Has the step at ``index`` been reached (so its values can be shown)?"""
        return index <= self.cursor

    def num(self, value: float, vid: str | tuple[str, ...] | None = None, style: str = "",
            width: int | None = None) -> Text:
        """A value as text (whole, or rounded to fit ``width``, or empty), or "?" if it is hidden.

        ``vid`` lists the ids the value gives away: if any is hidden, the value is too.
        """
        ids = (vid,) if isinstance(vid, str) else (vid or ())
        if any(i in self.hidden for i in ids):
            return Text("?", style="bold cyan")
        text = fit(float(value), self.digits, width)
        return Text(text or "", style=BAD if not math.isfinite(float(value)) else style)


def phase_start(view: View, phase: str) -> int:
    return view.tape.steps.phase_start(phase)


def page_start(index: int, size: int, count: int) -> int:
    """First item of the page of ``size`` items holding ``index`` (0-based), the last page kept full."""
    return max(0, min((index // size) * size, count - size))


def term_where(table, i: int) -> str:
    """[t,k] of term ``i`` of a TermTable (a path back through time), or [t] (an output weight's)."""
    return f"[{int(table.t[i])},{int(table.k[i])}]" if table.k is not None else f"[{int(table.t[i])}]"


def sum_ids(table, param: str, i: int) -> tuple[str, ...]:
    """The ids a running sum gives away: itself, its term, and the total if it is the last."""
    where = term_where(table, i)
    ids = (f"gradients.{param}.running_sum{where}", f"gradients.{param}.term{where}")
    return ids + ((f"gradients.{param}.total",) if i == len(table) - 1 else ())


def terms_to_come(tape: Tape, count: int, room: int) -> str:
    """"4 terms to come", or "4 to come" on every line when the longest ("45150 terms to come") would not fit
    ``room``: "10 to come" beside "4 terms to come" would read as two different things."""
    longest = max(len(f"{len(table)} terms to come") for table in tape.gradients.values())
    if longest > room:
        return f"{count} to come"
    return f"{count} term{'s' if count != 1 else ''} to come"


def line(*parts: str | Text) -> Text:
    out = Text()
    for part in parts:
        out.append_text(part if isinstance(part, Text) else Text(part))
    return out


def pad(text: str | Text, width: int, right: bool = False) -> Text:
    """``text`` padded to ``width`` (never cut: callers make it fit first)."""
    text = Text(text) if isinstance(text, str) else text.copy()
    gap = " " * max(0, width - text.cell_len)
    return Text.assemble(gap, text) if right else Text.assemble(text, gap)


def sparkline(values: list[float]) -> str:
    """▁▂▃▅▇ for a short series (non-finite values as ·)."""
    finite = [v for v in values if math.isfinite(v)]
    if not finite:
        return "·" * len(values)
    lo, hi = min(finite), max(finite)
    bars = "▁▂▃▄▅▆▇█"
    return "".join("·" if not math.isfinite(v) else bars[0 if hi == lo else round((v - lo) / (hi - lo) * 7)]
                   for v in values)
