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
