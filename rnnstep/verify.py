"""`rnnstep verify`: check every number a worked example states, and find where errors come from.

Each claim gets a verdict against the true value: **right** (within half a unit
of its last printed digit), **rounding** (off by one in the last digit) or wrong.
A wrong claim is recomputed by its own formulas (rules.py) from the **author's
tape** (author_tape.py: the stated numbers, and every unstated value worked out
from them). If that agrees, the claim **follows** from the stated wrong numbers
it traces back to, through any number of unstated steps — only those that move
it (worked again with that number's true value it prints differently: f₁ does not
move c₁ = f₁·c₀ + i₁·g₁ when c₀ = 0); if not, it is a **slip**, an arithmetic
error made at that very step. A number off by one in its last digit that matches
the author's value while the author's inputs are wrong (and move it) follows too; a right number that the author's own inputs do not give (copied
from elsewhere) stays right, with a note.
"""

from __future__ import annotations

import gc
import math
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

from . import notation as nt
from .author_tape import AuthorTape, Candidate, printed_unit
from .rules import parsed_id
from .tape import Tape

VERDICTS = ("right", "rounding", "slip", "follows")
__all__ = ["VERDICTS", "ClaimResult", "Report", "agreeing_digits", "printed_unit", "significant_digits",
           "value_symbol", "verify"]


def significant_digits(text: str) -> int:
    """Significant digits printed: "0.1867" -> 4, "0.6" -> 1, "2.50e-3" -> 3, "0" -> 1."""
    mantissa = text.strip().lower().replace("−", "-").lstrip("+-").partition("e")[0]
    digits = mantissa.replace(".", "").lstrip("0")
    return max(1, len(digits))


def agreeing_digits(stated: float, true: float, printed: int = 17) -> int:
    """Significant digits to which ``stated`` is ``true`` correctly rounded, at most the ``printed`` ones.

    ``0.1867`` against 0.18667 is 4: the true value rounds to it at 4 digits. An
    exact match shows the printed digits, not 17.
    """
    if stated == true:
        return printed
    if not math.isfinite(true) or not math.isfinite(stated):
        return 0
    if true == 0:
        return 0
    top = math.floor(math.log10(abs(true)))  # the true value's leading digit
    off = abs(stated - true)
    digits = 0
    while digits < printed and off <= 0.5 * 10.0 ** (top - digits) * (1 + 1e-9):
        digits += 1
    return digits


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
    recomputed: float | None = None  # by its formula from the author's values (slips, follows, notes)
    formula: str = ""
    note: str = ""  # e.g. a right number that does not follow from the stated inputs
    worked_from: tuple[str, ...] = ()  # the stated numbers its agreeing working used (to trace slips through)
    whole: str = ""  # the vector or matrix this entry was stated with, all its entries at once (SPEC §7)
    likely_slip: str = ""  # a slip: the named slip whose formula gives the stated number (slips_gated.py)

    @property
    def wrong(self) -> bool:
        return self.verdict in ("slip", "follows")


@dataclass
class Report:
    title: str
    results: list[ClaimResult]
    roots: dict[str, tuple[str, ...]] = field(default_factory=dict)  # follows id -> slips it comes from
    tape: Tape | None = field(default=None, repr=False, compare=False)  # the true tape (names a claim not made)

    @property
    def slips(self) -> list[ClaimResult]:
        return [r for r in self.results if r.verdict == "slip"]

    @property
    def ok(self) -> bool:
        return not any(r.wrong for r in self.results)

    @property
    def arrays(self) -> list[tuple[str, str, list[ClaimResult]]]:
        """Each vector or matrix stated whole: (its id, its name, its wrong entries), in report order."""
        return [(whole, name, wrong) for whole, name, _, wrong in self.array_entries()]

    def array_entries(self) -> list[tuple[str, str, int, list[ClaimResult]]]:
        """Each vector or matrix stated whole: (its id, its name, how many entries, its wrong entries)."""
        out: dict[str, list] = {}
        for r in self.results:
            if r.whole:
                found = out.setdefault(r.whole, [r.symbol.rsplit("[", 1)[0].removesuffix(", entry "), 0, []])
                found[1] += 1
                if r.wrong:
                    found[2].append(r)
        return [(whole, name, count, wrong) for whole, (name, count, wrong) in out.items()]

    def array_lines(self) -> list[str]:
        """One line per vector or matrix stated whole with a wrong entry: which of its entries are wrong."""
        lines = []
        for whole, name, wrong in self.arrays:
            if wrong:
                entries = ", ".join(r.id[r.id.rindex("["):] for r in wrong)
                lines.append(f"{name} ({whole}): entr{'ies' if len(wrong) != 1 else 'y'} {entries} wrong")
        return lines

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
                    (f" ({rounding} off by one in the last digit)" if rounding else "") + self._copied())
        where = ", ".join(r.symbol for r in slips)
        text = f"{len(slips)} slip{'s' if len(slips) != 1 else ''}" + (f", at {where}" if slips else "")
        n = len(follows) - len(other)
        text += (f"; {n} later number{'s' if n != 1 else ''} follow{'s' if n == 1 else ''} from "
                 f"{'it' if len(slips) == 1 else 'them'}")
        text += f"; {len(other)} other error{'s' if len(other) != 1 else ''}"
        return text + self._copied()

    def _copied(self) -> str:
        noted = sum(bool(r.note) for r in self.results if not r.wrong)
        if not noted:
            return ""
        return (f"; {noted} right number{'s' if noted != 1 else ''} "
                f"{'do' if noted != 1 else 'does'} not follow from the stated inputs")


