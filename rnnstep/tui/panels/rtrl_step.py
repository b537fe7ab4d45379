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
        parts = []
        for p in GATED_RECURRENT:
            lo, hi = r.columns[p]
            parts.append((f"  ∂L/∂{nt.param(p, vector=True)} += ", r.rows[position, lo:hi].reshape(tape.param_shape(p))))
        # the rows show the same kind of number (what row t adds to a gradient): one rounding for all that
        # are written out, the fewest digits any of them needs to fit, so b's and b′'s equal entries read equal
        fits = [d for d in (_fitting_digits(label, row, digits, width) for label, row in parts) if d is not None]
        shown = min(fits, default=digits)
        lines += [_row_line(label, row, digits, width, shown) for label, row in parts]
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


def _entries(label: str, row: np.ndarray, shown: int) -> Text:
    """``label [a b; c d]``: a matrix's rows separated by ``;``, a vector (b, b′: a column, as a_t stacks
    them) one entry a row like W's single column, so that W, b and b′ read alike."""
    rows = row.reshape(-1, 1) if row.ndim < 2 else row
    text = "; ".join(" ".join(nt.fmt(float(v), shown) for v in r) for r in rows)
    return Text(label, style=STYLE).append(f"[{text}]")


def _fitting_digits(label: str, row: np.ndarray, digits: int, width: int) -> int | None:
    """The most digits (the full ones, else 4 or 3) at which ``label [row]`` fits ``width``, or None."""
    for shown in [digits] + [d for d in (4, 3) if d < digits]:
        if _entries(label, row, shown).cell_len <= width:
            return shown
    return None


def _row_line(label: str, row: np.ndarray, digits: int, width: int, shown: int | None = None) -> Text:
    """``label [a b; c d]`` at ``shown`` digits (by default the most that fit ``width``) when that fits, else
    ``label`` and the row's one-line summary."""
    shown = _fitting_digits(label, row, digits, width) if shown is None else shown
    if shown is not None:
        whole = _entries(label, row, shown)
        if whole.cell_len <= width:
            return whole
    return Text(label, style=STYLE).append_text(summary(row, digits, max(1, width - len(label))))
