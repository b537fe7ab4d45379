"""The debugger's export: the derivation written in a worker thread, with a progress bar and a cancel key.

Making the document and delivering it are kept apart: ``document_chunks`` is
the text (the render package's streams, chunk by chunk), ``write_new_file``
puts chunks into a new file — never over an existing one, and never leaving a
partial file: the chunks go to a hidden temporary file beside the target that
is linked into place only when complete. A served app can deliver the same
chunks to a browser instead.
"""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Iterator

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Label, ProgressBar

from ..render.derivation import item_count
from ..render.size import estimate_bytes, human_size
from ..tape import Tape
from .dialog import Confirm
from .paths import short_path, toast_message, toast_width
from ..partial import held, track, writing
from ..usertext import shown, shown_line, user_text

if TYPE_CHECKING:  # pragma: no cover
    from textual.app import App
    from textual.worker import Worker

SIZE_TO_ASK = 5_000_000  # bytes: a document larger than this is announced, and written only if the user agrees
FORMATS = {".md": "markdown", ".tex": "latex"}


class Cancelled(Exception):
    """The user cancelled an export: nothing was written."""


def document_chunks(tape: Tape, fmt: str, digits: int = 6, full_chains: bool = False) -> Iterator[str]:
    """The derivation as markdown or LaTeX, chunk by chunk (about one per record of the derivation)."""
    if tape.vector:  # SPEC §7: matrices as matrices
        from ..render.vector_export import iter_vector_derivation

        return iter_vector_derivation(tape, digits, fmt, full_chains)
    if fmt == "markdown":
        from ..render.markdown import iter_markdown

        return iter_markdown(tape, digits, full_chains)
    from ..render.latex import iter_latex

    return iter_latex(tape, digits, full_chains)


def chunk_count(tape: Tape) -> int:
    """About how many chunks ``document_chunks`` yields: the length of a progress bar."""
    if tape.vector:
        from ..render.vector_export import chunk_count as vector_chunks

        return vector_chunks(tape)
    return item_count(tape) + 8


def write_new_file(path: Path, chunks: Iterable[str], on_chunk: Callable[[int], None] | None = None,
                   cancelled: Callable[[], bool] = lambda: False) -> int:
    """Write ``chunks`` to a new file at ``path``; return its size in bytes.

    Raises FileExistsError if ``path`` exists (then or by the time the file is
    complete) and Cancelled when ``cancelled()`` turns true; in both cases, and
    on any error, nothing is left behind."""
    path = Path(path)
    if path.exists():
        raise FileExistsError(path)
    with held():
        fd, temp = _new_temporary(path)
        track(temp)
    with writing(temp):  # removed on any exit, SIGTERM and SIGHUP (a closed terminal) included
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            for n, chunk in enumerate(chunks, 1):
                if cancelled():
                    raise Cancelled
                out.write(chunk)
                if on_chunk is not None:
                    on_chunk(n)
            size = out.tell()
        try:
            os.link(temp, path)  # atomic, and fails if path exists: never overwrites
        except FileExistsError:
            raise
        except OSError:  # a filesystem without hard links: claim the name, then move the file over it
            if not os.path.exists(temp):  # removed meanwhile (a termination signal): claim nothing
                raise
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
            os.replace(temp, path)
        return size


def _new_temporary(path: Path) -> tuple[int, str]:
    """A new hidden file beside ``path``, with the permissions of any new file (mkstemp's are 0600)."""
    for _ in range(100):
        temp = str(path.with_name(f".{path.name}.{secrets.token_hex(4)}.part"))
        try:
            return os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), temp
        except FileExistsError:
            continue
    raise FileExistsError(temp)


class ExportBar(Horizontal):
    """A row above the status line while an export runs: what, how far, how to cancel."""

    DEFAULT_CSS = """
    ExportBar { height: 1; padding: 0 1; background: $boost; }
    ExportBar Label { width: auto; margin-right: 1; }
    ExportBar #export-progress { width: 22; }
    ExportBar #export-progress Bar { width: 20; }
    ExportBar #export-percent { width: 4; content-align-horizontal: right; margin-right: 0; }
    ExportBar #export-hint { color: $text-muted; margin-left: 1; }
    """

    def __init__(self, name: str, total: int) -> None:
        super().__init__(id="export-bar")
        self.label, self.total = name, total

    def compose(self) -> ComposeResult:
        yield Label(Text(f"exporting {shown_line(self.label)}", style="bold"))
        # the percentage as our own label: Textual's cut its last character off in a row like this one
        yield ProgressBar(total=self.total, show_eta=False, show_percentage=False, id="export-progress")
        yield Label("0%", id="export-percent")
        yield Label("x cancels", id="export-hint")

    def advance_to(self, done: int) -> None:
        done = min(done, self.total)
        self.query_one(ProgressBar).update(progress=done)
        self.query_one("#export-percent", Label).update(f"{100 * done // self.total}%")


