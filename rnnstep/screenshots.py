"""Regenerate the SVG screenshots in screenshots/ from the app itself.

    python -m rnnstep.screenshots [DIR]

Each screenshot is the real debugger at 140×45, driven by keys as a student would.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from .scenario import SCENARIO_DIR, load_scenario
from .tui.app import DebuggerApp

SIZE = (140, 45)

#: (file name, scenario, keys, options)
SHOTS = [
    ("forward-step.svg", "notes-four-steps", ["n"], {}),
    ("backward-term-mid-sum.svg", "notes-four-steps", ["c", "n", "n"], {}),
    ("final-totals.svg", "notes-four-steps", ["end"], {}),
    ("help.svg", "notes-four-steps", ["question_mark"], {}),
    ("vanishing-gradients.svg", "vanishing-gradients", ["c"] + ["n"] * 8, {}),
    ("target-every-step.svg", "target-every-step", ["right_square_bracket"] * 2 + ["n"] * 7, {}),
    ("light-theme.svg", "truncated-bptt", ["right_square_bracket"] * 2 + ["n"] * 2, {"theme": "textual-light"}),
]


async def _shoot(directory: Path, name: str, scenario: str, keys: list[str], options: dict) -> Path:
    app = DebuggerApp(load_scenario(SCENARIO_DIR / f"{scenario}.toml"), **options)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*keys)
        await pilot.pause()
        svg = app.export_screenshot(title=f"rnnstep — {app.tape.scenario.name}")
    path = directory / name
    path.write_text(svg, encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    directory = Path(argv[0]) if argv else Path("screenshots")
    directory.mkdir(parents=True, exist_ok=True)
    for shot in SHOTS:
        print(asyncio.run(_shoot(directory, *shot)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
