"""Marks for a worked example: one test per claim, with error carried forward.

``verify`` already knows, for every wrong number, whether it is a **slip** (an
error made at that very step) or **follows** from an earlier slip (right, given
the student's own wrong inputs). Markers give a number that follows its full
marks — "error carried forward" — and take the marks only where the slip was
made. ``mark_report`` applies that rule to a verify report: a slip scores 0 and
says what was stated, what is true and where the error first appears; a number
that follows keeps its mark and says which slip it follows from; a number off
by one in its last digit (rounding) is right. A vector or matrix stated whole is
one claim, marked in proportion to its entries.

A marks file (``--marks FILE.toml``) sets each claim's marks by its id or by its
kind (the id without indices: ``forward.O``, ``gradients.w.term``), e.g.::

    default = 1
    [marks]
    "gradients.w.total" = 3      # this claim
    "forward.O" = 0.5            # every O_t claimed
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from pathlib import Path

from . import ids
from . import notation as nt
from .verify import ClaimResult, Report

FULL = ("right", "rounding", "follows")


class MarksError(ValueError):
    """A marks file that cannot be used: one line naming the file and the key."""


@dataclass(frozen=True)
class Marks:
    """Marks per claim id, per kind, and a default; read from a TOML file or all 1."""

    by_id: dict[str, float]
    by_kind: dict[str, float]
    default: float = 1.0
    source: str = ""

    def of(self, claim_id: str) -> float:
        if claim_id in self.by_id:
            return self.by_id[claim_id]
        return self.by_kind.get(kind_of(claim_id), self.default)


ONE_EACH = Marks({}, {})


def kind_of(claim_id: str) -> str:
    """A claim's kind: its id without indices (``forward.O[2]`` -> ``forward.O``)."""
    vid = ids.parse_id(claim_id)
    return str(ids.ValueId(vid.group, vid.name, vid.param))


def _mark_value(source: str, key: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise MarksError(f"{source}: {key}: expected a number of marks from 0 to 1,000,000, found {value!r}")
    try:
        number = float(value)
    except OverflowError:
        raise MarksError(f"{source}: {key}: expected a number of marks from 0 to 1,000,000, found a number too large") from None
    if not math.isfinite(number) or number < 0 or number > 1e6:
        raise MarksError(f"{source}: {key}: expected a number of marks from 0 to 1,000,000, found {value!r}")
    if 0 < number < 1e-6:
        raise MarksError(f"{source}: {key}: {value!r} marks is too small to be written as a score; use 0 or more")
    return number


def read_marks(path: str | Path) -> Marks:
    """Read a marks file; every mistake is a MarksError naming the file and the key."""
    path = Path(path)
    source = str(path)
    try:
        if not path.is_file():
            raise MarksError(f"{source}: no such file" if not path.exists() else f"{source}: not a regular file")
        with open(path, "rb") as handle:
            raw = handle.read((1 << 20) + 1)
    except OSError as exc:
        raise MarksError(f"{source}: cannot read: {exc.strerror or exc}") from None
    if len(raw) > 1 << 20:
        raise MarksError(f"{source}: larger than 1 MiB; a marks file is a short table of ids and numbers")
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError) as exc:
        raise MarksError(f"{source}: not a TOML marks file ({str(exc).splitlines()[0] if str(exc) else exc})") from None
    unknown = [k for k in data if k not in ("default", "marks")]
    if unknown:
        raise MarksError(f"{source}: {unknown[0]}: unknown key; expected `default = N` and a [marks] table")
    default = _mark_value(source, "default", data["default"]) if "default" in data else 1.0
    table = data.get("marks", {})
    if not isinstance(table, dict):
        raise MarksError(f"{source}: marks: expected a [marks] table of \"id or kind\" = N")
    by_id: dict[str, float] = {}
    by_kind: dict[str, float] = {}
    for key, value in table.items():
        where = f"marks.{key}" if "." not in key else f'marks."{key}"'
        marks = _mark_value(source, where, value)
        try:
            vid = ids.parse_id(key)
        except ids.IdError:
            vid = None
        if vid is not None and str(vid) == key.strip() and (vid.index or vid.component or vid.group == "loss"
                                                             or (vid.group == "gradients" and vid.name == "total")
                                                             or vid.group == "update"):
            by_id[str(vid)] = marks  # a whole id (total and update ids have no index)
            continue
        if not _is_kind(key):
            raise MarksError(f"{source}: {where}: expected a claim id (e.g. forward.O[2]) or a kind "
                             f"(e.g. forward.O, gradients.w.term), found {key!r}")
        by_kind[key] = marks
    return Marks(by_id, by_kind, default, source)


def _is_kind(key: str) -> bool:
    group, _, rest = key.partition(".")
    if group in ("forward", "outputs", "backward"):
        try:
            ids.parse_id(f"{key}[1]")
        except ids.IdError:
            return False
        return True
    if group == "gradients":
        parts = key.split(".")
        return len(parts) == 3 and parts[1] in ids.PARAMS and parts[2] in ("factor", "term", "running_sum", "delta",
                                                                          "total")
    return False


def check_marks_against(marks: Marks, claim_ids: list[str]) -> None:
    """A marks id that no claim has is a mistake (a typo would silently mark nothing)."""
    known = set(claim_ids)
    for claim_id in marks.by_id:
        if claim_id not in known:
            raise MarksError(f"{marks.source}: marks.\"{claim_id}\": no claim has this id "
                             f"(the claims are {', '.join(claim_ids[:4])}{', …' if len(claim_ids) > 4 else ''})")


