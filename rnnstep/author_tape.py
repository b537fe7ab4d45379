"""The author's tape: the numbers a worked example's author had, stated or not.

A worked example states some values and skips others. Every value of the
author's tape is the stated number where one is stated, and otherwise is
recomputed from the author's values of its inputs by the local rules of
rules.py (one home per formula). A value with several formulas (tanh′ from a
or as 1 − O², a term from its factors or from ∂L/∂a_k) may come out differently
when the author's inputs disagree with each other, so each value is a short
list of **candidates**, each remembering the stated numbers it was worked from
(``sources``) and how far the rounding of those printed numbers can move it
(``spread``: half the last printed digit of each stated number that is not
exact, carried through each formula to first order).

Ids that name one quantity are one value: ∂L/∂ŷ₄ stated as factor 1 of term
[4,4] is the same ∂L/∂ŷ₄ in every term through t = 4, and ∂O₃/∂O₂ is shared by
every term whose path crosses it (``quantity_of``). Values are worked out on
demand, with an explicit stack (no recursion limit at T = 5,000), and a term's
product of factors is built along its path one multiply at a time
(``rules.path_rules``), so the work grows with the tape, not its square.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections import ChainMap
from typing import NamedTuple

from . import rules_totals
from .ids import RECURRENT_PARAMS
from .rules import Rule, parsed_id, path_rules, rules
from .rules_vector import quantity_of as vector_quantity_of
from .tape import Tape

MAX_CANDIDATES = 8  # different values one formula may give on the author's tape
MAX_COMBINATIONS = 64  # combinations of input candidates tried per formula
MAX_SOURCES = 32  # stated numbers remembered per candidate
_EXACT_SPREAD_INPUTS = 8  # up to this many inputs, rounding is propagated input by input


class Candidate(NamedTuple):  # a named tuple: made by the hundred thousand, at a third of a dataclass's cost
    value: float
    spread: float = 0.0  # how far half a printed unit of each stated source can move the value
    sources: frozenset[str] = frozenset()  # the nearest stated claims it was worked from
    formula: str = ""
    hops: int = 0  # formulas between it and its nearest stated sources (a path's partial products are free)


def printed_unit(text: str) -> float:
    """One unit of the last printed digit: "0.7790" -> 1e-4, "2.5e-3" -> 1e-4, "12" -> 1."""
    t = text.strip().lower().replace("−", "-").lstrip("+-")
    mantissa, _, exponent = t.partition("e")
    decimals = len(mantissa.split(".", 1)[1]) if "." in mantissa else 0
    return 10.0 ** ((int(exponent) if exponent else 0) - decimals)


def quantity_of(tape: Tape, vid_text: str) -> str:
    """The one id the author's tape keeps for the quantity ``vid_text`` names.

    Factors are shared: ∂ℓ_t/∂ŷ_t and ∂ŷ_t/∂O_t are those of w′'s term [t,t];
    ∂O_j/∂O_{j−1} is that of w′'s term [t*, j−1]; ∂⁺O_k/∂p that of p's term
    [t*, k], where t* is the first target step ≥ the step; ∂ŷ_t/∂z_t that of
    w_out. Every other id names itself.
    """
    if vid_text.startswith("path[") or ".factor[" not in vid_text:
        return vid_text
    vid = parsed_id(vid_text)
    targets = tape.scenario.targets

    def first_target(step: int) -> int:
        return targets[bisect.bisect_left(targets, step)]

    if vid.param in RECURRENT_PARAMS:
        t, k, i = vid.index
        last = t - k + 3
        if i in (1, 2):
            return f"gradients.w_prime.factor[{t},{t},{i}]"
        if i == last:
            ts = first_target(k)
            return f"gradients.{vid.param}.factor[{ts},{k},{ts - k + 3}]"
        j = t - (i - 3)  # ∂O_j/∂O_{j−1}
        ts = first_target(j)
        return f"gradients.w_prime.factor[{ts},{j - 1},{ts - j + 3}]"
    t, i = vid.index
    if i == 1:
        return f"gradients.w_prime.factor[{t},{t},1]"
    if i == 2:
        return f"gradients.w_out.factor[{t},2]"
    return str(vid)


def _close(a: Candidate, b: Candidate) -> bool:
    """Equal, or within the rounding spread of one another: the author could not tell them apart."""
    gap = abs(a.value - b.value)
    return a.value == b.value or gap <= 1e-12 * max(abs(a.value), abs(b.value)) or gap <= max(a.spread, b.spread)


def _merge(found: list[Candidate]) -> list[Candidate]:
    """One formula's candidates: those the author could not tell apart are one; at most MAX_CANDIDATES."""
    out: list[Candidate] = []
    for c in found:
        for n, kept in enumerate(out):
            if _close(kept, c):
                sources = kept.sources | c.sources if len(kept.sources) < MAX_SOURCES else kept.sources
                spread = max(kept.spread, c.spread + abs(c.value - kept.value))
                out[n] = Candidate(kept.value, spread, sources, kept.formula, min(kept.hops, c.hops))
                break
        else:
            if len(out) < MAX_CANDIDATES:
                out.append(c)
    return out


