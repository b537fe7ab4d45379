"""Running sums of a vector scenario: each gradient's progress, the current one's running-sum matrix
with the entries the current term changed marked (▸, underlined), and the t × k triangle.

The marks compare the running sum after the term with the one before, entry by entry:
an outer product δᵀ·inputᵀ leaves a row alone where δ_i = 0 (a dead unit) and a column
where input_j = 0 (O₀ = 0, a one-hot x), and a truncated term changes nothing.
"""

from __future__ import annotations

import numpy as np
from rich.text import Text

from ... import notation as nt
from ...numbers import fit
from ...printed import agrees, printed, printed_array
from .base import FUTURE, sum_ids, terms_to_come
from .matrix import MARK, Block, grid, hstack, scale_of
from .triangle import triangle
from .vector_step import SYMBOL


def changed_entries(table, i: int) -> np.ndarray:
    """Which entries of the running sum term ``i`` changed (before ≠ after; nan counts as changed)."""
    after = np.asarray(table.running_sum[i], dtype=float)
    before = np.asarray(table.running_sum[i - 1], dtype=float) if i > 0 else np.zeros_like(after)
    with np.errstate(invalid="ignore"):
        return before != after


def progress_line(view, param: str, width: int) -> Text:
    """∂L/∂W′  ‖Σ‖ 0.123  3/16 — or the count of terms to come."""
    tape = view.tape
    table = tape.gradients[param]
    start = tape.steps.phase_start(f"backward.{param}")
    done = max(0, min(view.cursor - start + 1, len(table)))
    active = view.step.kind == "term" and view.step.param == param
    out = Text(f"{'∂L/∂' + SYMBOL[param]:10}", style="bold" if active else "")
    if done == 0:  # "45150 terms to come" would wrap onto a line of its own
        return out.append(terms_to_come(tape, len(table), width - out.cell_len), style=FUTURE)
    count = Text(f" {done}/{len(table)}", style="dim")
    label = "‖Σ‖ "  # the running sum's norm, growing or (green) complete: one name for one kind of number
    room = width - out.cell_len - len(label) - count.cell_len
    if any(i in view.hidden for i in sum_ids(table, param, done - 1)):
        text = "?"
    else:
        with np.errstate(all="ignore"):
            norm = float(np.linalg.norm(np.asarray(table.running_sum[done - 1], dtype=float)))
        text = fit(norm, view.digits, max(1, room), compact=True) or ""
    if text:  # a norm with no room is left out with its label, not shown as a bare "‖Σ‖"
        out.append(label, style="dim")
        out.append(text, style="bold green" if done == len(table) else "bold")
    return out.append_text(count)


def sums_lines(view, width: int, height: int) -> list[Text]:
    """The running-sums panel of a vector scenario, as lines for a box of ``width`` × ``height``."""
    tape, step = view.tape, view.step
    out = [progress_line(view, p, width) for p in view.tape.params]
    if step.kind == "term":
        # the blank line above Σ after is the first to go when the box is short (a long drill feedback
        # takes rows): the whole grid before the gap (tryout-2: a 3×3 Σ shrank to one row and "rows 1–1 of 3")
        after = np.asarray(tape.gradients[step.param].running_sum[step.term])
        sum_rows = after.shape[0] if after.ndim else 1
        gap = [Text("")] if height - len(out) - 1 >= sum_rows + 2 else []
        out += gap + _current_sum(view, width, max(3, height - len(out) - len(gap)))
    elif step.kind == "update" or view.cursor == len(tape.steps) - 1:
        out += [Text(""), Text(f"update (η = {nt.fmt(tape.scenario.learning_rate, view.digits)})", style="bold")]
        start = tape.steps.phase_start("update")
        for i, (param, u) in enumerate(tape.updates.items()):
            reached = view.cursor >= start + i
            line = Text(f"  {SYMBOL[param]:6}", style="bold" if step.param == param else "")
            if not reached:
                out.append(line.append("·", style=FUTURE))
                continue
            with np.errstate(all="ignore"):
                moved = float(np.max(np.abs(np.asarray(u.new) - np.asarray(u.old))))
            line.append(" max |Δ| ", style="dim")
            line.append("?" if f"update.{param}.new" in view.hidden else
                        (fit(moved, view.digits, max(1, width - line.cell_len), compact=True) or ""))
            out.append(line)
        out += _totals(view, width, height - len(out))
    if len(out) > height:  # never cut silently: the last line says how many were left out
        more = f"⋮ {len(out) - height + 1} more lines"
        out = out[:height - 1] + [Text(more if len(more) <= width else "⋮", style="dim")]
    return out


