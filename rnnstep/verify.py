"""`rnnstep verify`: check every number a worked example states, and find where errors come from.

Each claim gets a verdict against the true value: **right** (within half a unit
of its last printed digit), **rounding** (off by one in the last digit) or wrong.
A wrong claim is recomputed from its direct inputs *as stated* (rules.py): if
that agrees, it **follows** from the wrong inputs it used; if not, it is a
**slip**, an arithmetic error made at that very step.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from . import notation as nt
from .ids import RECURRENT_PARAMS, parse_id
from .rules import rules
from .tape import Tape

VERDICTS = ("right", "rounding", "slip", "follows")


def printed_unit(text: str) -> float:
    """One unit of the last printed digit: "0.7790" -> 1e-4, "2.5e-3" -> 1e-4, "12" -> 1."""
    t = text.strip().lower().replace("−", "-").lstrip("+-")
    mantissa, _, exponent = t.partition("e")
    decimals = len(mantissa.split(".", 1)[1]) if "." in mantissa else 0
    return 10.0 ** ((int(exponent) if exponent else 0) - decimals)


def agreeing_digits(stated: float, true: float) -> int:
    """Significant digits to which ``stated`` agrees with ``true`` (−log₁₀ of the relative error)."""
    if stated == true:
        return 17
    if true == 0 or not math.isfinite(true) or not math.isfinite(stated):
        return 0
    return max(0, min(17, math.floor(-math.log10(abs(stated - true) / abs(true)))))


def _within(a: float, b: float, units: float, unit: float) -> bool:
    return math.isfinite(a) and math.isfinite(b) and abs(a - b) <= units * unit * (1 + 1e-9) + 1e-15 * abs(b)


@dataclass(frozen=True)
class ClaimResult:
    id: str
    symbol: str
    stated_text: str
    stated: float
    true: float
    digits: int
    verdict: str  # one of VERDICTS
    step: int
    follows_from: tuple[str, ...] = ()
    recomputed: float | None = None  # from the stated inputs (for slips and follows)
    formula: str = ""

    @property
    def wrong(self) -> bool:
        return self.verdict in ("slip", "follows")


@dataclass
class Report:
    title: str
    results: list[ClaimResult]
    roots: dict[str, tuple[str, ...]] = field(default_factory=dict)  # follows id -> slips it comes from

    @property
    def slips(self) -> list[ClaimResult]:
        return [r for r in self.results if r.verdict == "slip"]

    @property
    def ok(self) -> bool:
        return not any(r.wrong for r in self.results)

    def followers(self, slip_id: str) -> int:
        return sum(slip_id in roots for roots in self.roots.values())

    @property
    def summary(self) -> str:
        slips = self.slips
        follows = [r for r in self.results if r.verdict == "follows"]
        other = [r for r in follows if not self.roots.get(r.id)]
        if not slips and not follows:
            rounding = sum(r.verdict == "rounding" for r in self.results)
            return (f"all {len(self.results)} claims are right" +
                    (f" ({rounding} off by one in the last digit)" if rounding else ""))
        where = ", ".join(r.symbol for r in slips)
        text = f"{len(slips)} slip{'s' if len(slips) != 1 else ''}" + (f", at {where}" if slips else "")
        n = len(follows) - len(other)
        text += (f"; {n} later number{'s' if n != 1 else ''} follow{'s' if n == 1 else ''} from "
                 f"{'it' if len(slips) == 1 else 'them'}")
        text += f"; {len(other)} other error{'s' if len(other) != 1 else ''}"
        return text


def value_symbol(tape: Tape, vid_text: str) -> str:
    """A person's name for a value: O₂, ∂L/∂O₃, term [4,2] of ∂L/∂w′, w′_new, …"""
    vid = parse_id(vid_text)
    i = vid.index
    if vid.group == "forward":
        return f"{vid.name}{nt.sub(i[0])}"
    if vid.group == "outputs":
        return {"z": "z", "yhat": "ŷ", "loss": "ℓ"}[vid.name] + nt.sub(i[0])
    if vid.group == "loss":
        return "L"
    if vid.group == "backward":
        return f"∂L/∂{'O' if vid.name == 'dL_dO' else 'a'}{nt.sub(i[0])}"
    if vid.group == "update":
        return f"{nt.param(vid.param)}_new"
    symbol = nt.gradient_symbol(vid.param)
    if vid.name == "total":
        return symbol
    where = f"[{i[0]},{i[1]}]" if vid.param in RECURRENT_PARAMS else f"[{i[0]}]"
    if vid.name == "term":
        return f"term {where} of {symbol}"
    if vid.name == "running_sum":
        return f"Σ {where} of {symbol}"
    table = tape.gradients[vid.param]
    term = table.index_of(i[0], i[1] if vid.param in RECURRENT_PARAMS else None)
    return f"{tape.factor(vid.param, term, i[-1] - 1).symbol} in {where} of {symbol}"


def verify(tape: Tape) -> Report:
    claims = {c.id: c for c in tape.scenario.claims}
    order = {vid: n for n, vid in enumerate(tape.value_ids())}
    results: dict[str, ClaimResult] = {}
    roots: dict[str, tuple[str, ...]] = {}
    for claim in sorted(claims.values(), key=lambda c: order[c.id]):  # inputs are judged before their uses
        true = tape.value(claim.id)
        unit = printed_unit(claim.text)
        step = tape.step_of(parse_id(claim.id))
        common = dict(id=claim.id, symbol=value_symbol(tape, claim.id), stated_text=claim.text,
                      stated=claim.value, true=true, digits=agreeing_digits(claim.value, true), step=step)
        if _within(claim.value, true, 0.5, unit):
            results[claim.id] = ClaimResult(verdict="right", **common)
            continue
        if _within(claim.value, true, 1.5, unit):
            results[claim.id] = ClaimResult(verdict="rounding", **common)
            continue
        results[claim.id] = _explain(tape, claim, unit, claims, results, roots, common)
    return Report(tape.scenario.name, [results[c] for c in sorted(results, key=order.__getitem__)], roots)


def _explain(tape, claim, unit, claims, results, roots, common) -> ClaimResult:
    """slip or follows: recompute from the stated inputs, by every formula the value has."""
    def stated_or_true(i: str) -> float:
        return claims[i].value if i in claims else tape.value(i)

    first = None
    for rule in rules(tape, claim.id):
        try:
            recomputed = rule.compute({i: stated_or_true(i) for i in rule.inputs})
        except (ArithmeticError, ValueError):
            continue
        first = first or (recomputed, rule.formula)
        if not _within(claim.value, recomputed, 1.5, unit):
            continue
        claimed = [i for i in rule.inputs if i in claims]
        culprits = [i for i in claimed if results[i].wrong] or \
                   [i for i in claimed if results[i].verdict == "rounding"] or \
                   [i for i in claimed if claims[i].value != tape.value(i)]
        if not culprits:
            continue  # agrees with true inputs but not with the truth: cannot follow from anything
        roots[claim.id] = tuple(dict.fromkeys(
            s for i in culprits for s in ((i,) if results[i].verdict == "slip" else roots.get(i, ()))))
        return ClaimResult(verdict="follows", follows_from=tuple(culprits), recomputed=recomputed,
                           formula=rule.formula, **common)
    recomputed, formula = first if first else (None, "")
    return ClaimResult(verdict="slip", recomputed=recomputed, formula=formula, **common)