class AuthorTape:
    """Candidates for every value of the author's tape, worked out on demand."""

    def __init__(self, tape: Tape, claims) -> None:
        self.tape = tape
        self._memo: dict[str, list[Candidate]] = {}
        self._rules: dict[str, list[Rule]] = {}
        self._inputs: dict[str, list[tuple[Rule, tuple[str, ...]]]] = {}
        self._canon: dict[str, str] = {}
        # a recurrent total by the recursive view where that is the same sum (rules_totals.py): linear in T
        self._recursive = rules_totals.applies(tape, claims)
        self._stated_terms = rules_totals.stated_terms(claims) if self._recursive else {}
        self._views: dict[tuple[int, ...], object] = {}  # the tape as each recursive view sees it
        stated: dict[str, list[Candidate]] = {}
        for claim in claims:
            true = tape.value(parsed_id(claim.id))
            # an exact number ("0.6" for 0.6) has no rounding; any other was rounded from the author's value
            exact = claim.value == true or abs(claim.value - true) <= 1e-12 * abs(true)
            spread = 0.0 if exact else 0.5 * printed_unit(claim.text)
            stated.setdefault(self.quantity(claim.id), []).append(
                Candidate(claim.value, spread, frozenset((claim.id,)), "stated"))
        self._memo.update(stated)
        self._stated = stated  # never changed after this: what a recompute with one input corrected starts from

    def quantity(self, vid_text: str) -> str:
        q = self._canon.get(vid_text)
        if q is None and getattr(self.tape, "cell", None) is not None:
            from .rules_gated_backward import gated_quantity  # SPEC §8: δ rows shared as the tape shares them

            q = self._canon[vid_text] = gated_quantity(self.tape, vid_text)
        if q is None:
            q = self._canon[vid_text] = (vector_quantity_of if self.tape.vector else quantity_of)(self.tape, vid_text)
        return q

    def rules_of(self, vid_text: str) -> list[Rule]:
        found = self._rules.get(vid_text)
        if found is None and self._recursive:
            found = self._recursive_rules(vid_text)
        if found is None and getattr(self.tape, "cell", None) is not None:
            from .rules_gated import gated_rules_of  # SPEC §8: an id's rules, or a pseudo-id's (~dc[t,k][i])

            found = self._rules[vid_text] = gated_rules_of(self.tape, vid_text)
        if found is None:
            if vid_text.startswith("path["):
                t, k = (int(n) for n in vid_text[5:-1].split(","))
                found = path_rules(self.tape, t, k)
            else:
                found = rules(self.tape, parsed_id(vid_text), paths=True)
            self._rules[vid_text] = found
        return found

    def _recursive_rules(self, vid_text: str) -> list[Rule] | None:
        """A recurrent total's rules by the recursive view, and its pseudo-ids' (None for any other id)."""
        if vid_text.startswith(rules_totals.REC[:-1]):
            excluded, underlying = rules_totals.split(vid_text)
            tape = self._views.get(excluded) or self._views.setdefault(
                excluded, rules_totals.WithoutTargets(self.tape, excluded) if excluded else self.tape)
            if getattr(self.tape, "cell", None) is not None:
                from .rules_gated import gated_rules_of

                found = gated_rules_of(tape, underlying)
            else:
                found = rules(tape, parsed_id(underlying), paths=True)
            prefix = vid_text[:vid_text.index(":") + 1]
            found = [rules_totals.renamed(r, prefix) for r in found]
        elif vid_text.startswith(rules_totals.COLUMN):
            total = vid_text.partition(":")[2]
            found = rules_totals.column_rules(self.tape, vid_text, tuple(self._stated_terms.get(total, ())))
        elif rules_totals.is_recurrent_total(self.tape, vid_text):
            found = rules_totals.total_rules(self.tape, vid_text, tuple(self._stated_terms.get(vid_text, ())))
        else:
            return None
        self._rules[vid_text] = found
        return found

    def inputs_of(self, vid_text: str) -> list[tuple[Rule, tuple[str, ...]]]:
        """Each rule of a value with the quantities its inputs are (looked up once per value)."""
        found = self._inputs.get(vid_text)
        if found is None:
            quantity = self.quantity
            found = [(rule, tuple(map(quantity, rule.inputs))) for rule in self.rules_of(vid_text)]
            self._inputs[vid_text] = found
        return found

    def values(self, vid_text: str) -> list[Candidate]:
        """The author's candidates for a value: the stated number(s), or recomputed."""
        q = self.quantity(vid_text)
        self._work_out(q)
        return self._memo[q]

    def recompute(self, vid_text: str) -> list[Candidate]:
        """The value worked out by its own formulas from the author's inputs (its stated number aside)."""
        found = self.inputs_of(vid_text)
        for _, quantities in found:
            for q in quantities:
                if q not in self._memo:
                    self._work_out(q)
        return self._combine(found)

    def recompute_corrected(self, vid_text: str, corrected: str, value: float) -> list[Candidate]:
        """The value worked out by its own formulas as ``recompute`` does, but with the stated number
        ``corrected`` (a claim's id) replaced by ``value`` (its true value): does that input move it?
        The workings through it still name it among their ``sources``; those that do not go through it do not.

        Only the unstated values between it and the stated numbers are worked out again (the stated ones are
        shared), so the cost is that of one ``recompute``, not of the whole tape."""
        saved = self._memo
        self._memo = ChainMap({self.quantity(corrected): [Candidate(value, 0.0, frozenset((corrected,)), "true")]},
                              self._stated)
        try:
            return self.recompute(vid_text)
        finally:
            self._memo = saved

    def recompute_by(self, rules: list[Rule]) -> list[Candidate]:
        """What other formulas (a slip's, slips_gated.py) give from the author's values of their inputs."""
        found = [(rule, tuple(map(self.quantity, rule.inputs))) for rule in rules]
        for _, quantities in found:
            for q in quantities:
                if q not in self._memo:
                    self._work_out(q)
        return self._combine(found)

    def _work_out(self, q: str) -> None:
        memo, stack = self._memo, [q]
        while stack:
            current = stack[-1]
            if current in memo:
                stack.pop()
                continue
            found = self.inputs_of(current)
            missing = [i for _, quantities in found for i in quantities if i not in memo]
            if missing:
                stack.extend(dict.fromkeys(missing))
                continue
            memo[current] = self._combine(found, free=current.startswith("path["))
            stack.pop()

    def _combine(self, found: list[tuple[Rule, tuple[str, ...]]], free: bool = False) -> list[Candidate]:
        """Every formula's candidates (each formula keeps its own, so no formula crowds out another)."""
        out: list[Candidate] = []
        memo, step = self._memo, 0 if free else 1
        for rule, quantities in found:
            choices = [memo[q] for q in quantities]
            if math.prod(len(c) for c in choices) > MAX_COMBINATIONS and len(set(rule.inputs)) == len(rule.inputs):
                worked = _alternatives_worked(rule, choices, step)  # a long sum: the same, input by input
            else:
                worked = [c for combo in _combinations(choices) if (c := _worked(rule, combo, step)) is not None]
            out += _merge(worked)
        return out