def _entry(component: tuple[int, ...]) -> str:
    return "[" + ",".join(map(str, component)) + "]"


def value_symbol(tape: Tape, vid_text: str) -> str:
    """A person's name for a value: O₂, ∂L/∂O₃, term [4,2] of ∂L/∂w′, w′_new, …; on a hidden vector's
    tape (SPEC §7) one entry: O₂[1], ∂L/∂W′[1,2], term [3,2] of ∂L/∂W′, entry [1,2]; δ(4,2)[1]."""
    vid = parsed_id(vid_text)
    i, comp = vid.index, vid.component
    entry = _entry(comp) if comp else ""
    if vid.group == "forward":
        name = {"a_prime": "ã"}.get(vid.name, vid.name.split(".")[-1])  # forward.gate.f[2] is f₂ (SPEC §8)
        return f"{name}{nt.sub(i[0])}{entry}"
    if vid.group == "outputs":
        return {"z": "z", "yhat": "ŷ", "loss": "ℓ"}[vid.name] + nt.sub(i[0]) + entry
    if vid.group == "loss":
        return "L"
    if vid.group == "backward":
        return f"∂L/∂{'O' if vid.name == 'dL_dO' else 'a'}{nt.sub(i[0])}{entry}"
    if vid.group == "update":
        return f"{nt.param(vid.param, vector=tape.vector)}_new{entry}"
    symbol = nt.gradient_symbol(vid.param, vector=tape.vector)
    if vid.name == "total":
        return symbol + entry
    where = f"[{i[0]},{i[1]}]" if len(i) >= 2 and tape.gradients[vid.param].k is not None else f"[{i[0]}]"
    tail = f", entry {entry}" if comp else ""
    if vid.name == "delta":
        return f"δ({i[0]},{i[1]}){entry}"
    if vid.name in ("carry", "rest"):  # SPEC §8: the carry share of δ and the rest
        return f"{vid.name} of δ({i[0]},{i[1]}){entry}"
    if vid.name == "term":
        return f"term {where} of {symbol}{tail}"
    if vid.name == "running_sum":
        return f"Σ {where} of {symbol}{tail}"
    table = tape.gradients[vid.param]
    term = table.index_of(i[0], i[1] if table.k is not None else None)
    return f"{tape.factor(vid.param, term, i[-1] - 1).symbol} in {where} of {symbol}{tail}"


_GROUP_ORDER = {"forward": 0, "outputs": 1, "loss": 2, "backward": 3, "gradients": 4, "update": 5}
_NAME_ORDER = {"a": 0, "O": 1, "z": 0, "yhat": 1, "loss": 2, "dL_dO": 0, "dL_da": 1,
               "factor": 0, "delta": 1, "term": 2, "running_sum": 3,
               # a gated cell (SPEC §8): ã, the gates and c come between a and O; carry and rest after δ
               "a_prime": 0.1, "gate.i": 0.2, "gate.f": 0.3, "gate.g": 0.4, "gate.o": 0.5, "gate.r": 0.2,
               "gate.u": 0.3, "gate.n": 0.4, "c": 0.6, "carry": 1.3, "rest": 1.6}


def tape_order(tape: Tape, vid_text: str) -> tuple[int, ...]:
    """A sort key that puts ids in the order of ``tape.value_ids()``, without listing them all
    (the entries of one vector or matrix row by row, after the whole)."""
    vid = parsed_id(vid_text)
    return _tape_order(tape, vid) + vid.component


