"""What a server serves: scenario files, named on the command line, checked before anyone connects."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..scenario import (DEFAULT_NAME, GATED_SCENARIO_DIR, SCENARIO_DIR, VECTOR_SCENARIO_DIR, Scenario, ScenarioError,
                        load_scenario_file, shipped_gated_scenarios, shipped_scenarios, shipped_vector_scenarios)


@dataclass(frozen=True)
class Served:
    path: Path  # stays on the server: only the session process reads it
    scenario: Scenario


def _resolve(argument: str) -> list[Path]:
    from ..user_files import name_problem

    if name_problem(argument):  # a name over 255 bytes: is_dir() would raise
        raise ScenarioError(argument, None, name_problem(argument))
    path = Path(argument)
    if path.is_dir():
        files = sorted(path.glob("*.toml"))
        if not files:
            raise ScenarioError(argument, None, "a folder with no .toml scenario files in it")
        return files
    if not path.exists() and path.parent == Path(".") and path.suffix == "":
        for folder in (SCENARIO_DIR, VECTOR_SCENARIO_DIR, GATED_SCENARIO_DIR):  # a shipped scenario's name
            shipped = folder / f"{argument}.toml"
            if shipped.is_file():
                return [shipped]
    return [path]


def catalog(arguments: list[str]) -> list[Served]:
    """The served scenarios in order (the first opens in each new tab); a bad one is a ScenarioError.

    No arguments: every shipped scenario, the notes' four steps first, then the hidden-vector ones (SPEC §7),
    then the LSTM and GRU ones (SPEC §8).
    """
    if arguments:
        paths = [p for a in arguments for p in _resolve(a)]
    else:
        paths = (sorted(shipped_scenarios(), key=lambda p: p.stem != DEFAULT_NAME) + shipped_vector_scenarios()
                 + shipped_gated_scenarios())
    seen: set[Path] = set()
    served = []
    for path in paths:
        resolved = path.resolve()
        if resolved not in seen:
            seen.add(resolved)
            served.append(Served(resolved, load_scenario_file(path)))  # one unit or a hidden vector (SPEC §7)
    return served


def catalog_lines(served: list[Served], width: int = 80, most: int = 5) -> list[str]:
    """The served scenarios by name for the start-up message, one-unit and hidden-vector ones apart.

    Each group's names wrap to ``width``; a group longer than ``most`` lines ends "and N more", so a
    folder of a thousand scenarios still announces itself in a few lines."""
    gated = lambda s: s.scenario.cell != "rnn"  # noqa: E731 - LSTM and GRU (SPEC §8)
    groups = [("one unit", [s.path.stem for s in served if not s.scenario.is_vector]),
              ("hidden vectors", [s.path.stem for s in served if s.scenario.is_vector and not gated(s)]),
              ("LSTM and GRU", [s.path.stem for s in served if gated(s)])]
    lines: list[str] = []
    for label, names in groups:
        if not names:
            continue
        head = f"  {label} ({len(names)}):"
        rows: list[list[str]] = [[]]  # each line's names, each with its comma
        for i, name in enumerate(names):
            piece = name + ("," if i < len(names) - 1 else "")
            if rows[-1] and len(head) + sum(len(p) + 1 for p in rows[-1]) + 1 + len(piece) > width:
                if len(rows) == most:
                    break
                rows.append([])
            rows[-1].append(piece)
        shown = sum(map(len, rows))
        if shown < len(names):  # the last line ends with how many are left out, a name dropped if need be
            while len(rows[-1]) > 1 and (len(head) + sum(len(p) + 1 for p in rows[-1]) + 1
                                         + len(f"and {len(names) - shown} more") > width):
                rows[-1].pop()
                shown -= 1
            rows[-1].append(f"and {len(names) - shown} more")
        lines += [(head if j == 0 else " " * len(head)) + "".join(" " + p for p in row) for j, row in enumerate(rows)]
    return lines
