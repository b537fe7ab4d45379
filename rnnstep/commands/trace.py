"""``rnnstep trace``: every value of the tape in a table, JSON, Markdown or LaTeX (or, with --samples,
the randomized-truncation estimator over many seeds)."""

from __future__ import annotations

import argparse
import sys
from typing import Iterator, TextIO

from ..scenario import Scenario
from .output import refuse_contradicting_extension, write_output
from .usage import UsageError, read_scenario


def run(args: argparse.Namespace) -> int:
    from ..build import build_tape

    refuse_contradicting_extension("trace", args.output, args.format, args.force)
    scenario = read_scenario(args.file)
    full = args.full_chains
    if full:
        if args.format == "json":
            raise UsageError("trace: --full-chains goes with --format table, markdown or latex "
                             "(JSON lists every factor unless --no-factors)")
        if scenario.is_vector and args.format == "table":
            raise UsageError("trace: --full-chains goes with --format markdown or latex for a vector scenario "
                             "(its table shows each term's δ and outer product, not the chain)")
    if args.samples is not None:  # SPEC §9: the estimator over many seeds, not one tape
        return _trace_samples(args, scenario)
    from .. import budget

    price = budget.trace_price(scenario, args.format, not args.no_factors, full)
    budget.admit(price, "trace", scenario, args.force, budget.trace_advice(scenario, args.format, not args.no_factors, full))
    # the document's own progress bar follows
    tape = build_tape(scenario)
    if tape.vector and args.format in ("markdown", "latex"):  # SPEC §7: matrices as bmatrix
        from ..render.vector_export import iter_vector_derivation

        write_output(args.output, args.force,
                     lambda out: out.writelines(iter_vector_derivation(tape, args.digits, args.format, full)))
        return 0
    if full:
        from ..render.size import full_chains_note

        print(f"rnnstep: {full_chains_note(tape, args.format)}", file=sys.stderr)

    def chunks(out: TextIO) -> Iterator[str]:
        if args.format == "json":
            from ..render.json import iter_json

            return iter_json(tape, factors=not args.no_factors)
        if args.format == "markdown":
            from ..render.markdown import iter_markdown

            return iter_markdown(tape, args.digits, full)
        if args.format == "latex":
            from ..render.latex import iter_latex

            return iter_latex(tape, args.digits, full)
        from ..render.table import iter_table, output_width, use_color

        return iter_table(tape, args.digits, out is sys.stdout and use_color(out), full, output_width(out))

    def write(out: TextIO) -> None:
        if out is sys.stdout and out.isatty():  # the output itself shows how far it has got
            out.writelines(chunks(out))
            return
        from ..progress import chunk_estimate, with_progress

        out.writelines(with_progress(chunks(out), chunk_estimate(tape), f"writing {args.output or 'the trace'}"))

    write_output(args.output, args.force, write)
    return 0


def _trace_samples(args: argparse.Namespace, scenario: Scenario) -> int:
    from ..methods.randomized import draw_samples
    from ..render.samples import iter_samples_json, iter_samples_text
    from ..build import build_tape

    if scenario.method != "randomized":
        raise UsageError(f"trace: --samples goes with [train] method = \"randomized\" "
                         f"({scenario.source} has method = \"{scenario.method}\")")
    if args.format == "latex":
        raise UsageError("trace: --samples writes --format table, json or markdown")
    from .. import budget

    # each sample re-weights every recurrent term once: about N × terms multiply-adds in numpy
    work = budget.Estimate(seconds=args.samples * (budget.term_count(scenario) + scenario.T) * 3e-7,
                           memory=8 * 3 * args.samples)
    budget.require(work, f"trace --samples {args.samples:,}", scenario, args.force, "draw fewer samples")
    samples = draw_samples(build_tape(scenario), args.samples)
    if args.format == "json":
        lines = iter_samples_json(samples)
    else:
        lines = iter_samples_text(samples, scenario, args.digits, markdown=args.format == "markdown")
    write_output(args.output, args.force, lambda out: out.writelines(lines))
    return 0
