"""A method in a few words, for the debugger's title line (SPEC §9)."""

from __future__ import annotations

from .. import notation as nt


def method_title_parts(tape) -> list[str]:
    """["TBPTT(4, 4): 2 chunks"], ["randomized keep = 0.7, seed 2"], ["RTRL"], ["clip_norm = 1"] …"""
    s = tape.scenario
    parts = []
    if s.method == "tbptt":
        count = -(-tape.T // s.k1)
        parts.append(f"TBPTT({s.k1}, {s.k2}): {count} chunk{'s' if count != 1 else ''}")
    elif s.method == "randomized":
        parts.append(f"randomized keep = {nt.fmt(s.keep)}, seed {s.seed or 0}")
    elif s.method == "rtrl":
        parts.append("RTRL (same totals as BPTT)")
    if s.clip_norm is not None:
        parts.append(f"clip_norm = {nt.fmt(s.clip_norm)}")
    return parts


def rtrl_forward_lines(tape, t: int, digits: int) -> list[str]:
    """RTRL at forward step t of a one-unit tape: P_t's update and, at a target, the row it adds."""
    r = tape.rtrl
    f = lambda v: nt.fmt(float(v), digits)  # noqa: E731
    P = r.history[t - 1][0]  # one unit: P_t = (∂O_t/∂w′, ∂O_t/∂w, ∂O_t/∂b)
    sub, prev = nt.sub(t), nt.sub(t - 1)
    lines = [f"RTRL: P{sub} = ∂O{sub}/∂(w′, w, b) = f′(a{sub})·(w′·P{prev} + (O{prev}, x{sub}, 1)) = "
             f"({', '.join(f(v) for v in P)})"]
    if t == 1:
        b, c = r.bptt_cost, r.rtrl_cost
        lines.append(f"cost at n = {tape.n}, T = {tape.T}: BPTT holds {b.held} numbers and multiplies {b.multiplies} "
                     f"per step; RTRL holds {c.held} and multiplies {c.multiplies}")
    position = tape.target_position.get(t)
    if position is not None:
        row = r.rows[position]
        lines.append(f"target {t}: ∂ℓ{sub}/∂O{sub}·P{sub} = ({', '.join(f(v) for v in row)}): the whole row t = {t} "
                     "of the triangle at once, for w′, w, b")
    return lines
