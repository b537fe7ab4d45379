"""``rnnstep verify``: every number a worked example states ([claims]) checked against the tape."""

from __future__ import annotations

import argparse

from .output import refuse_contradicting_extension, write_output
from .terminal import need_terminal
from .usage import UsageError, marks_from_option, read_scenario


def run(args: argparse.Namespace) -> int:
    from ..build import build_tape
    from ..usertext import shown_line
    from ..verify import verify

    refuse_contradicting_extension("verify", args.output, args.format, args.force)
    if args.open:
        need_terminal("without --open, `rnnstep verify` prints the report")
    from .. import budget

    scenario = read_scenario(args.file)
    budget.admit(budget.tape_price(scenario), "verify", scenario, args.force,
                 "verify a scenario with fewer steps, targets or hidden units")
    tape = build_tape(scenario)  # plain numbers or a hidden vector (entry by entry, SPEC §7)
    if args.marks and args.format != "gradescope":  # a mistaken option is one line, claims or none
        raise UsageError("verify: --marks goes with --format gradescope (or `rnnstep grade`)")
    marks = marks_from_option(args.marks)
    if not tape.scenario.claims:  # the notice is the report: it goes where -o says (a full disk is an error)
        notice = f"{shown_line(tape.scenario.source)}: no [claims] to verify (add e.g. \"forward.O[2]\" = \"0.7790\")\n"
        write_output(args.output, args.force, lambda out: out.write(notice))
        return 0
    report = verify(tape)
    if args.format == "gradescope":
        from ..grading import MarksError, check_marks_against, mark_report
        from ..render.gradescope import gradescope_json

        try:
            check_marks_against(marks, [c.whole or c.id for c in tape.scenario.claims])
        except MarksError as exc:
            raise UsageError(str(exc)) from None
        graded = mark_report(report, marks)
        write_output(args.output, args.force, lambda out: out.write(gradescope_json(report, graded)))
        return 0  # a grade, not a verdict: the marks say how it went
    if args.format == "json":
        from ..render.verify import report_json

        write_output(args.output, args.force, lambda out: out.write(report_json(report)))
    elif args.format == "markdown":
        from ..render.verify import report_markdown

        write_output(args.output, args.force, lambda out: out.write(report_markdown(report)))
    else:
        from ..render.verify_table import print_report_table  # Rich's table, written row by row

        write_output(args.output, args.force, lambda out: print_report_table(report, out))
    if args.open:
        from ..tui.app import run_app

        slips = report.slips or [r for r in report.results if r.wrong]
        code = run_app(tape.scenario, cursor=slips[0].step if slips else 0)
        if code:  # the debugger crashed (1) or was ended by a signal (128 + its number): that, not the verdict
            return code
    return 0 if report.ok else 1