def _sources(combo) -> frozenset[str]:
    """The stated numbers a combination of candidates was worked from (at most MAX_SOURCES of them)."""
    distinct = {c.sources for c in combo if c.sources}  # a long sum's inputs share few source sets
    sources = distinct.pop() if len(distinct) == 1 else frozenset().union(*distinct)
    if len(sources) > MAX_SOURCES:
        sources = frozenset(sorted(sources)[:MAX_SOURCES])
    return sources


def _worked(rule: Rule, combo, step: int, values: dict[str, float] | None = None,
            sources: frozenset[str] | None = None, hops: int | None = None) -> Candidate | None:
    """The candidate a rule gives from one combination of its inputs' candidates (None if it cannot be worked).

    ``values``, ``sources`` and ``hops`` may come already worked out (``_alternatives_worked``)."""
    if values is None:
        values = {i: c.value for i, c in zip(rule.inputs, combo)}
    spreads = [c.spread for c in combo]
    try:
        value = rule.compute(values)
    except (ArithmeticError, ValueError):
        value = None
    nearby = None if value is not None and math.isfinite(value) or not any(spreads) else \
        _off_the_pole(rule, values, spreads)
    if nearby is not None:
        # a stated input rounded onto a pole (ŷ = 1.000 under bce): its unrounded value, within half a printed
        # unit, gives finite values up to the pole, so this rounding allows any value from here on
        value, spread = nearby, math.inf
    elif value is None:
        return None
    else:
        spread = _spread(rule, values, value, spreads) if any(spreads) else 0.0
    if sources is None:
        sources = _sources(combo)
    if hops is None:
        hops = max([c.hops for c in combo], default=0)
    return Candidate(value, spread, sources, rule.formula, hops + step + rule.hops)


