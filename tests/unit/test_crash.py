"""A crash file always holds a traceback, also for errors that were never raised themselves."""

from __future__ import annotations

from rnnstep import crash


def failing_worker_error():
    """What Textual hands the app when a worker raised: a WorkerFailed made, never raised, around the error."""
    from textual.css.query import NoMatches
    from textual.worker import WorkerFailed

    def gather():
        raise NoMatches("No nodes match 'CommandList' on GuardedCommandPalette")

    try:
        gather()
    except NoMatches as error:
        return WorkerFailed(error)


def test_a_worker_failure_writes_the_workers_own_traceback(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    text = crash.write_report(failing_worker_error()).read_text()
    assert "Traceback (most recent call last)" in text
    assert "in gather" in text and "NoMatches: No nodes match 'CommandList'" in text
    assert "WorkerFailed" in text


def test_an_error_never_raised_still_gets_a_traceback(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    text = crash.write_report(RuntimeError("made, not raised")).read_text()
    assert "Traceback (most recent call last)" in text and "RuntimeError: made, not raised" in text
    assert "test_an_error_never_raised_still_gets_a_traceback" in text  # where it was reported from
