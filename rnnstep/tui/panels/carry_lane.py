"""The LSTM's second state lane in the unrolled network: c₀ →f→ c₁ →f→ … above O₀ → O₁ → … (SPEC §8).

The lane is laid under the strip's own O line: each c_t stands in the column of its O_t,
so it follows the strip's window, its TBPTT marks and its counts of steps off-screen
without knowing how they were drawn (a TBPTT chunk boundary ┃ cuts the c lane too). On a
backward term [t,k] the carry lane from c_k to c_t is lit (the route of the term's carry share, ∏ f_j), and on a forward step c_t.
"""

from __future__ import annotations

import re

from rich.text import Text

from ... import notation as nt

CURRENT = "bold reverse"
CARRY = "bold green"  # the lit carry lane: the current term's carry route

_NODE = re.compile(r"O([₀-₉]+)")
_DIGITS = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")


def carry_lane(view, o_line: Text) -> Text:
    """The c lane for the strip whose O line is ``o_line`` (same width, c_t over O_t)."""
    tape, step = view.tape, view.step
    plain = o_line.plain
    lit = range(0)
    if step.kind == "term" and step.k is not None and step.param in ("w_prime", "w", "b", "b_prime"):
        lit = range(step.k, step.t + 1)
    chars = [" "] * len(plain)
    styles: list[tuple[int, int, str]] = []
    previous_end = None
    forward_start = tape.steps.phase_start("forward")
    for match in _NODE.finditer(plain):
        t = int(match.group(1).translate(_DIGITS))
        at = match.start()
        label = f"c{nt.sub(t)}"
        if t == 0:  # the strip's " O₀→": c₀ sits where O₀ does
            chars[at:at + len(label)] = label
            previous_end = at + len(label)
            styles.append((at, at + len(label), CARRY if 0 in lit else "dim"))
            continue
        start = previous_end if previous_end is not None else max(0, at - 4)
        gap = at - start
        if gap >= 4:  # a continuous lane, " ───f→", where the O line has " →W′→" and ‖O_t‖'s room
            chars[start:at] = " " + "─" * (gap - 3) + "f→"
        elif gap >= 1:  # c₀→c₁ as O₀→O₁
            chars[start:at] = "→".rjust(gap)
        if gap >= 1:
            styles.append((start, at, CARRY if (t in lit and t - 1 in lit) else "dim"))
        reached = view.computed(forward_start + t - 1)  # a TBPTT chunk: a later chunk's steps are not run yet
        here = step.kind in ("forward", "output") and step.t == t
        chars[at:at + len(label)] = label
        style = CURRENT if here else (CARRY if t in lit else ("" if reached else "dim"))
        styles.append((at, at + len(label), style))
        previous_end = at + len(label)
    for at, char in enumerate(plain):  # a TBPTT chunk boundary (SPEC §9): detach cuts c as it cuts O
        if char == "┃":
            chars[at] = "┃"
            styles.append((at, at + 1, "bold yellow"))
    lane = Text("".join(chars).rstrip())
    for lo, hi, style in styles:
        lane.stylize(style, lo, min(hi, len(lane)))
    for head in (Text("cell state c  ", style="dim"), Text("c  ", style="dim")):
        if len(head) <= len(plain) and not lane.plain[:len(head)].strip():
            return head.append_text(lane[len(head):])
    return lane
