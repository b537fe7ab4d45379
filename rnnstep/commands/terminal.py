"""What the debugger's commands (open, verify --open, drill) need first: a terminal, and a config file that reads;
each missing is a usage error (one line, exit 2). Only imported by those commands: it reaches into tui/."""

from __future__ import annotations

from .usage import UsageError


def need_terminal(instead: str) -> None:
    from ..tui.running import NoTerminal, require_terminal

    try:
        require_terminal(instead)
    except NoTerminal as exc:
        raise UsageError(str(exc)) from None


def user_config():
    """The config file (tui/config.py); a mistake in it is a usage error: one line, exit 2."""
    from ..tui.config import ConfigError, load_config

    try:
        return load_config()
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