def _off_the_pole(rule: Rule, values: dict[str, float], spreads: list[float]) -> float | None:
    """A finite value the rule gives with one rounded input moved by its spread (down, then up), or None."""
    for i, s in zip(list(values), spreads):
        for shift in (-s, s) if s else ():
            try:
                out = rule.compute({**values, i: values[i] + shift})
            except (ArithmeticError, ValueError):
                continue
            if math.isfinite(out):
                return out
    return None


def _alternatives_worked(rule: Rule, choices: list[list[Candidate]], step: int) -> list[Candidate]:
    """``_worked`` over ``_combinations(choices)`` when they are each input's alternatives in turn (a long sum):
    each combination differs from the first in one input, so its values, sources and hops are the first's
    with that input changed, instead of being gathered anew from every input."""
    inputs = rule.inputs
    first = [c[0] for c in choices]
    first_values = {i: c.value for i, c in zip(inputs, first)}
    worked = []
    c = _worked(rule, first, step, dict(first_values))
    if c is not None:
        worked.append(c)
    # sources: how many inputs share each source set, and how many distinct sets hold each stated number
    sets: dict[frozenset[str], int] = {}
    for c in first:
        if c.sources:
            sets[c.sources] = sets.get(c.sources, 0) + 1
    holders: dict[str, int] = {}
    for found in sets:
        for i in found:
            holders[i] = holders.get(i, 0) + 1
    union = frozenset(holders)
    first_sources = _sources(first)
    hops = sorted((c.hops for c in first), reverse=True)[:2]
    count = 1
    for n, alternatives in enumerate(choices):
        for alternative in alternatives[1:]:
            if count >= MAX_COMBINATIONS:
                return worked
            count += 1
            old, new = first[n].sources, alternative.sources
            if old == new:
                sources = first_sources
            else:
                lost = frozenset(i for i in old if holders[i] == 1) if old and sets[old] == 1 else frozenset()
                together = (union - lost) | new
                if together == union:
                    sources = first_sources
                elif len(together) > MAX_SOURCES:
                    sources = frozenset(sorted(together)[:MAX_SOURCES])
                else:
                    sources = together
            others = hops[1] if first[n].hops == hops[0] and len(hops) > 1 else hops[0]  # the others' most
            if len(hops) == 1:
                others = alternative.hops
            values = dict(first_values)
            values[inputs[n]] = alternative.value
            combo = first[:n] + [alternative] + first[n + 1:]
            c = _worked(rule, combo, step, values, sources, max(others, alternative.hops))
            if c is not None:
                worked.append(c)
    return worked


def _combinations(choices: list[list[Candidate]]):
    """Every combination of the inputs' candidates when there are few; else each input's alternatives in turn."""
    if math.prod(len(c) for c in choices) <= MAX_COMBINATIONS:
        yield from itertools.product(*choices)
        return
    first = [c[0] for c in choices]
    yield tuple(first)
    count = 1
    for n, alternatives in enumerate(choices):
        for alternative in alternatives[1:]:
            if count >= MAX_COMBINATIONS:
                return
            yield tuple(first[:n]) + (alternative,) + tuple(first[n + 1:])
            count += 1


def _spread(rule: Rule, values: dict[str, float], value: float, spreads: list[float]) -> float:
    """How far the inputs' spreads can move the value (to first order)."""
    if not any(spreads) or not math.isfinite(value):
        return 0.0
    if math.inf in spreads:  # an input that may be anything (rounded onto a pole) makes this anything too
        return math.inf
    compute = rule.compute

    inputs = list(values)
    if len(inputs) <= _EXACT_SPREAD_INPUTS:
        # one input moved at a time; the others as they are (+ 0.0, as a shift of nothing adds)
        base = {i: v + 0.0 for i, v in values.items()}
        moves = []
        for i, s in zip(inputs, spreads):
            if s:
                shifted = base.copy()
                shifted[i] = values[i] + s
                try:
                    out = compute(shifted)
                except (ArithmeticError, ValueError):
                    moves.append(0.0)
                    continue
                moves.append(abs(out - value) if math.isfinite(out) else 0.0)  # a pole: no finite bound to add
        return sum(moves)

    def moved(shifted: dict[str, float]) -> float:
        try:
            out = compute(shifted)
        except (ArithmeticError, ValueError):
            return 0.0
        return abs(out - value) if math.isfinite(out) else 0.0  # a pole: no finite bound to add

    if len(spreads) == len(inputs):  # every input moved by its own spread, all up then all down
        up = {i: v + s for (i, v), s in zip(values.items(), spreads)}
        down = {i: v + -s for (i, v), s in zip(values.items(), spreads)}
        return max(moved(up), moved(down))

    def shift_all(shift: dict[str, float]) -> dict[str, float]:
        return {i: v + shift.get(i, 0.0) for i, v in values.items()}

    return max(moved(shift_all(dict(zip(inputs, spreads)))), moved(shift_all({i: -s for i, s in zip(inputs, spreads)})))
