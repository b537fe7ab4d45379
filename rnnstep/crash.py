"""When something unexpected breaks: the full traceback goes to a file, one line to stderr.

A student should never be left with a wall of locals on the screen, a terminal in
raw mode, or an exit code of 0 after a crash. The report lives in the user's
state folder (``$XDG_STATE_HOME/rnnstep``), or the temporary folder if that
cannot be written.
"""

from __future__ import annotations

import os
import sys
import time
import traceback
from pathlib import Path


def report_folder() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "rnnstep"


def traceback_text(error: BaseException) -> str:
    """``error``'s traceback, always with frames: an error handed over without being raised has none of its
    own (Textual's ``WorkerFailed`` wraps the worker's error in ``.error``, neither raised nor chained), so the
    wrapped error's traceback comes first and the stack that reported it stands in for the missing one."""
    text = ""
    wrapped = getattr(error, "error", None)
    if isinstance(wrapped, BaseException) and wrapped is not error and error.__cause__ is None:
        text = "".join(traceback.format_exception(wrapped)) + "\nThe above exception was reported as:\n\n"
    if error.__traceback__ is None:
        stack = traceback.format_stack()[:-2]  # up to the caller of write_report
        return text + "Traceback (most recent call last):\n" + "".join(stack) + "".join(
            traceback.format_exception_only(error))
    return text + "".join(traceback.format_exception(error))


def write_report(error: BaseException) -> Path | None:
    """Write ``error``'s traceback to a new file and return its path (None if nothing could be written)."""
    text = traceback_text(error)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    import tempfile

    for folder in (report_folder(), Path(tempfile.gettempdir())):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"rnnstep-crash-{stamp}-{os.getpid()}.txt"
            with open(path, "x", encoding="utf-8") as out:
                out.write(f"rnnstep {' '.join(sys.argv[1:])}\n\n{text}")
            return path
        except OSError:
            continue
    return None


def crash_line(error: BaseException, path: Path | None) -> str:
    """The one line on stderr after a crash."""
    what = f"{type(error).__name__}: {error}".splitlines()[0][:120]
    where = f"the full traceback is in {path}" if path else "the traceback could not be written to a file"
    return f"rnnstep: internal error ({what}); {where} — please report it"
