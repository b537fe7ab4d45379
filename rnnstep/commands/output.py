"""Where a command's output goes: standard output, or -o PATH written whole or not at all (no partial file,
no overwrite without --force), and a refusal of a name whose extension contradicts --format."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Callable, TextIO

from .usage import UsageError


def write_output(path: str | None, force: bool, write: Callable[[TextIO], None]) -> None:
    """Write to stdout, or to PATH atomically, refusing to overwrite without ``force``."""
    if path is None:
        write(sys.stdout)
        sys.stdout.flush()
        return
    from ..user_files import name_problem

    if name_problem(path):  # a name over 255 bytes, a NUL: no file can be made there
        raise UsageError(f"{path}: cannot write: {name_problem(path)}")
    target = Path(path)
    if target.is_dir():
        raise UsageError(f"{path}: is a directory; expected a file to write")
    if target.exists() and not target.is_file():
        # a device or pipe (/dev/null, a FIFO): write into it; never rename over it
        try:
            with open(target, "w", encoding="utf-8") as out:
                write(out)
        except OSError as exc:
            raise UsageError(f"{path}: cannot write: {exc.strerror or exc}") from None
        return
    if target.exists() and not force:
        raise UsageError(f"{path}: already exists; use --force to overwrite it")
    import tempfile  # only here: it costs start-up time on every other path

    from ..partial import held, track, writing  # removed by SIGTERM and SIGHUP too, not only by unwinding

    directory = target.parent if str(target.parent) else Path(".")
    try:
        with held():
            fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", dir=directory)
            track(temp)
    except OSError as exc:
        raise UsageError(f"{path}: cannot write: {exc.strerror or exc}") from None
    umask = os.umask(0)
    os.umask(umask)
    os.fchmod(fd, 0o666 & ~umask)  # mkstemp makes 0600; the file should have a new file's permissions
    with writing(temp):
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                write(out)
        except OSError as exc:  # the disk filled up, a quota, an I/O error: one line, and no partial file
            if isinstance(exc, BrokenPipeError):
                raise
            raise UsageError(f"{path}: cannot write: {exc.strerror or exc}") from None
        if not force and target.exists():
            raise UsageError(f"{path}: already exists; use --force to overwrite it")
        os.replace(temp, target)


#: what a file name's extension says it holds
_EXTENSION_FORMAT = {".md": "markdown", ".markdown": "markdown", ".tex": "latex", ".latex": "latex",
                     ".json": "json", ".txt": "table"}

_FORMAT_EXTENSION = {"markdown": ".md", "latex": ".tex", "json": ".json", "table": ".txt"}


def refuse_contradicting_extension(command: str, path: str | None, format: str, force: bool) -> None:
    """`-o out.md --format latex` is almost surely a mistake: refuse it in one line unless --force."""
    if path is None or force:
        return
    claimed = _EXTENSION_FORMAT.get(Path(path).suffix.lower())
    if claimed is not None and claimed != format:
        raise UsageError(f"{command}: {path} is named like {claimed} but --format {format} writes {format}; "
                         f"name it {Path(path).with_suffix(_FORMAT_EXTENSION[format])}, "
                         f"or give --force to write it anyway")