def _totals(view, width: int, room: int) -> list[Text]:
    """The gradients themselves, ∂L/∂W′ … ∂L/∂b_out as grids, in the room below the update list (the
    norms above say how large; these are the numbers the update uses). Those that do not fit are counted."""
    tape = view.tape
    out: list[Text] = []
    left = []
    for param in tape.params:  # a gated cell's b′ too
        total = np.asarray(tape.gradients[param].total, dtype=float)
        rows = total.shape[0] if total.ndim else 1
        hidden = f"gradients.{param}.total" in view.hidden
        label = Text(f"∂L/∂{SYMBOL[param]} =", style="bold green")
        if label.cell_len > width:
            left.append(param)
            continue
        avail = room - len(out) - 2 - (param != tape.params[-1])  # a blank, the label; a line for what is left
        if avail < min(rows, 3) or left:  # a tall one shows a window of its rows (⇧↓ moves it), at least three
            left.append(param)
            continue
        out += [Text(""), label] + grid(total, view.digits, width=width, height=min(rows, avail), hidden=hidden)
    if left:
        more = f"⋮ {len(left)} more total{'s' if len(left) > 1 else ''}"
        out.append(Text(next((m for m in (more + " (at their update steps)", more, "⋮") if len(m) <= width), ""),
                        style="dim"))
    return out if len(out) <= room else []


def _current_sum(view, width: int, height: int) -> list[Text]:
    tape, step = view.tape, view.step
    param, i = step.param, step.term
    table = tape.gradients[param]
    where = f"[{step.t},{step.k}]" if step.k is not None else f"[{step.t}]"
    hidden = any(x in view.hidden for x in sum_ids(table, param, i))
    after = np.asarray(table.running_sum[i], dtype=float)
    marks = changed_entries(table, i)
    every_step = not tape.single_target and table.k is not None  # a term per (t, k): b′ of a gated cell too
    shape = after.shape if after.ndim == 2 else (after.size, 1)
    grid_rows = shape[0] + 1
    triangle_rows = 0
    if every_step:
        spare = height - grid_rows - 3
        least = min(tape.T + 5, 12)
        if spare < least and height - 3 - least >= 5:  # a tall Σ (n = 32) gives rows to the triangle: its
            spare = least  # grid shows a window of them (⇧↓ moves it), the triangle stays on screen
        triangle_rows = min(spare, tape.T + 5) if spare >= 6 else 0  # T rows, 4 lines around, 1 for a window
    rows = max(2, height - 2 - triangle_rows - (1 if triangle_rows else 0))
    keep_note = True
    if not triangle_rows and rows < shape[0] <= height - 1:  # the whole grid before the "changed" count
        rows, keep_note = height - 1, False
    label = Text(f"Σ after {where}", style="bold")
    marked = int(marks.sum())
    note = Text(f"{MARK} changed: {marked} of {marks.size}" if not table.truncated[i] else "truncated: unchanged",
                style="dim" if not table.truncated[i] else "yellow")
    before = np.asarray(table.running_sum[i - 1], dtype=float) if i > 0 else np.zeros_like(after)
    scale = scale_of(before, after)
    after_grid = grid(after, view.digits, width=width, height=rows, marks=marks, hidden=hidden, scale=scale)
    lines = None
    room = height - keep_note - (triangle_rows + 1 if triangle_rows else 0)  # the note and the triangle below
    if Block(after_grid).width + 2 <= width:  # Σ before + term = Σ after: side by side, or one under another
        term = np.asarray(table.value[i], dtype=float)
        inner = width - 2  # one under another, each behind its operator (+, =)
        before_block = Block(grid(before, view.digits, width=inner, height=rows, scale=scale, hidden=hidden and i > 0),
                             Text("Σ before", style="dim"))
        term_block = Block(grid(term, view.digits, width=inner, height=rows, hidden=hidden, marks=marks),
                           Text(f"term{where}", style="bold"))
        after_block = Block(grid(after, view.digits, width=inner, height=rows, marks=marks, hidden=hidden, scale=scale),
                            label)
        weight = 1.0 if table.weight is None else float(table.weight[i])  # randomized truncation adds weight·term
        again = printed_array(before, view.digits) + printed(weight, view.digits) * printed_array(term, view.digits)
        sign = "=" if hidden or agrees(again, after, view.digits) else "≈"  # ≈: the printed numbers miss a digit
        stacked = hstack([before_block, "+", term_block, sign, after_block], width)
        if len(stacked) <= room and all(x.cell_len <= width for x in stacked):
            lines = stacked
    if lines is None:
        lines = [label] + after_grid
    if keep_note:
        lines.append(note)
    if triangle_rows:
        start = tape.steps.phase_start(f"backward.{param}")
        lines += [Text("")] + triangle(tape, param, i, width, triangle_rows, view.digits,
                                       reached=view.cursor - start + 1, split=view.triangle_split)
    return lines
