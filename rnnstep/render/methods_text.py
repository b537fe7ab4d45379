"""SPEC §9's methods in the Markdown and LaTeX documents: what each method decided, shown.

``term_mark`` is the note after a term (its weight, or why it is left out);
``iter_method_sections`` the sections after the update: TBPTT's chunks, the coins of
randomized truncation, RTRL's totals and cost, and clip by norm beside clip by value.
Each record is written for ``style`` "markdown" or "latex"; no user text is written here.
"""

from __future__ import annotations

from typing import Iterator

import numpy as np

from .. import notation as nt
from ..printed import printed, relation
from ..ids import PARAMS, RECURRENT_PARAMS
from ..methods.clipping import clip_by_value, value_clip_angle
from ..methods.selection import reason


def term_mark(tape, param: str, t: int, k: int | None, truncated: bool, style: str = "markdown",
              digits: int = 6) -> str:
    """After a term: why it is left out, or the weight it carries (randomized truncation)."""
    table = tape.gradients[param]
    weight = None
    if k is not None and table.weight is not None:
        weight = float(table.weight[table.index_of(t, k)])
    if truncated:
        why = reason(tape.scenario, t, k, weight) if k is not None else ""
        why = why or "truncated"
        if style == "latex":
            return rf"\quad\text{{({_latex_words(why)}: not added)}}"
        if style == "plain":
            return f"  ({why}: not added)"
        return f" — *{why}: not added*"
    if weight is None or t == k:
        return ""
    w = nt.fmt(weight, digits)
    if style == "latex":
        return rf"\quad\text{{(weight }}\pi^{{-{t - k}}} = {w}\text{{)}}"
    if style == "plain":
        return f"  (weight π^−{t - k} = {w})"
    return f" — weight π^−{t - k} = {w}"


def _latex_words(text: str) -> str:
    """Our own words (never a user's) for LaTeX's text mode: the one prose escaper, latex.latex_text."""
    from .latex_prose import latex_text

    return latex_text(text.replace("`", ""))  # `code` marks in our prose are markdown's, not quotes


def _ragged(tex: str) -> str:
    """A LaTeX paragraph set ragged right: one of long vectors ([[0.000761481, …], …]) has too few spaces to
    justify and would run past the margin."""
    return r"{\raggedright " + tex + r"\par}" + "\n\n"


class _Out:
    def __init__(self, style: str, digits: int, vector: bool):
        self.style, self.digits, self.vector = style, digits, vector

    def heading(self, text: str) -> str:
        return f"\n## {text}\n\n" if self.style == "markdown" else f"\\subsection*{{{_latex_words(text)}}}\n"

    def line(self, text: str) -> str:
        return f"- {text}\n" if self.style == "markdown" else _ragged(_latex_words(text))

    def para(self, text: str) -> str:
        return f"\n{text}\n\n" if self.style == "markdown" else _ragged(_latex_words(text))

    def operand(self, v) -> str:
        """A number inside a formula: a negative one in parentheses."""
        a = np.asarray(v, dtype=np.float64)
        return nt.operand(float(a), self.digits) if a.ndim == 0 else self.value(v)

    def value(self, v) -> str:
        a = np.asarray(v, dtype=np.float64)
        if a.ndim == 0:
            return nt.fmt(float(a), self.digits)
        if a.ndim == 1:
            return "[" + ", ".join(nt.fmt(float(x), self.digits) for x in a) + "]"
        return "[" + ", ".join(self.value(row) for row in a) + "]"


def iter_method_sections(tape, digits: int = 6, style: str = "markdown") -> Iterator[str]:
    out = _Out(style, digits, tape.vector)
    s = tape.scenario
    if s.clip_norm is not None:
        yield from _clip_norm(tape, out)
    if s.method == "tbptt":
        yield from _tbptt(tape, out)
    elif s.method == "randomized":
        yield from _randomized(tape, out)
    elif s.method == "rtrl":
        yield from _rtrl(tape, out)


