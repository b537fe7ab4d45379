"""The debugger remembers where a student left a scenario file: the step, the breakpoints, the epoch,
and the watches and conditional breakpoints typed at ':'.

Kept in ``$XDG_STATE_HOME/rnnstep/debugger.json`` (default ``~/.local/state/rnnstep``), keyed by the file's
absolute path, and valid only for the same content (a SHA-256 of the file's bytes): a file that changed
starts at step 1 and says so. A damaged state file is ignored with a note, never a crash; ``--fresh``
starts over (and what is left this time is remembered as usual).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..crash import report_folder

#: scenario files remembered at most (the oldest are forgotten first)
MOST_FILES = 200
#: epochs replayed at most when reopening (each is one more tape to build)
MOST_EPOCHS = 50
#: the state file's size limit
MOST_BYTES = 2_000_000


@dataclass
class Recalled:
    """What to restore (ids, so they are checked against the tape), and the one line to say about it."""

    cursor: str | None = None
    breakpoints: list[str] = field(default_factory=list)
    epoch: int = 0
    note: str | None = None
    watches: list[str] = field(default_factory=list)  # value ids, as typed at ':' (checked against the tape)
    conditions: list[str] = field(default_factory=list)  # "|term| < 1e-6", parsed again when restored


def state_file() -> Path:
    return report_folder() / "debugger.json"


def file_key(source: str) -> tuple[str, str] | None:
    """(absolute path, SHA-256 of the bytes) of a scenario's file, or None (typed text, an unreadable file)."""
    if source.startswith("<"):
        return None
    path = Path(source).expanduser()
    try:
        with open(path, "rb") as f:
            digest = hashlib.sha256(f.read(MOST_BYTES * 10)).hexdigest()
    except OSError:
        return None
    return str(path.resolve()), digest


def _read(path: Path) -> tuple[dict, str | None]:
    """The remembered files, and a note when the state file was there but could not be used."""
    try:
        with open(path, "rb") as f:
            data = f.read(MOST_BYTES + 1)
    except FileNotFoundError:
        return {}, None
    except OSError as exc:
        return {}, f"could not read {path} ({exc.strerror or exc}): starting afresh"
    try:
        if len(data) > MOST_BYTES:
            raise ValueError("too large")
        table = json.loads(data.decode("utf-8"))
        if not isinstance(table, dict) or not isinstance(table.get("files"), dict):
            raise ValueError("not a state file")
        return table["files"], None
    except (ValueError, UnicodeDecodeError, RecursionError):
        return {}, f"ignored a damaged state file ({path}): starting afresh"


def recall(source: str, fresh: bool = False, path: Path | None = None) -> Recalled:
    """Where the student left the file ``source`` (nothing with ``fresh``, or for typed text)."""
    key = file_key(source)
    if key is None or fresh:
        return Recalled()
    files, note = _read(path or state_file())
    entry = files.get(key[0])
    if note or not isinstance(entry, dict):
        return Recalled(note=note)
    if entry.get("sha256") != key[1]:
        return Recalled(note=f"{Path(key[0]).name} changed since last time: starting at step 1")
    cursor = entry.get("cursor")
    marks = entry.get("breakpoints")
    epoch = entry.get("epoch")
    if not isinstance(cursor, str) or not isinstance(marks, list) or not all(isinstance(m, str) for m in marks) \
            or isinstance(epoch, bool) or not isinstance(epoch, int) or epoch < 0:
        return Recalled(note=f"ignored a damaged entry for {Path(key[0]).name} in {path or state_file()}")
    watches, conditions = entry.get("watches", []), entry.get("conditions", [])
    if not all(isinstance(v, list) and all(isinstance(x, str) for x in v) for v in (watches, conditions)):
        watches, conditions = [], []  # an entry from before watches were kept, or damaged there: the rest stands
    return Recalled(cursor=cursor, breakpoints=marks, epoch=min(epoch, MOST_EPOCHS), watches=watches[:50],
                    conditions=conditions[:50])


def keep(source: str, cursor: str, breakpoints: list[str], epoch: int, path: Path | None = None,
         watches: list[str] = (), conditions: list[str] = ()) -> None:
    """Remember where the student is in ``source`` (quietly nothing if the state folder cannot be written)."""
    key = file_key(source)
    if key is None:
        return
    path = path or state_file()
    files, _ = _read(path)
    files.pop(key[0], None)
    files[key[0]] = {"sha256": key[1], "cursor": cursor, "breakpoints": breakpoints, "epoch": epoch,
                     "watches": list(watches), "conditions": list(conditions)}
    files = dict(list(files.items())[-MOST_FILES:])  # the most recently left last
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(prefix=".debugger-", suffix=".json", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump({"format": "rnnstep-debugger-state/1", "files": files}, out)
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError:
        pass
