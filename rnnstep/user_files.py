"""Files and paths a user names: one bounded read of a regular file, and paths typed by hand.

Every scenario — FILE on the command line, the files `serve` serves and the debugger's
open dialog — is read by ``read_user_file``: only a regular file (a FIFO would block,
``/dev/zero`` never ends), and at most ``MAX_SCENARIO_BYTES``. A path typed in a dialog
goes through ``typed_path`` (``~`` expanded; ``~nosuchuser`` and over-long names are
one-line problems). Every problem is a ``PathProblem`` whose text is one line, without
the path: the caller names the file.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

#: the largest scenario file read (the shipped ones are a few kB; README "Limits")
MAX_SCENARIO_BYTES = 4 * 1024 * 1024
#: the largest drill history read (about 300,000 answers)
MAX_HISTORY_BYTES = 64 * 1024 * 1024
#: the longest name of one file or folder most file systems allow (NAME_MAX), in bytes
MAX_NAME_BYTES = 255


class PathProblem(ValueError):
    """A path that cannot be used; ``str()`` is one line for the user, without the path itself."""


def _size_text(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MiB" if size >= 1024 * 1024 else f"{size} bytes"


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def os_problem(exc: OSError) -> str:
    """An OSError as the words a user needs ("file name too long", "permission denied")."""
    if exc.errno == errno.ENAMETOOLONG:
        return f"a name in the path is too long (at most {MAX_NAME_BYTES} bytes per name)"
    return exc.strerror or str(exc)


def name_problem(path: str | Path) -> str | None:
    """Why ``path`` cannot name a file at all (a NUL, a name over 255 bytes), or None."""
    text = os.fspath(path)
    if "\0" in text:
        return "a path cannot contain a NUL character"
    for part in Path(text).parts:
        if len(os.fsencode(part)) > MAX_NAME_BYTES:
            return f"a name in the path is {len(os.fsencode(part))} bytes long; at most {MAX_NAME_BYTES} are allowed"
    return None


def read_user_file(path: str | Path, limit: int = MAX_SCENARIO_BYTES, expected: str = "a .toml scenario file") -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes; anything else is a PathProblem.

    Never blocks on a FIFO (it is refused before it is opened, and opened non-blocking in case
    one was swapped in) and never reads more than ``limit`` + 1 bytes."""
    problem = name_problem(path)
    if problem:
        raise PathProblem(problem)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise PathProblem("no such file") from None
    except OSError as exc:
        raise PathProblem(f"cannot read: {os_problem(exc)}") from None
    if not stat.S_ISREG(info.st_mode):
        raise PathProblem(f"is {_kind(info.st_mode)}, expected {expected}")
    if info.st_size > limit:
        raise PathProblem(f"is {_size_text(info.st_size)}; {expected} may be at most {_size_text(limit)}")
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise PathProblem(f"cannot read: {os_problem(exc)}") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):  # replaced between the stat and the open
            raise PathProblem(f"is {_kind(os.fstat(fd).st_mode)}, expected {expected}")
        chunks, total = [], 0
        while total <= limit:
            chunk = os.read(fd, min(1 << 16, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as exc:
        raise PathProblem(f"cannot read: {os_problem(exc)}") from None
    finally:
        os.close(fd)
    if total > limit:  # it grew after the stat
        raise PathProblem(f"is larger than {_size_text(limit)}, the most {expected} may be")
    return b"".join(chunks)


def typed_path(text: str) -> Path:
    """A path typed by hand in a dialog: ``~`` and ``~user`` expanded; a PathProblem if it cannot name a file."""
    text = text.strip()
    if text.startswith("~"):
        try:
            path = Path(text).expanduser()
        except RuntimeError:  # ~nosuchuser, or no home folder at all
            user = text[1:].split("/", 1)[0]
            raise PathProblem(f"{'~' + user}: no such user, so no home folder to start from" if user
                              else "~: cannot tell the home folder (HOME is not set)") from None
    else:
        path = Path(text)
    problem = name_problem(path)
    if problem:
        raise PathProblem(problem)
    return path
