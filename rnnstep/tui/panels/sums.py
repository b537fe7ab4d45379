"""Running sums: every gradient's partial sum so far, the current one term by term, then the update.

Fitted to the width: a line drops its least important part (the term count,
then the Σ column) before a number would be cut.
"""

from __future__ import annotations

from rich.text import Text

from ... import notation as nt
from ...ids import PARAMS
from ...underflow import underflowed
from .base import FUTURE, TRUNCATED, View, page_start, phase_start, sum_ids, term_where, terms_to_come


def sums_panel(view: View, width: int = 40, height: int = 20) -> Text:
    """Per parameter: terms so far, the running partial sum; the current parameter expanded."""
    tape, step = view.tape, view.step
    active = step.param if step.kind == "term" else None
    show_update = step.kind == "update" or view.cursor == len(tape.steps) - 1
    expand_rows = max(3, height - len(PARAMS) - (len(PARAMS) + 2 if show_update else 0) - 1)
    out = Text(no_wrap=True, overflow="crop")
    for param in PARAMS:
        table = tape.gradients[param]
        done = max(0, min(view.cursor - phase_start(view, f"backward.{param}") + 1, len(table)))  # terms revealed
        count = len(table)
        symbol = nt.gradient_symbol(param)
        head = Text(f"{symbol:10}", style="bold" if param == active else "")
        if done == 0:
            more = " " + terms_to_come(tape, count, width - head.cell_len - 1)
            head.append(more if head.cell_len + len(more) <= width else " ·", style=FUTURE)
        else:
            label = " = " if done == count else (" Σ so far " if width >= 40 else " Σ ")
            head.append(label)
            value = view.num(float(table.running_sum[done - 1]), sum_ids(table, param, done - 1),
                             "bold green" if done == count else "bold", width=width - head.cell_len)
            head.append_text(value)
            tally = f"  ({done}/{count})"
            if head.cell_len + len(tally) <= width:
                head.append(tally, style="dim")
        out.append_text(head)
        out.append("\n")
        if param == active:
            _term_rows(view, out, param, step.term, expand_rows, width)
    if show_update:
        used = len(out.plain.splitlines())
        updates = list(tape.updates.items())
        gap = "\n" if used + 2 + len(updates) <= height else ""  # the blank line goes before an update row does
        out.append(gap + "update (η = " + nt.fmt(tape.scenario.learning_rate, view.digits) + ")\n", style="bold")
        room = max(1, height - used - 1 - len(gap))
        start = phase_start(view, "update")
        current = min(max(0, view.cursor - start), len(updates) - 1)
        lo, hi, together = window(current, room, len(updates))
        if together:
            out.append(f"   ⋮ {len(updates) - (hi - lo)} others\n", style="dim")
        elif lo:
            out.append(f"   ⋮ {lo} above\n", style="dim")
        for i, (param, u) in enumerate(updates[lo:hi], start=lo):
            reached = view.computed(start + i)
            row = Text(f"  {nt.param(param):6} ", style="bold" if step.kind == "update" and i == current else "")
            old = view.num(u.old, None, width=max(1, (width - row.cell_len - 3) // 2))
            row.append_text(old)
            row.append(" → ")
            row.append_text(view.num(u.new, f"update.{param}.new", "bold", width=max(1, width - row.cell_len))
                            if reached else Text("·", style=FUTURE))
            out.append_text(row)
            out.append("\n")
        if hi < len(updates) and not together:
            out.append(f"   ⋮ {len(updates) - hi} more\n", style="dim")
    return out


def window(current: int, room: int, n: int) -> tuple[int, int, bool]:
    """(lo, hi, together): rows lo … hi − 1 of ``n`` in ``room`` lines holding ``current``, a line each
    for "⋮ above" and "⋮ more" where rows are left out (one line for both when there is no room)."""
    if n <= room:
        return 0, n, False
    for shown in range(room, 0, -1):
        lo = max(0, min(current - shown // 2, n - shown))
        if shown + (lo > 0) + (lo + shown < n) <= room:
            return lo, lo + shown, False
    shown = max(1, room - 1)
    lo = max(0, min(current, n - shown))
    return lo, lo + shown, True


def _term_rows(view: View, out: Text, param: str, current: int, rows: int, width: int) -> None:
    table = view.tape.gradients[param]
    n = len(table)
    weighted = table.weight is not None  # randomized truncation: the running sum adds weight·term (SPEC §9)
    rows = max(1, rows - 2 - weighted)  # room for the "⋮ earlier" and "⋮ more" lines (and the column's name)
    lo = page_start(current, rows, n)
    hi = min(n, lo + rows)
    where_w = len(str(view.tape.T)) * (2 if table.k is not None else 1) + (3 if table.k is not None else 2)
    value_w = view.digits + 7
    with_sum = 3 + where_w + 1 + value_w + 3 + value_w <= width  # else the Σ column gives way
    value_w = min(value_w, max(1, width - 3 - where_w - 1))
    if weighted:  # the column shows what the running sum adds: each Σ is the one above plus it
        out.append(" " * (3 + where_w + 1) + f"{'weight·term':>{value_w}}"[-value_w:]
                   + (" Σ" if with_sum else "") + "\n", style="dim")
    if lo > 0:
        out.append(f"   ⋮ {lo} earlier\n", style="dim")
    for i in range(lo, hi):
        where = term_where(table, i)
        cut = bool(table.truncated[i])  # left out of the sum (truncated, or dropped by a coin)
        marker = "▶ " if i == current else (("✗ " if cut else "✓ ") if i < current else "  ")
        style = "" if i <= current else FUTURE
        out.append(f" {marker}{where:{where_w}} ", style="bold" if i == current else style)
        if i > current:
            out.append("·\n", style=FUTURE)
            continue
        shown, ids = float(table.value[i]), f"gradients.{param}.term{where}"
        if weighted and not cut and table.weight[i] != 1.0:  # weight·term, as the running sum adds it
            shown, ids = float(table.weight[i]) * shown, (ids, f"gradients.{param}.weight{where}")
        if weighted and cut:  # a dropped term adds 0·term: the 0 shown, the term struck beside it
            value = Text("0·")
            value.append_text(view.num(shown, ids, TRUNCATED, width=max(1, value_w - 2)))
        else:
            value = view.num(shown, ids, TRUNCATED if cut else "", width=value_w)
        if value.plain == "?":
            value.stylize("bold cyan")
        elif value.plain == "0" and underflowed(view.tape, param, i):  # not a zero factor: the double ran out
            value = Text("underflow 0" if value_w >= 11 else "⇣0", style="yellow")
        out.append(" " * max(0, value_w - len(value.plain)))  # right-aligned: signs and magnitudes line up
        out.append_text(value)
        if cut and not weighted:
            if 3 + where_w + 1 + value_w + 4 <= width:  # the word when it fits; the strike-through says it anyway
                out.append(" cut", style="dim")
        elif with_sum:
            out.append(" Σ ", style="dim")
            out.append_text(view.num(float(table.running_sum[i]), sum_ids(table, param, i)))
        out.append("\n")
    if hi < n:
        out.append(f"   ⋮ {n - hi} more\n", style="dim")
