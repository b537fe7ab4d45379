"""``rnnstep stats``: accuracy per kind of quantity over time, from the drill history."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .usage import UsageError


def run(args: argparse.Namespace) -> int:
    from rich.console import Console

    from ..drill.history import History, HistoryError, default_path
    from ..drill.stats import stats_table

    history = History(Path(args.history) if args.history else default_path())
    try:
        loaded = history.load()
    except HistoryError as exc:
        raise UsageError(str(exc)) from None
    if loaded.warning:
        print(f"rnnstep: warning: {history.path}: {loaded.warning}", file=sys.stderr)
    if not loaded.records:
        print(f"no drill answers in {history.path} yet: try `rnnstep drill`")
        return 0
    Console().print(stats_table(loaded.records))
    return 0
