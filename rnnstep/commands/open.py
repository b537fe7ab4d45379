"""``rnnstep open`` (and bare ``rnnstep [FILE]``): the debugger."""

from __future__ import annotations

import argparse

from .terminal import need_terminal, user_config
from .usage import read_scenario


def run(args: argparse.Namespace) -> int:
    scenario = read_scenario(args.file)
    config = user_config()
    from .. import budget

    budget.admit(budget.screen_price(scenario), "open", scenario, args.force,
                 "open a scenario with fewer steps, targets or hidden units")
    need_terminal("to print every value use `rnnstep trace`")
    from ..tui.app import run_app

    digits = args.digits if args.digits is not None else config.digits or 6
    return run_app(scenario, digits=digits, theme=args.theme or config.theme, watch=args.watch, keys=config.keys,
                   remember=True, fresh=args.fresh)
