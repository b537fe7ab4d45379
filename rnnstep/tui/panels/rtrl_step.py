"""RTRL on a gated cell's forward step (SPEC §8, §9): the update of P_t and, at a target, the row it adds.

P_t = ∂s_t/∂p is S × G·n·(n + m + 2) (S = 2n for the LSTM's (O_t, c_t), n for the GRU): too wide
for a grid, so the update is shown by its parts' Frobenius norms, J_t·P_{t−1} and ∂⁺s_t/∂p beside P_t, and
the row ∂ℓ_t/∂s_t·P_t that a target step adds (the whole row t of the triangle at once) entry
by entry per parameter where a line holds it, else as a one-line summary. The numbers come from
methods/rtrl.py; the only arithmetic here is the norms.
"""

from __future__ import annotations

import numpy as np
from rich.cells import cell_len
from rich.text import Text

from ... import notation as nt
from ...ids import GATED_RECURRENT
from .matrix import summary

STYLE = "cyan"


def rtrl_lines(view, t: int, width: int, digits: int) -> list[Text]:
    """The RTRL lines of forward step t of a gated tape, each no wider than ``width`` where it can be."""
    from ...methods.rtrl import gated_update

    tape = view.tape
    r = tape.rtrl
    carried, immediate, P = gated_update(tape, t)
    sub, prev = nt.sub(t), nt.sub(t - 1)
    lstm = tape.cell.CARRY == "c"
    s = "s" if lstm else "O"
    state = f"(O{sub}, c{sub})" if lstm else f"O{sub}"
    f = lambda v: nt.fmt(float(v), digits)  # noqa: E731
    norm = lambda M: f(np.linalg.norm(M)) if np.isfinite(M).all() else "nan"  # noqa: E731
    rows, cols = P.shape
    lines = [Text(f"RTRL: P{sub} = J{sub}·P{prev} + ∂⁺{s}{sub}/∂p", style=f"bold {STYLE}"),
             Text(f"  P{sub} = ∂{state}/∂(W′, W, b, b′), {rows}×{cols}", style="dim")]
    lines += _side_by_side([f"‖J{sub}·P{prev}‖ = {norm(carried)}", f"‖∂⁺{s}{sub}/∂p‖ = {norm(immediate)}",
                            f"‖P{sub}‖ = {norm(P)}"], width)
    if t == 1:
        b, c = r.bptt_cost, r.rtrl_cost
        lines.append(Text(f"  cost per step at n = {tape.n}, T = {tape.T}: BPTT holds {b.held} numbers, multiplies "
                          f"{b.multiplies}; RTRL holds {c.held}, multiplies {c.multiplies}", style="dim"))
    position = tape.target_position.get(t)
    if position is not None:
        lines.append(Text(f"target {t}: ∂ℓ{sub}/∂{s}{sub}·P{sub} adds row {t} of the triangle at once (Σₖ term({t},k)):",
                          style=f"bold {STYLE}"))
        for p in GATED_RECURRENT:
            lo, hi = r.columns[p]
            row = r.rows[position, lo:hi].reshape(tape.param_shape(p))
            lines.append(_row_line(f"  ∂L/∂{nt.param(p, vector=True)} += ", row, digits, width))
    return lines


def _side_by_side(parts: list[str], width: int) -> list[Text]:
    """``parts`` on as few lines as ``width`` allows, two spaces apart, each part whole (a label stays with
    its number)."""
    lines: list[str] = []
    for part in parts:
        if lines and cell_len(lines[-1]) + 2 + cell_len(part) <= width:
            lines[-1] += "  " + part
        else:
            lines.append("  " + part)
    return [Text(line, style=STYLE) for line in lines]


def _row_line(label: str, row: np.ndarray, digits: int, width: int) -> Text:
    """``label [a b; c d]`` when it fits ``width`` (at the full digits, else rounded to 4 or 3), else ``label``
    and the row's one-line summary."""
    rows = row.reshape(1, -1) if row.ndim < 2 else row
    for shown in [digits] + [d for d in (4, 3) if d < digits]:  # the full digits, else correctly rounded
        text = "; ".join(" ".join(nt.fmt(float(v), shown) for v in r) for r in rows)
        whole = Text(label, style=STYLE).append(f"[{text}]")
        if whole.cell_len <= width:
            return whole
    return Text(label, style=STYLE).append_text(summary(row, digits, max(1, width - len(label))))
