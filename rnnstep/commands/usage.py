"""What the commands share: the usage error (exit 2, one line) and the readers of an argument that raise it."""

from __future__ import annotations

from pathlib import Path

from ..scenario import Scenario, ScenarioError, default_scenario, load_scenario


class UsageError(Exception):
    """Bad usage: exit code 2."""


def read_scenario(file: str | None) -> Scenario:
    if file is None:
        return default_scenario()
    try:
        return load_scenario(Path(file))
    except ScenarioError as exc:
        guess = _near_shipped_name(file) if str(exc).endswith("no such file") else None
        if guess is None:
            raise
        raise UsageError(f"{file}: no such file or shipped scenario; did you mean `{guess}`? "
                         "(`rnnstep scenarios` lists them)") from None


def _near_shipped_name(name: str) -> str | None:
    """The shipped scenario a mistyped bare name most likely meant (``vanishing`` → ``vanishing-gradients``)."""
    if "/" in name or "\\" in name or name.endswith(".toml"):
        return None
    import difflib

    from ..scenario import shipped_scenarios

    stems = [p.stem for p in shipped_scenarios()]
    starts = [s for s in stems if s.startswith(name.lower())]
    if len(starts) >= 1:
        return min(starts, key=len)
    close = difflib.get_close_matches(name.lower(), stems, n=1, cutoff=0.6)
    return close[0] if close else None


def fresh_seed() -> int:
    import secrets

    return secrets.randbelow(1_000_000)


def marks_from_option(path: str | None):
    """--marks MARKS.toml read (one line on a mistake in it), or one mark each without it."""
    from ..grading import ONE_EACH, MarksError, read_marks

    if path is None:
        return ONE_EACH
    try:
        return read_marks(path)
    except MarksError as exc:
        raise UsageError(str(exc)) from None