def _tape_order(tape: Tape, vid) -> tuple[int, ...]:
    group, idx = _GROUP_ORDER[vid.group], vid.index
    if vid.group in ("forward", "outputs"):
        return (group, idx[0], _NAME_ORDER[vid.name], 0, 0)
    if vid.group == "backward":
        return (group, -idx[0], _NAME_ORDER[vid.name], 0, 0)
    if vid.group == "gradients":
        table = tape.gradients[vid.param]
        if vid.name == "total":
            return (group, tape.params.index(vid.param), len(table), 0, 0)
        term = table.index_of(idx[0], idx[1] if table.k is not None else None)
        return (group, tape.params.index(vid.param), term, _NAME_ORDER[vid.name], idx[-1] if vid.name == "factor" else 0)
    return (group, tape.params.index(vid.param) if vid.param else 0, 0, 0, 0)


@contextmanager
def _no_cycle_collection():
    """Python's cycle collector paused: the author's tape makes hundreds of thousands of small objects that
    never form cycles, and each collection would walk all of them again (a quarter of verify's time at
    T = 5,000, growing faster than T). Whatever cycles are made are collected once it resumes."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def verify(tape: Tape) -> Report:
    with _no_cycle_collection():
        return _verify(tape)


def _verify(tape: Tape) -> Report:
    claims = sorted(tape.scenario.claims, key=lambda c: tape_order(tape, c.id))
    rank = {c.id: n for n, c in enumerate(claims)}
    author = AuthorTape(tape, claims)
    true = {c.id: tape.value(parsed_id(c.id)) for c in claims}
    stated = {c.id: c.value for c in claims}
    unit = {c.id: printed_unit(c.text) for c in claims}
    # against the truth alone: "right", "rounding" or "wrong" (known before any claim is explained)
    standing = {c.id: "right" if _within(c.value, true[c.id], 0.5, unit[c.id]) else
                "rounding" if _within(c.value, true[c.id], 1.5, unit[c.id]) else "wrong" for c in claims}
    symbols = {c.id: value_symbol(tape, c.id) for c in claims}
    results = {}
    for claim in claims:
        common = dict(id=claim.id, symbol=symbols[claim.id], stated_text=claim.text, stated=claim.value,
                      whole=claim.whole,
                      true=true[claim.id], step=tape.step_of(parsed_id(claim.id)),
                      digits=agreeing_digits(claim.value, true[claim.id], significant_digits(claim.text)))
        results[claim.id] = _judge(claim, unit[claim.id], author.recompute(claim.id), standing, stated, true,
                                   symbols, rank.__getitem__, common,
                                   _mover(author, claim.id, unit[claim.id], true))
    if getattr(tape, "cell", None) is not None:  # SPEC §8: name the slip where a slipped formula gives the claim
        for claim in claims:
            if results[claim.id].verdict == "slip":
                results[claim.id] = _named(results[claim.id], tape, author, claim, unit[claim.id])
    ordered = [results[c.id] for c in claims]
    return Report(tape.scenario.name, ordered, _roots(results), tape)


def _named(result: ClaimResult, tape: Tape, author: AuthorTape, claim, unit: float) -> ClaimResult:
    """A slip, with the names of the slips (slips_gated.py) whose formulas, worked from the author's values,
    give the stated number at its printed precision (half a unit of its last digit, and the rounding spread)."""
    from .slips_gated import slips_of

    names = []
    for c in author.recompute_by(slips_of(tape, claim.id)):
        if math.isfinite(c.value) and c.formula not in names and (
                _within(claim.value, c.value, 0.5, unit) or abs(claim.value - c.value) <= 0.5 * unit + c.spread):
            names.append(c.formula)
    return replace(result, likely_slip=" or ".join(names)) if names else result


def _printed(value: float, unit: float) -> float:
    """The number as printed to ``unit`` (its last digit), for telling two printed numbers apart."""
    return round(value / unit) if math.isfinite(value) else value


def _mover(author: AuthorTape, vid: str, unit: float, true: dict[str, float]):
    """``moves(c, x)``: does the stated input ``x`` change the claim's printed value worked out as ``c``?
    It does when recomputing with ``x``'s true value prints a different number (f₁ cannot move
    c₁ = f₁·c₀ + i₁·g₁ when c₀ = 0; a claim follows only from an input that moves it)."""
    memo: dict[str, list[Candidate]] = {}

    def moves(c: Candidate, x: str) -> bool:
        found = memo.get(x)
        if found is None:
            found = memo[x] = author.recompute_corrected(vid, x, true[x])
        # the same formula's workings that go through x (a working that skips x, f′ from O instead of from a,
        # says nothing of x); none left (x fell outside the sources kept): x is taken to move it
        through = [d for d in found if d.formula == c.formula and x in d.sources]
        printed = _printed(c.value, unit)
        return not any(_printed(d.value, unit) == printed or (math.isnan(d.value) and math.isnan(c.value))
                       for d in through)

    return moves


def _judge(claim, unit: float, author: list[Candidate], standing: dict[str, str], stated: dict[str, float],
           true: dict[str, float], symbols: dict[str, str], order, common: dict, moves) -> ClaimResult:
    """One claim's verdict, given the author's values of it worked out by its own formulas; ``moves(c, x)``
    says whether the stated input ``x`` moves the printed value of working ``c`` (``_mover``)."""
    finite = [c for c in author if math.isfinite(c.value)]
    # of the workings that agree, the one nearest to stated numbers reads best ("from ∂L/∂a₃")
    nearest = sorted(finite, key=lambda c: (c.hops, len(c.sources), abs(claim.value - c.value)))

    def culprits(c: Candidate) -> tuple[str, ...]:
        """The stated numbers it traces back to that are wrong (else off by one, else not exactly true)."""
        sources = sorted(c.sources, key=order)
        return (tuple(i for i in sources if standing[i] == "wrong" and moves(c, i)) or
                tuple(i for i in sources if standing[i] == "rounding") or
                tuple(i for i in sources if stated[i] != true[i]))

    def agrees(c: Candidate, units: float) -> bool:
        return _within(claim.value, c.value, units, unit) or abs(claim.value - c.value) <= units * unit + c.spread

    agreeing = [c for c in nearest if agrees(c, 1.5)]
    common = dict(common, worked_from=tuple(sorted(agreeing[0].sources, key=order)) if agreeing else ())

    standing_here = standing[claim.id]
    if standing_here == "right":
        if finite and any(c.sources for c in finite) and not any(agrees(c, 1.5) for c in finite):
            c = finite[0]
            names = ", ".join(symbols[i] for i in sorted(c.sources, key=order))
            note = f"does not follow from the stated {names} (they give {nt.fmt(c.value)})"
            return ClaimResult(verdict="right", recomputed=c.value, formula=c.formula, note=note, **common)
        return ClaimResult(verdict="right", **common)
    if standing_here == "rounding":
        for c in nearest:
            wrong_sources = tuple(i for i in sorted(c.sources, key=order) if standing[i] == "wrong" and moves(c, i))
            if wrong_sources and agrees(c, 0.5):
                return ClaimResult(verdict="follows", follows_from=wrong_sources, recomputed=c.value,
                                   formula=c.formula, **common)
        return ClaimResult(verdict="rounding", **common)
    for c in nearest:
        if agrees(c, 1.5):
            found = culprits(c)
            if found:
                return ClaimResult(verdict="follows", follows_from=found, recomputed=c.value, formula=c.formula,
                                   **common)
    first = finite[0] if finite else (author[0] if author else None)
    return ClaimResult(verdict="slip", recomputed=first.value if first else None,
                       formula=first.formula if first else "", **common)


def _roots(results: dict[str, ClaimResult]) -> dict[str, tuple[str, ...]]:
    """For each claim that follows: the slips it comes from, through the claims it follows from.

    A right or rounding number on the way (too few digits to show the error) is
    traced through the stated numbers its working used.
    """
    def edges(r: ClaimResult) -> tuple[str, ...]:
        return () if r.verdict == "slip" else r.follows_from if r.verdict == "follows" else r.worked_from

    roots: dict[str, tuple[str, ...]] = {}
    for start in results:
        if results[start].verdict != "follows" or start in roots:
            continue
        stack, seen = [start], {start}
        while stack:  # depth-first without recursion: a chain of claims may be T long
            current = stack[-1]
            pending = [i for i in edges(results[current]) if i not in roots and i not in seen]
            if pending:
                seen.update(pending)
                stack.extend(pending)
                continue
            stack.pop()
            found: dict[str, None] = {}
            for i in edges(results[current]):
                found.update(dict.fromkeys((i,) if results[i].verdict == "slip" else roots.get(i, ())))
            roots[current] = tuple(found)
    return {i: found for i, found in roots.items() if results[i].verdict == "follows"}
