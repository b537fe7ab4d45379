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
from typing import Callable

from .. import notation as nt
from ..tape import Tape
from .grading import is_right
from .history import History
from .questions import Question


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
        if self.finished or self.position >= len(self.questions):
            return None
        return self.questions[self.position]

    @property
    def remaining(self) -> list[Question]:
        return [] if self.current is None else self.questions[self.position:]

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

    def answer(self, value: float) -> Feedback:
        q = self.current
        assert q is not None
        right = is_right(value, q.value, self.rtol, self.atol)
        shown = nt.fmt(q.value, self.digits)
        if right:
            line = f"✓ right: {q.symbol} = {shown}"
        else:
            line = f"✗ wrong: you said {nt.fmt(value, self.digits)}; {q.symbol} = {q.formula} = {q.numbers} = {shown}"
        return self._record(q, value, right, skipped=False, line=line)

    def skip(self) -> Feedback:
        q = self.current
        assert q is not None
        line = f"✗ skipped: {q.symbol} = {q.formula} = {q.numbers} = {nt.fmt(q.value, self.digits)}"
        return self._record(q, None, False, skipped=True, line=line)

    def quit(self) -> None:
        self.finished = True

    @property
    def score(self) -> str:
        return f"score: {self.right}/{self.answered}"

    def _record(self, q: Question, value: float | None, right: bool, skipped: bool, line: str) -> Feedback:
        if self.history is not None:  # on disk before the next question is shown
            self.history.append({
                "time": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(self.clock())),
                "session": self.session_id,
                "scenario": self.tape.scenario.name,
                "scenario_hash": scenario_hash(self.tape),
                "id": q.id,
                "kind": q.kind,
                "answer": None if value is None else _json_number(value),
                "value": _json_number(q.value),
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
