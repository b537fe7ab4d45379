"""Regenerate the SVG screenshots in screenshots/ from the app itself.

    python -m rnnstep.screenshots [DIR]

Each screenshot is the real debugger at 140×45, driven by keys as a student would.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from .scenario import SCENARIO_DIR, load_scenario
from .tui.app import DebuggerApp
from .usertext import shown_line

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
    ("verify.svg", "worked-example-slip", ["n"], {}),
    # 80×24: a note cut for room says so (m reads it whole); the status line keeps L and the breakpoint whole
    ("notes-80x24.svg", "notes-four-steps", ["c", "n"], {"size": (80, 24)}),
    # hidden vectors (SPEC §7): a term of ∂L/∂W′ with its Jacobians, outer product and the t×k triangle
    ("vector-hello.svg", "vector/hello-char-rnn", ["c"] + ["n"] * 8, {}),
    ("vector-exploding-light.svg", "vector/exploding-vector", ["c"] + ["n"] * 9, {"theme": "textual-light"}),
    ("vector-80x24.svg", "vector/notes-hidden-two", ["c", "n"], {"size": (80, 24)}),
    # a gated cell (SPEC §8): lstm-remembers mid-sum of ∂L/∂b, the chart's carry ▀ and rest ▄ by steps back
    ("lstm-remembers.svg", "gated/lstm-remembers", ["c"] + ["n"] * 30, {}),
    # a gated forward step: x_t, each gate's pre-activation and the gate, c_t and O_t (the blog post's LSTM)
    ("lstm-forward.svg", "gated/lstm-two-steps-by-hand", ["n"], {}),
    # TBPTT (SPEC §9): chunk 2's last term of ∂L/∂w and how much detach left out, beside full BPTT's
    ("tbptt-detach.svg", "tbptt-detach", ["colon", *"chunk[2].gradients.w.term[8,5]", "enter"], {}),
    # RTRL on an LSTM: P_t's update, and at a target the whole row t of the triangle at once
    ("lstm-rtrl.svg", "gated/lstm-rtrl", ["colon", *"forward.O[3]", "enter"], {}),
    # a watch line and a conditional breakpoint, typed at ':' as a student would; c stops where a term falls below 1e-6
    ("watch-line.svg", "vanishing-gradients",
     ["colon", *"watch gradients.w.running_sum", "enter", "colon", *"break when |term| < 1e-6 in w", "enter", "c", "c"], {}),
]

#: characters typed at a prompt, as Textual names their keys
_KEY_NAMES = {".": "full_stop", "[": "left_square_bracket", "]": "right_square_bracket", ",": "comma",
              "_": "underscore", " ": "space", "|": "vertical_line", "<": "less_than_sign", "-": "minus"}


async def _shoot_drill(directory: Path) -> Path:
    from .drill.questions import questions
    from .drill.session import DrillSession
    from .drill.tui import DrillApp
    from .build import build_tape

    tape = build_tape(load_scenario(SCENARIO_DIR / "notes-four-steps.toml"))
    session = DrillSession(tape, questions(tape), history=None)
    for _ in range(14):  # part-way into the backward pass, every answer right
        session.answer(tape.value(session.current.id))
    app = DrillApp(session, header="rnnstep drill: The notes' four steps")
    async with app.run_test(size=SIZE) as pilot:
        from textual.widgets import Input

        app.query_one(Input).cursor_blink = False
        await pilot.pause()
        svg = app.export_screenshot(title="rnnstep drill")
    path = directory / "drill.svg"
    path.write_text(svg, encoding="utf-8")
    return path


async def _shoot_vector_drill(directory: Path) -> Path:
    """The drill on hello-char-rnn: δ[3,2] answered with one entry wrong, the term δᵀ·O₁ᵀ asked next."""
    import numpy as np

    from .drill.questions import questions
    from .drill.session import DrillSession
    from .drill.tui import DrillApp
    from .build import build_tape

    tape = build_tape(load_scenario(SCENARIO_DIR / "vector" / "hello-char-rnn.toml"))
    session = DrillSession(tape, questions(tape), history=None)
    while session.current.id != "gradients.w_prime.delta[3,2]":
        session.answer(session.current.value)
    delta = np.array(session.current.value).round(4)
    delta[1] = -delta[1]
    app = DrillApp(session, header="rnnstep drill: Karpathy's character model on \"hello\"")
    async with app.run_test(size=SIZE) as pilot:
        from textual.widgets import Input

        app.query_one(Input).cursor_blink = False
        await pilot.pause()
        for ch in " ".join(str(v) for v in delta):
            await pilot.press({".": "full_stop", "-": "minus", " ": "space"}.get(ch, ch))
        await pilot.press("enter")
        await pilot.pause()
        svg = app.export_screenshot(title="rnnstep drill")
    path = directory / "drill-vector.svg"
    path.write_text(svg, encoding="utf-8")
    return path


async def _shoot(directory: Path, name: str, scenario: str, keys: list[str], options: dict) -> Path:
    options = dict(options)
    size = options.pop("size", SIZE)
    app = DebuggerApp(load_scenario(SCENARIO_DIR / f"{scenario}.toml"), **options)
    async with app.run_test(size=size) as pilot:
        await pilot.press(*(_KEY_NAMES.get(key, key) for key in keys))
        await pilot.pause()
        svg = app.export_screenshot(title=f"rnnstep — {shown_line(app.tape.scenario.name)}")
    path = directory / name
    path.write_text(svg, encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    directory = Path(argv[0]) if argv else Path("screenshots")
    directory.mkdir(parents=True, exist_ok=True)
    for shot in SHOTS:
        print(asyncio.run(_shoot(directory, *shot)))
    print(asyncio.run(_shoot_drill(directory)))
    print(asyncio.run(_shoot_vector_drill(directory)))
    print(_shoot_grading(directory))
    return 0


def _shoot_grading(directory: Path) -> Path:
    """`rnnstep grade` on three made-up students of worked-example-slip: one right, one with the planted
    slip (its consequences carried forward), one file that cannot be read."""
    import tempfile

    from rich.console import Console

    from .grade import class_table, expected_claims, grade_one
    from .grading import ONE_EACH

    scenario = load_scenario(SCENARIO_DIR / "worked-example-slip.toml")
    claims = (SCENARIO_DIR / "worked-example-slip.toml").read_text(encoding="utf-8").split("[claims]")[1]
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "ada.toml").write_text('[claims]\n"forward.O[2]" = "0.8461"\n"forward.a[3]" = "0.3877"\n',
                                       encoding="utf-8")
        (root / "bob.toml").write_text("[claims]" + claims, encoding="utf-8")
        (root / "cy.csv").write_text("id,value\nforward.O[1],abc\n", encoding="utf-8")
        graded = [grade_one(scenario, root / name, ONE_EACH, expected_claims(scenario))
                  for name in ("ada.toml", "bob.toml", "cy.csv")]
    console = Console(record=True, width=110, file=open(os.devnull, "w"))
    console.print(class_table(graded, scenario.name))
    path = directory / "grading.svg"
    path.write_text(console.export_svg(title="rnnstep grade"), encoding="utf-8")
    return path


if __name__ == "__main__":
    raise SystemExit(main())