@dataclass(frozen=True)
class Mark:
    """One claim's test: its score out of ``max_score`` and the feedback that says why."""

    claim: str  # the id as claimed (a whole vector's id for an array claim)
    name: str  # "O₂ (forward.O[2])"
    score: float
    max_score: float
    verdict: str  # right | rounding | follows | slip | mixed (an array with wrong entries) | missing
    output: str


def claim_groups(report: Report) -> list[tuple[str, list[ClaimResult]]]:
    """The report's results grouped by claim as written: one entry, or a whole vector's entries."""
    groups: dict[str, list[ClaimResult]] = {}
    for r in report.results:
        groups.setdefault(r.whole or r.id, []).append(r)
    return list(groups.items())


def _number(x: float | None) -> str:
    return "—" if x is None else nt.fmt(x)


def _entry_feedback(report: Report, r: ClaimResult, symbols: dict[str, str]) -> str:
    if r.verdict == "right":
        extra = f" ({r.note})" if r.note else ""
        return f"✓ {r.symbol} = {r.stated_text} is right (true value {_number(r.true)}){extra}."
    if r.verdict == "rounding":
        return (f"✓ {r.symbol} = {r.stated_text} is off by one in its last digit (true value {_number(r.true)}): "
                "a rounding, full marks.")
    if r.verdict == "follows":
        roots = report.roots.get(r.id) or r.follows_from
        where = ", ".join(f"{symbols.get(i, i)} (stated {report_stated(report, i)})" for i in roots)
        return (f"✓ error carried forward: {r.symbol} = {r.stated_text} is not the true value ({_number(r.true)}), "
                f"but it follows from your earlier error at {where}: worked from your own numbers it is right "
                f"({_number(r.recomputed)}), so it keeps its marks.")
    followers = report.followers(r.id)
    worked = ""
    if r.recomputed is not None:
        worked = f" Worked from your own earlier numbers it should be {_number(r.recomputed)}."
    if r.likely_slip:  # SPEC §8: the slip whose formula gives the stated number (slips_gated.py)
        worked += f" Your number is what that formula gives with this slip: {r.likely_slip}."
    later = ((" 1 later number that follows from it keeps its marks (error carried forward)." if followers == 1 else
              f" {followers} later numbers that follow from it keep their marks (error carried forward).")
             if followers else "")
    return (f"✗ slip: you stated {r.symbol} = {r.stated_text}; the true value is {_number(r.true)}. "
            f"The error first appears here, at {r.symbol} (`{r.id}`).{worked}{later}")


def report_stated(report: Report, claim_id: str) -> str:
    for r in report.results:
        if r.id == claim_id:
            return r.stated_text
    return "?"


def mark_report(report: Report, marks: Marks = ONE_EACH, expected: list[str] | None = None) -> list[Mark]:
    """One Mark per claim, in tape order; ``expected`` claim ids not answered score 0 as missing."""
    symbols = {r.id: r.symbol for r in report.results}
    out = []
    seen = set()
    for claim, entries in claim_groups(report):
        seen.add(claim)
        worth = marks.of(claim)
        full = sum(r.verdict in FULL for r in entries)
        score = worth * full / len(entries)
        if len(entries) == 1:
            verdict = entries[0].verdict
            output = _entry_feedback(report, entries[0], symbols)
        else:
            verdict = "right" if full == len(entries) else "slip" if full == 0 else "mixed"
            lines = [f"{full} of {len(entries)} entries earn their marks."]
            lines += [_entry_feedback(report, r, symbols) for r in entries if r.verdict not in ("right",)]
            output = "\n".join(lines)
        name = entries[0].symbol if len(entries) == 1 else entries[0].symbol.rsplit("[", 1)[0].removesuffix(", entry ")
        out.append(Mark(claim, f"{name} ({claim})", _tidy(score), _tidy(worth), verdict, output))
    for claim in expected or ():
        if claim not in seen:
            worth = marks.of(claim)
            name = missing_name(report, claim)
            out.append(Mark(claim, f"{name} ({claim})", 0.0, _tidy(worth), "missing", f"✗ {name} was not answered."))
    return out


def missing_name(report: Report, claim: str) -> str:
    """A question nobody answered, by the symbol a person reads (O₂, ∂L/∂w), from the report's tape."""
    tape = getattr(report, "tape", None)
    if tape is None:
        return claim
    from .verify import value_symbol

    try:
        return value_symbol(tape, claim)
    except (ValueError, KeyError, IndexError):
        return claim


def _tidy(x: float) -> float | int:
    """A score as a marker writes it: 2/3 of a mark is 0.6667, not 0.6666666666666666; 23.0 is 23."""
    rounded = round(x, 4)
    return int(rounded) if rounded == int(rounded) else rounded


def total(marks: list[Mark]) -> tuple[float, float]:
    return _tidy(math.fsum(m.score for m in marks)), _tidy(math.fsum(m.max_score for m in marks))


def summary_line(report: Report, marks: list[Mark]) -> str:
    score, out_of = total(marks)
    carried = sum(m.verdict == "follows" for m in marks)
    text = f"{_show(score)} / {_show(out_of)} marks; {report.summary}"
    if carried:
        text += f"; {carried} mark{'s' if carried != 1 else ''} kept by error carried forward"
    return text


def _show(x: float) -> str:
    return str(int(x)) if x == int(x) else f"{x:g}"