def _clip_norm(tape, out: _Out) -> Iterator[str]:
    c, C = tape.norm_clip, tape.scenario.clip_norm
    grads = {p: tape.updates[p].grad for p in tape.params}  # a gated cell's b′ too: ‖g‖ is over all of them
    yield out.heading("Clip by norm")
    yield out.para(f"‖g‖ = {out.value(c.norm)} over every parameter together; C = {out.value(C)}, so every "
                   f"gradient is multiplied by {'C/‖g‖' if c.scale != 1.0 else '1 (‖g‖ ≤ C)'} = {out.value(c.scale)}.")
    by_value = {p: clip_by_value(np.asarray(g, dtype=np.float64), C) for p, g in grads.items()}
    for p in tape.params:
        yield out.line(f"{nt.gradient_symbol(p)}: by norm {out.value(tape.updates[p].clipped)}, "
                       f"by value (each entry in [−C, C]) {out.value(by_value[p])}")
    angle = value_clip_angle(grads, C)
    if angle is not None:
        yield out.para(f"Clipping by norm keeps the gradient's direction; clipping each entry by value turns it "
                       f"by {out.value(angle)}°.")


def _tbptt(tape, out: _Out) -> Iterator[str]:
    s = tape.scenario
    yield out.heading(f"TBPTT(k1 = {s.k1}, k2 = {s.k2}), chunk by chunk")
    yield out.para(f"The sections above are full BPTT on the starting weights, for comparison. TBPTT runs the "
                   f"sequence in chunks of k1 = {s.k1} steps: at the end of the chunk that starts at step s it adds "
                   f"the terms of the chunk's targets with k ≥ s − (k2 − k1), updates the weights, and the next "
                   f"chunk runs on from the carried state with the new weights.")
    for chunk in tape.chunks:
        yield out.heading(f"Chunk {chunk.index}: steps {chunk.first} … {chunk.last}")
        if not chunk.targets:
            yield out.para("No target step in this chunk: the gradient is 0 and the weights stay.")
            continue
        yield out.para(f"Loss of this chunk's targets = {out.value(chunk.loss)}; its terms reach back to "
                       f"step {chunk.reach}.")
        for p in tape.params:  # a gated cell's b′ too (SPEC §8)
            table = chunk.gradients[p]
            parts = []
            for lo, terms, _ in table.blocks():
                for offset in range(len(terms)):
                    i = lo + offset
                    where = f"({int(table.t[i])},{int(table.k[i])})" if table.k is not None else f"({int(table.t[i])})"
                    term = terms[offset].reshape(table.shape) if tape.vector else float(terms[offset].reshape(-1)[0])
                    parts.append(f"{where} {out.operand(term)}")
            yield out.line(f"{nt.gradient_symbol(p)} = {' + '.join(parts)} = {out.value(chunk.totals[p])}")
        for t, lo, hi in chunk.excluded():
            yield out.line(f"left out for t = {t}: terms k = {lo} … {hi}, {chunk.reason_for(t)}")
        yield from _detached(tape, chunk, out)
        if chunk.norm_clip is not None:
            yield out.line(f"‖g‖ = {out.value(chunk.norm_clip.norm)}, scale = {out.value(chunk.norm_clip.scale)}")
        for p, u in chunk.updates.items():
            sign = "="
            if not tape.vector:  # ≈ where the printed numbers, redone by hand, give another last digit
                d = out.digits
                again = printed(float(u.old), d) - printed(s.learning_rate, d) * printed(float(u.clipped), d)
                sign = relation(again, float(u.new), d)
            yield out.line(f"{nt.param(p)}_new = {out.value(u.old)} − {out.value(s.learning_rate)}·"
                           f"{out.operand(u.clipped)} {sign} {out.value(u.new)}")


