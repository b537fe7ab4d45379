"""``rnnstep scenarios``: the shipped scenarios, with their titles and where they are."""

from __future__ import annotations

import argparse

from ..scenario import load_scenario


def run(args: argparse.Namespace) -> int:
    from ..scenario import shipped_scenarios
    from ..usertext import shown_line

    for path in shipped_scenarios():
        scenario = load_scenario(path)
        print(f"{path.stem:32} {shown_line(scenario.title)}")
        print(f"{'':32} {path}")  # where to copy it from (or `rnnstep new --from NAME -o FILE`)
    from ..scenario import shipped_vector_scenarios

    for path in shipped_vector_scenarios():  # hidden vectors (SPEC §7): trace and check
        scenario = load_scenario(path)
        print(f"{path.stem:32} {shown_line(scenario.title)} [n = {scenario.sizes[0]}]")
        print(f"{'':32} {path}")
    from ..scenario import shipped_gated_scenarios

    for path in shipped_gated_scenarios():  # LSTM and GRU (SPEC §8)
        scenario = load_scenario(path)
        print(f"{path.stem:32} {shown_line(scenario.title)} [{scenario.cell.upper()}, n = {scenario.sizes[0]}]")
        print(f"{'':32} {path}")
    return 0
