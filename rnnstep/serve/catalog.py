"""What a server serves: scenario files, named on the command line, checked before anyone connects."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..scenario import (DEFAULT_NAME, SCENARIO_DIR, VECTOR_SCENARIO_DIR, Scenario, ScenarioError, load_scenario_file,
                        shipped_scenarios, shipped_vector_scenarios)


@dataclass(frozen=True)
class Served:
    path: Path  # stays on the server: only the session process reads it
    scenario: Scenario


def _resolve(argument: str) -> list[Path]:
    path = Path(argument)
    if path.is_dir():
        files = sorted(path.glob("*.toml"))
        if not files:
            raise ScenarioError(argument, None, "a folder with no .toml scenario files in it")
        return files
    if not path.exists() and path.parent == Path(".") and path.suffix == "":
        for folder in (SCENARIO_DIR, VECTOR_SCENARIO_DIR):  # a shipped scenario's name, one unit or a vector
            shipped = folder / f"{argument}.toml"
            if shipped.is_file():
                return [shipped]
    return [path]


def catalog(arguments: list[str]) -> list[Served]:
    """The served scenarios in order (the first opens in each new tab); a bad one is a ScenarioError.

    No arguments: every shipped scenario, the notes' four steps first, the hidden-vector ones (SPEC §7) last.
    """
    if arguments:
        paths = [p for a in arguments for p in _resolve(a)]
    else:
        paths = sorted(shipped_scenarios(), key=lambda p: p.stem != DEFAULT_NAME) + shipped_vector_scenarios()
    seen: set[Path] = set()
    served = []
    for path in paths:
        resolved = path.resolve()
        if resolved not in seen:
            seen.add(resolved)
            served.append(Served(resolved, load_scenario_file(path)))  # one unit or a hidden vector (SPEC §7)
    return served
