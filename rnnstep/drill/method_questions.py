"""Drill questions of SPEC §9's methods, read off what rnnstep/methods decided.

- randomized truncation: "what weight does term (t, k) carry?", asked right after the term
  itself: ξ_{k+1}·…·ξ_t, 0 or π^−(t−k);
- TBPTT(k1, k2): for each chunk with a target, which terms its update keeps (a list of (t, k), or a count) and,
  with plain numbers, the chunk's gradient ∂L/∂p (the sum of those terms), after the update.
Graded as every other question (|answer − value| ≤ max(rtol·|value|, atol)).
"""

from __future__ import annotations

from typing import Iterable, Iterator

from .. import notation as nt
from ..printed import relation, total
from ..ids import RECURRENT_PARAMS
from .question import Question
from .term_lists import written


def with_method_questions(tape, source: Iterable[Question], digits: int) -> Iterator[Question]:
    s = tape.scenario
    if s.method == "randomized" and not tape.vector:  # (a vector step panel shows weights as text)
        weights = dict(_weight_questions(tape, digits))
        for q in source:
            yield q
            if q.kind == "term" and q.id in weights:
                yield weights[q.id]
        return
    yield from source
    if s.method == "tbptt":
        yield from _chunk_questions(tape, digits)


def _weight_questions(tape, d: int) -> Iterator[tuple[str, Question]]:
    from ..methods.randomized import coins

    s = tape.scenario
    flows = coins(tape.T, s.keep, s.seed or 0)
    table = tape.gradients["w_prime"]
    start = tape.steps.phase_start("backward.w_prime")
    for i in range(len(table)):
        t, k = int(table.t[i]), int(table.k[i])
        if t == k:
            continue  # no coin on the way: the weight is 1
        stopped = [j for j in range(k + 1, t + 1) if not flows[j - 1]]
        term_id = f"gradients.w_prime.term[{t},{k}]"
        weight_id = f"gradients.w_prime.weight[{t},{k}]"  # the panel shows the weight under this id
        numbers = (f"stopped among steps {k + 1}…{t}: {', '.join(map(str, stopped))}, so 0" if stopped else
                   f"no stop among steps {k + 1}…{t}: (1/{nt.fmt(s.keep, d)})^{t - k}")
        yield term_id, Question(
            weight_id, "method.weight", start + i, f"weight of term ({t},{k})", _coins(k, t),
            f"one coin per step: ξ_j = 1/π with π = {nt.fmt(s.keep, d)}, or 0 where the gradient was stopped",
            numbers, float(table.weight[i]), context=f"randomized truncation, seed {s.seed or 0}",
            hides=(f"gradients.w_prime.running_sum[{t},{k}]",))  # prev + weight·term would give it away


def _coins(k: int, t: int) -> str:
    """ξ_{k+1}·…·ξ_t, written out when short."""
    if t - k <= 3:
        return "·".join(f"ξ{nt.sub(j)}" for j in range(k + 1, t + 1))
    return f"ξ{nt.sub(k + 1)}·…·ξ{nt.sub(t)}"


def _chunk_questions(tape, d: int) -> Iterator[Question]:
    s = tape.scenario
    step = tape.steps.phase_start("update") + len(tape.updates) - 1
    for chunk in tape.chunks:
        if not chunk.targets:
            continue
        where = f"chunk {chunk.index}, steps {chunk.first}–{chunk.last}"
        counts = [t - chunk.reach + 1 for t in chunk.targets]
        kept = tuple((t, k) for t in chunk.targets for k in range(t, chunk.reach - 1, -1))
        yield Question(
            f"chunk[{chunk.index}].terms", "method.count", step,
            f"the terms of the triangle TBPTT({s.k1}, {s.k2}) keeps for the update at step {chunk.last}",
            "every (t, k) with t a target of this chunk and k back to its reach",
            f"the targets of steps {chunk.first}…{chunk.last}, each with the uses k ≥ s − (k2 − k1) = {chunk.reach}",
            f"{written(kept, most=12)}, {len(kept)} terms: " + " + ".join(map(str, counts)), float(sum(counts)),
            context=f"{where}; list them as (t,k) pairs, e.g. (6,6) (6,5), in any order, or give their count",
            terms=kept)
        if tape.vector:
            continue
        for p in RECURRENT_PARAMS:
            table = chunk.gradients[p]
            values = [nt.operand(float(v), d) for v in table.value]
            yield Question(
                f"chunk[{chunk.index}].gradients.{p}.total", "method.chunk_total", step,
                f"∂L/∂{nt.param(p)} of chunk {chunk.index}", "Σ term(t, k) over its targets, k ≥ reach",
                f"the terms of targets {', '.join(map(str, chunk.targets))} down to k = {chunk.reach}, "
                "on the weights in force in this chunk",
                " + ".join(values), float(chunk.totals[p]), context=where,
                sign=relation(total(table.value.tolist(), d), float(chunk.totals[p]), d))  # ≈ where printed terms miss