def _detached(tape, chunk, out: _Out) -> Iterator[str]:
    """Like for like: full BPTT's terms of this chunk's targets on the starting weights, split into the ones the
    chunk adds (k ≥ reach) and the ones it leaves out (methods/detached.py); nothing for a tape of one chunk."""
    from ..methods.detached import detached_sums

    if len(tape.chunks) == 1 or not chunk.targets:
        return
    sums = detached_sums(tape, chunk)
    weights = "the same starting weights" if chunk.index == 1 else \
        f"the starting weights (chunk {chunk.index} ran on the weights chunk {chunk.index - 1} updated)"
    if not any(v.left_terms for v in sums.values()):
        yield out.para(f"Full BPTT's terms of the same targets, on {weights}: the same terms, none left out.")
    else:
        yield out.para(f"Full BPTT's terms of the same targets, on {weights}: all of them = the terms "
                       f"k ≥ {chunk.reach} + the terms k < {chunk.reach} this chunk leaves out.")
    for p, v in sums.items():
        if not v.left_terms:
            yield out.line(f"{nt.gradient_symbol(p)}: all {v.full_terms} terms {out.value(v.full)}, none left out")
            continue
        sign = "="
        if not tape.vector:  # ≈ where the printed parts, added by hand, give another last digit
            d = out.digits
            sign = relation(printed(v.kept, d) + printed(v.left_out, d), v.full, d)
        yield out.line(f"{nt.gradient_symbol(p)}: all {v.full_terms} terms {out.value(v.full)} {sign} k ≥ {chunk.reach} "
                       f"({v.full_terms - v.left_terms} terms) {out.value(v.kept)} + left out (k < {chunk.reach}, "
                       f"{v.left_terms} terms) {out.value(v.left_out)}")


def _randomized(tape, out: _Out) -> Iterator[str]:
    from ..methods.randomized import coins

    s = tape.scenario
    flows = coins(tape.T, s.keep, s.seed or 0)
    yield out.heading(f"Randomized truncation (keep π = {out.value(s.keep)}, seed {s.seed or 0})")
    yield out.para("One coin per step, shared by every target: ξ_j = 1/π with probability π, else 0. Term (t, k) "
                   "carries the weight ξ_{k+1}·…·ξ_t: 0 when a stopped step lies between, else π^−(t−k); the "
                   "totals above are Σ weight·term. `rnnstep trace FILE --samples N` shows the mean over N seeds "
                   "beside full BPTT.")
    stopped = [j for j in range(2, tape.T + 1) if not flows[j - 1]]
    yield out.para(f"Stopped steps (ξ_j = 0): {', '.join(map(str, stopped)) if stopped else 'none'}; every other "
                   f"ξ_j = {out.value(1 / s.keep)}.")


def _rtrl_words(cell: str, n: int) -> str:
    if cell == "lstm":
        return (f"P_t = ∂(O_t, c_t)/∂p, the LSTM's whole state (2n = {2 * n} rows), is carried forward: P_t = "
                "J_t·P_{t−1} + ∂⁺s_t/∂p, with J_t the block Jacobian ∂s_t/∂s_{t−1} and ∂⁺s_t/∂p = "
                "∂s_t/∂a_t·∂a_t/∂p; at each target step ∂ℓ_t/∂s_t·P_t = [∂ℓ_t/∂O_t, 0]·P_t adds the whole row t "
                "of the triangle at once.")
    if cell == "gru":
        return ("P_t = ∂O_t/∂p is carried forward: P_t = J_t·P_{t−1} + ∂⁺O_t/∂p, with ∂⁺O_t/∂p = ∂O_t/∂a_t·∂a_t/∂p "
                "for w and b and ∂O_t/∂ã_t·∂ã_t/∂p for w′ and b′ (they enter through ã_t); at each target step "
                "∂ℓ_t/∂O_t·P_t adds the whole row t of the triangle at once.")
    return ("P_t = ∂O_t/∂p is carried forward with the state, P_t = J_t·P_{t−1} + ∂⁺O_t/∂p, and at each "
            "target step ∂ℓ_t/∂O_t·P_t adds the whole row t of the triangle at once.")


def _rtrl(tape, out: _Out) -> Iterator[str]:
    r = tape.rtrl
    yield out.heading("RTRL: the influence matrices carried forward")
    yield out.para(_rtrl_words(tape.scenario.cell, tape.n))
    for p in tape.params:  # a gated cell's b′ too
        yield out.line(f"{nt.gradient_symbol(p)}: RTRL {out.value(r.totals[p])}, BPTT "
                       f"{out.value(tape.gradients[p].total)}")
    n, m = tape.n, tape.m
    yield out.para(f"Cost at n = {n}, m = {m}, T = {tape.T}: BPTT holds {r.bptt_cost.held} numbers and multiplies "
                   f"{r.bptt_cost.multiplies} per step; RTRL holds {r.rtrl_cost.held} and multiplies "
                   f"{r.rtrl_cost.multiplies} per step.")
