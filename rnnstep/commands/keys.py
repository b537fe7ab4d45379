"""``rnnstep keys``: the debugger's effective keymap, the config file's keys marked."""

from __future__ import annotations

import argparse

from .terminal import user_config


def run(args: argparse.Namespace) -> int:
    """The effective keymap: every binding id, its keys (the config's where it sets them) and what it does."""
    from ..tui.config import config_path, effective_keys
    from ..tui.keymap import key_labels

    config = user_config()
    print(f"config: {config.path}" if config.path else f"config: none ({config_path()} does not exist)")
    for key in effective_keys(config.keys):
        mark = "*" if key.id in config.keys else " "
        print(f"{mark} {key.id:<30} {key_labels(key):<18} {key.help}")
    if config.keys:
        print("* set in the config file")
    return 0
