"""A progress bar on stderr for long command-line work: only when stderr is a terminal, never when piped.

Rich's progress display is imported only when a bar is shown, so short runs and
pipes start as fast as before.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import TYPE_CHECKING, Callable, Iterable, Iterator, TextIO

if TYPE_CHECKING:  # pragma: no cover
    from .tape import Tape

LONG = 20_000  # chunks (about one per term or line): below this the work takes well under a second


def chunk_estimate(tape: "Tape") -> int:
    """About how many chunks any trace format writes: a line or record per step, term and gradient."""
    return 2 * tape.T + len(tape.targets) + sum(len(table) + 2 for table in tape.gradients.values()) + 60


def shows_progress(total: int, stream: TextIO | None = None) -> bool:
    stream = stream or sys.stderr
    try:
        return total >= LONG and stream.isatty()
    except ValueError:  # a closed stream
        return False


@contextmanager
def progress_bar(total: int, description: str, stream: TextIO | None = None) -> Iterator[Callable[[int], None]]:
    """``advance(n)`` for a bar on ``stream`` (stderr) — a no-op when the work is short or nobody is watching."""
    stream = stream or sys.stderr
    if not shows_progress(total, stream):
        yield lambda n: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), TimeRemainingColumn(),
                  console=Console(file=stream), transient=True) as progress:
        task = progress.add_task(description, total=total)
        yield lambda n: progress.advance(task, n)
        progress.update(task, completed=total)


def with_progress(chunks: Iterable[str], total: int, description: str, stream: TextIO | None = None) -> Iterator[str]:
    """``chunks`` unchanged, advancing a bar on stderr (when there is one) every thousand chunks."""
    if not shows_progress(total, stream):
        yield from chunks
        return
    with progress_bar(total, description, stream) as advance:
        done = 0
        for chunk in chunks:
            yield chunk
            done += 1
            if done == 1000:
                advance(done)
                done = 0
