"""The drill history: one JSON line per answer, appended and flushed to disk before the next question.

A drill killed at any moment loses nothing already answered and leaves no torn
line behind it; a corrupt or partly written file is read with its bad lines
skipped (one warning), and is never truncated or rewritten.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from ..user_files import MAX_HISTORY_BYTES, PathProblem, name_problem, os_problem, read_user_file


def default_path() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / "rnnstep" / "history.jsonl"


class HistoryError(OSError):
    """The history file cannot be written (a one-line message for the user)."""


@dataclass
class Loaded:
    records: list[dict]
    bad_lines: int

    @property
    def warning(self) -> str | None:
        if not self.bad_lines:
            return None
        return f"skipped {self.bad_lines} unreadable line{'s' if self.bad_lines != 1 else ''} in the history"


class History:
    """An append-only JSON-lines file."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def append(self, record: dict) -> None:
        """Write one record as one line, whole, and flush it to disk."""
        line = json.dumps(record, ensure_ascii=False, allow_nan=False, separators=(",", ":")) + "\n"
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        except OSError as exc:
            raise HistoryError(f"{self.path}: cannot write the history: {exc.strerror or exc}") from None
        try:
            data = line.encode("utf-8")
            if _ends_without_newline(self.path):
                data = b"\n" + data  # a line torn by an earlier crash: never glue a new record onto it
            written = os.write(fd, data)  # one write to an O_APPEND file: the line lands whole
            if written != len(data):
                raise HistoryError(f"{self.path}: short write to the history")
            os.fsync(fd)
        except OSError as exc:
            raise HistoryError(f"{self.path}: cannot write the history: {exc.strerror or exc}") from None
        finally:
            os.close(fd)

    def check_writable(self) -> None:
        """Raise HistoryError now unless an answer could be appended: before the first question, so no
        answer is lost to a read-only folder. (It may leave an empty history file behind.)"""
        problem = name_problem(self.path)
        if problem:
            raise HistoryError(f"{self.path}: cannot write the history: {problem}")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NONBLOCK, 0o644)  # a FIFO: no wait
        except OSError as exc:
            raise HistoryError(f"{self.path}: cannot write the history: {os_problem(exc)}") from None
        try:
            os.fsync(fd)  # as append does after each answer (/dev/null refuses it)
        except OSError as exc:
            raise HistoryError(f"{self.path}: cannot write the history: {os_problem(exc)}") from None
        finally:
            os.close(fd)

    def load(self) -> Loaded:
        """Every readable record; bad lines are counted, not fatal."""
        records, bad = [], 0
        try:
            raw = read_user_file(self.path, MAX_HISTORY_BYTES, "a drill history file")  # a regular file, bounded
        except PathProblem as exc:
            if str(exc) == "no such file":
                return Loaded([], 0)
            raise HistoryError(f"{self.path}: cannot read the history: {exc}") from None
        for line in raw.split(b"\n"):
            if not line.strip():
                continue
            try:
                record = json.loads(line.decode("utf-8"))
            except (UnicodeDecodeError, ValueError, RecursionError):  # 100,000 "[" nest too deep for json
                bad += 1
                continue
            if isinstance(record, dict) and isinstance(record.get("kind"), str) and isinstance(record.get("right"), bool):
                records.append(record)
            else:
                bad += 1
        return Loaded(records, bad)


def _ends_without_newline(path: Path) -> bool:
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            if f.tell() == 0:
                return False
            f.seek(-1, os.SEEK_END)
            return f.read(1) != b"\n"
    except OSError:
        return False
