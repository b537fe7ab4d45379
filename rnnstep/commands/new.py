"""``rnnstep new``: a scenario file for a teacher to edit (the template, a random one, or a shipped one's copy)."""

from __future__ import annotations

import argparse

from .output import write_output
from .usage import UsageError, fresh_seed


def run(args: argparse.Namespace) -> int:
    if args.random and args.source:
        raise UsageError("new: --random and --from each choose what to write; give one")
    if args.seed is not None and not args.random:
        raise UsageError("new: --seed goes with --random")
    if args.hidden is not None and not args.random:
        raise UsageError("new: --hidden goes with --random")
    if args.random:
        from ..drill.randomize import random_scenario_text

        seed = fresh_seed() if args.seed is None else args.seed
        if args.hidden is None:
            text = random_scenario_text(seed)
        else:
            from ..drill.randomize_vector import random_vector_scenario_text

            text = random_vector_scenario_text(seed, args.hidden)
    elif args.source:
        text = _shipped_text(args.source)
    else:
        from ..template import TEMPLATE

        text = TEMPLATE
    write_output(args.output, args.force, lambda out: out.write(text))
    return 0


def _shipped_text(name: str) -> str:
    """The text of a shipped scenario named ``name`` (as `rnnstep scenarios` lists them)."""
    from ..scenario import shipped_gated_scenarios, shipped_scenarios, shipped_vector_scenarios

    shipped = {p.stem: p for p in [*shipped_scenarios(), *shipped_vector_scenarios(), *shipped_gated_scenarios()]}
    path = shipped.get(name[:-5] if name.endswith(".toml") else name)
    if path is None:
        raise UsageError(f"new: --from {name}: no shipped scenario of that name; "
                         f"expected one of {', '.join(sorted(shipped))}")
    return path.read_text(encoding="utf-8")
