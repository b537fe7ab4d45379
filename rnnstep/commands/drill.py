"""``rnnstep drill``: questions on a scenario (a random one by default), in the app or --plain;
--anki writes them as a deck instead (anki.py)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .terminal import need_terminal
from .usage import UsageError, fresh_seed, read_scenario


def run(args: argparse.Namespace) -> int:
    from ..drill.briefing import briefing
    from ..drill.history import History, HistoryError, default_path
    from ..drill.questions import questions
    from ..drill.review import pick_review
    from ..drill.session import DrillSession
    from ..build import build_tape

    seed = None
    if args.file is None:
        from ..drill.randomize import random_scenario

        seed = fresh_seed() if args.seed is None else args.seed
        if args.cell is not None:  # a random gated cell (SPEC §8)
            from ..drill.randomize_gated import random_gated_scenario

            scenario = random_gated_scenario(seed, args.cell, args.hidden or 1)
        elif args.hidden is None:
            scenario = random_scenario(seed)
        else:
            from ..drill.randomize_vector import random_vector_scenario

            scenario = random_vector_scenario(seed, args.hidden)
    else:
        if args.seed is not None:
            raise UsageError("drill: --seed chooses a random scenario; it cannot go with a FILE")
        if args.hidden is not None:
            raise UsageError("drill: --hidden chooses a random vector scenario; it cannot go with a FILE")
        if args.cell is not None:
            raise UsageError("drill: --cell chooses a random LSTM or GRU; it cannot go with a FILE")
        scenario = read_scenario(args.file)
    if args.anki:
        from .anki import write_anki

        return write_anki(args, scenario, seed)
    from .. import budget

    budget.admit(budget.tape_price(scenario) if args.plain else budget.screen_price(scenario), "drill", scenario,
                 args.force, "drill a scenario with fewer steps, targets or hidden units")
    if not args.plain:
        need_terminal("for questions on standard input and output use `rnnstep drill --plain`")
    tape = build_tape(scenario)
    history = History(Path(args.history) if args.history else default_path())
    try:
        history.check_writable()  # now, not after the first answer (which would be lost)
    except HistoryError as exc:
        raise UsageError(str(exc)) from None
    chosen = questions(tape, args.only, args.digits, args.paths)
    warning = None
    review_note = None
    if args.review:
        try:
            loaded = history.load()
        except HistoryError as exc:
            raise UsageError(str(exc)) from None
        warning = loaded.warning
        if loaded.records:
            chosen = pick_review(chosen, loaded.records, args.count or 10)
        else:
            review_note = (f"review: no answers in {history.path} yet, so nothing to review; "
                           "this is the ordinary drill")
    if args.count and not (args.review and review_note is None):
        chosen = chosen[: args.count]
    session = DrillSession(tape, chosen, history, args.rtol, args.atol, args.digits)
    again = (f" --cell {args.cell}" if args.cell else "") + (f" --hidden {args.hidden}" if args.hidden is not None else "")
    from ..usertext import shown_line

    header = [f"rnnstep drill: {shown_line(scenario.name)}" + (f" — repeat it with --seed {seed}{again}" if seed is not None else "")]
    header += [review_note] if review_note else []
    how = ("answer each question on one line: a number, or a vector's numbers separated by spaces and a matrix's "
           "rows by ; (0.1 0.2; 0.3 0.4), or: hint, skip, quit" if tape.vector
           else "answer each question with a number, or: hint, skip, quit")
    if args.plain:  # `note` there prints the step's notes (the TUI drill's answer box takes it for vectors)
        how = how.replace("hint, skip, quit", "hint, note (the step's notes), skip, quit")
    if warning:
        print(f"rnnstep: warning: {history.path}: {warning}", file=sys.stderr)
    try:
        if args.plain:
            from ..drill.plain import run_plain

            # the scenario first, so the first question can be answered without a hint (the app shows it in panels)
            return run_plain(session, sys.stdin, sys.stdout, [*header, *briefing(scenario), how])
        from ..drill.tui import DrillApp
        from ..tui.running import run as run_drill_app  # this module's own `run` is the command

        code = run_drill_app(DrillApp(session, header=" · ".join([*header, how])))
        print(session.score)
        return code
    except HistoryError as exc:
        raise UsageError(str(exc)) from None
