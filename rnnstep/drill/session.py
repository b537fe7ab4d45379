"""One drill, front-end agnostic: the current question, hints, grading, score, streak, history.

The plain (line) mode and the TUI both drive a ``DrillSession``; neither grades
or records anything itself.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from .. import notation as nt
from ..tape import Tape
from .arrays import AnswerError, ShapeError, bracketed, entry_name, how_to_type, read_array, wrong_entries
from .grading import NotANumber, command_of, is_right, parse_answer
from .history import History
from .questions import Question
from .term_lists import NotATermList, grade_terms, looks_like_list, parse_terms, written

#: wrong entries named one by one in the feedback; the rest are counted
NAMED_WRONG = 4


@dataclass(frozen=True)
class Feedback:
    right: bool
    skipped: bool
    line: str  # starts with ✓ or ✗


def scenario_hash(tape: Tape) -> str:
    text = json.dumps(tape.scenario.to_dict(), sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _json_number(x: float) -> float | str:
    return x if math.isfinite(x) else ("nan" if math.isnan(x) else ("inf" if x > 0 else "-inf"))


def _json_value(x: Any) -> Any:
    """A number, or a vector or matrix as (nested) lists; strict JSON (SPEC §5's "inf", "-inf", "nan")."""
    a = np.asarray(x, dtype=np.float64)
    if a.ndim == 0:
        return _json_number(float(a))
    return [_json_value(v) for v in a]


@dataclass
class DrillSession:
    tape: Tape
    questions: list[Question]
    history: History | None = None
    rtol: float = 0.01
    atol: float = 1e-9
    digits: int = 6
    clock: Callable[[], float] = time.time
    session_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    position: int = 0
    hints_used: int = 0
    right: int = 0
    answered: int = 0
    streak: int = 0
    best_streak: int = 0
    finished: bool = False

    @property
    def current(self) -> Question | None:
        if self.finished:
            return None
        try:  # not len(): the questions are made as they are reached (drill.lazy)
            return self.questions[self.position]
        except IndexError:
            return None

    def prompt(self) -> str:
        """The question as the plain protocol prints it: `? <id> <question>`."""
        q = self.current
        assert q is not None
        return f"? {q.id} {q.text}"

    def hint(self) -> str:
        q = self.current
        assert q is not None
        self.hints_used += 1
        if self.hints_used == 1:
            return f"hint: {q.symbol} = {q.formula}; {q.hint}"
        return f"hint: {q.symbol} = {q.formula} = {q.numbers}"

    def read(self, text: str) -> Any:
        """What the learner typed for the current question: a command ("hint", "skip", "quit") or an
        answer of the question's shape. Anything else raises AnswerError with a one-line message; the
        question is then asked again and nothing is counted (as for junk)."""
        q = self.current
        assert q is not None
        if q.terms and command_of(text) is None and looks_like_list(text):  # "(6,6) (6,5) …" (SPEC §9)
            try:
                return parse_terms(text)
            except NotATermList as exc:
                raise AnswerError(f"not a list of terms: {exc} — type (t,k) pairs such as (6,6) (6,5), "
                                  "or their count, or hint, skip, quit") from None
        if not self.tape.vector or q.terms:  # plain numbers: exactly the notes' drill
            try:
                return parse_answer(text)
            except NotANumber:
                raise AnswerError(f"not a number: {text.strip()[:40]!r} — type a number, or hint, skip, quit") \
                    from None
        command = command_of(text)
        if command is not None:
            return command
        try:
            return read_array(text, q.shape)
        except ShapeError as exc:
            raise ShapeError(f"wrong shape: {exc} — type it again, or hint, skip, quit") from None
        except AnswerError as exc:
            raise AnswerError(f"not an answer: {exc} — type {how_to_type(q.shape)}, or hint, skip, quit") from None

    def answer(self, value: Any) -> Feedback:
        q = self.current
        assert q is not None
        if q.shape:
            return self._answer_array(q, value)
        if q.terms and isinstance(value, tuple):
            return self._answer_terms(q, value)
        right = is_right(value, q.value, self.rtol, self.atol)
        shown = nt.fmt(q.value, self.digits)
        if right:
            line = f"✓ right: {q.symbol} = {shown}"
        else:
            line = (f"✗ wrong: you said {nt.fmt(value, self.digits)}; {q.symbol} = {q.formula} = {q.numbers} "
                    f"{q.sign} {shown}")
        return self._record(q, value, right, skipped=False, line=line)

    def _answer_array(self, q: Question, value: Any) -> Feedback:
        """Graded entry by entry with the same tolerances; right only if every entry is."""
        value = np.asarray(value, dtype=np.float64).reshape(q.shape)
        wrong = wrong_entries(value, q.value, self.rtol, self.atol)
        shown = bracketed(q.value, self.digits, limit=None)
        if not wrong:
            line = f"✓ right: {q.symbol} = {shown}"
        else:
            d = self.digits
            named = "; ".join(f"{entry_name(i)} should be {nt.fmt(right, d)}, you wrote {nt.fmt(given, d)}"
                              for i, right, given in wrong[:NAMED_WRONG])
            more = f"; and {len(wrong) - NAMED_WRONG} more" if len(wrong) > NAMED_WRONG else ""
            count = f"{len(wrong)} of {value.size} entries wrong: " if value.size > 1 else ""  # "✗ wrong" says it once
            line = f"✗ wrong: {count}{named}{more}. {q.symbol} = {shown}"
        return self._record(q, value, not wrong, skipped=False, line=line)

    def _answer_terms(self, q: Question, value: tuple) -> Feedback:
        """A list of (t, k): right when it names exactly the kept terms (any order), each once."""
        right, wrong = grade_terms(value, q.terms)
        count = f"{len(q.terms)} term{'s' if len(q.terms) != 1 else ''}"
        if right:
            line = f"✓ right: the {count} {written(q.terms, most=12)}"
        else:
            line = f"✗ wrong: {wrong}. The {count}: {written(q.terms, most=24)}"
        return self._record(q, [list(tk) for tk in value], right, skipped=False, line=line)

    def skip(self) -> Feedback:
        q = self.current
        assert q is not None
        if q.shape:  # the formula's numbers are in the hint; the value is what the learner needs now
            line = f"✗ skipped: {q.symbol} = {q.formula} = {bracketed(q.value, self.digits, limit=None)}"
            return self._record(q, None, False, skipped=True, line=line)
        line = f"✗ skipped: {q.symbol} = {q.formula} = {q.numbers} {q.sign} {nt.fmt(q.value, self.digits)}"
        return self._record(q, None, False, skipped=True, line=line)

    def quit(self) -> None:
        self.finished = True

    @property
    def score(self) -> str:
        return f"score: {self.right}/{self.answered}"

    def _record(self, q: Question, value: Any, right: bool, skipped: bool, line: str) -> Feedback:
        if self.history is not None:  # on disk before the next question is shown
            self.history.append({
                "time": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(self.clock())),
                "session": self.session_id,
                "scenario": self.tape.scenario.name,
                "scenario_hash": scenario_hash(self.tape),
                "id": q.id,
                "kind": q.kind,
                "answer": None if value is None else _json_value(value),
                "value": _json_value(q.value),
                "right": right,
                "skipped": skipped,
                "hints": self.hints_used,
            })
        self.answered += 1
        self.right += right
        self.streak = self.streak + 1 if right else 0
        self.best_streak = max(self.best_streak, self.streak)
        self.position += 1
        self.hints_used = 0
        return Feedback(right, skipped, line)