class ConfirmSize(Confirm):
    """"This export will be about 85.3 MB. Write it?" — y writes, n or escape does not."""

    def __init__(self, question: str) -> None:
        super().__init__(question, "y: write it   n / escape: don't")


class Exporter:
    """One export at a time for the debugger: asks about a large size, writes in a worker, can be cancelled."""

    def __init__(self, app: "App") -> None:
        self.app = app
        self.worker: "Worker | None" = None

    @property
    def running(self) -> bool:
        return self.worker is not None and not self.worker.is_finished

    def start(self, tape: Tape, path: Path, digits: int = 6) -> None:
        """Export ``tape`` (the one on screen now: later epochs do not change it) to a new file ``path``."""
        if self.running:
            self.app.notify("an export is already running (x cancels it)", severity="warning")
            return
        fmt = FORMATS[Path(path).suffix.lower()]
        size = estimate_bytes(tape, fmt)
        if size <= SIZE_TO_ASK:
            self._run(tape, Path(path), fmt, digits)
            return
        terms = sum(len(g) for g in tape.gradients.values())
        question = (f"{Path(path).name} will be about {human_size(size)} ({terms:,} terms, T = {tape.T:,}). "
                    "Write it?")
        self.app.push_screen(ConfirmSize(question), lambda yes: self._run(tape, Path(path), fmt, digits) if yes else
                             self.app.notify("export not written", timeout=3))

    def cancel(self) -> None:
        if self.running:
            self.worker.cancel()

    def _run(self, tape: Tape, path: Path, fmt: str, digits: int) -> None:
        room = self.app.size.width - 50  # the bar's progress, percentage and "x cancels" keep the rest
        bar = ExportBar(short_path(path.name, max(8, room)), chunk_count(tape))
        main = self.app.screen_stack[0]
        status = main.query("#status")
        main.query_one("#main").mount(bar, before=status.first() if status else None)
        self.worker = self.app.run_worker(lambda: self._write(tape, path, fmt, digits, bar), name="export",
                                          group="export", thread=True, exit_on_error=False)

    def _write(self, tape: Tape, path: Path, fmt: str, digits: int, bar: ExportBar) -> None:
        """In the worker thread: write the file, showing progress at most ten times a second."""
        from textual.worker import get_current_worker

        worker = get_current_worker()
        shown = time.monotonic()

        def on_chunk(n: int) -> None:
            nonlocal shown
            now = time.monotonic()
            if now - shown >= 0.1:
                shown = now
                self._call(bar.advance_to, n)

        try:
            size = write_new_file(path, document_chunks(tape, fmt, digits), on_chunk, lambda: worker.is_cancelled)
        except Cancelled:
            self._call(self._finish, bar, "export cancelled: nothing written", "warning")
        except FileExistsError:
            self._call(self._finish, bar, "{path} appeared meanwhile: nothing overwritten", "error", path)
        except OSError as exc:
            self._call(self._finish, bar, "could not write {path}: " + str(exc.strerror or exc), "error", path)
        except Exception as exc:  # a bug of ours while writing: the bar goes, the session stays, the traceback is kept
            from ..crash import write_report

            report = write_report(exc)
            self._call(self._finish, bar, f"the export failed ({type(exc).__name__}; traceback in {report}): "
                       "nothing written to {path}", "error", path)
        else:
            self._call(self._finish, bar, "wrote {path} (" + human_size(size) + ")", "information", path)

    def _call(self, fn: Callable, *args) -> None:
        try:
            self.app.call_from_thread(fn, *args)
        except RuntimeError:  # the app has already closed: nothing left to show
            pass

    def _finish(self, bar: ExportBar, message: str, severity: str, path: Path | None = None) -> None:
        """Say how it ended; the path shortened to fit the toast whole (a path broken mid-word reads as two)."""
        bar.remove()
        if path is not None:
            width = toast_width(self.app.size.width)
            message = toast_message(message.replace("{path}", short_path(path, width)), width)
        self.app.notify(shown(message), severity=severity, timeout=5, markup=False)  # type: ignore[arg-type]
