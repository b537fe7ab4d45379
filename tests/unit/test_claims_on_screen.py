"""Every claim of a worked example is shown at a step where its quantity is on screen (issue 18 item 6).

`w` (and `verify --open`) jump to the step a claim maps to; that step must render a line with the
quantity's symbol and its true value (whole or correctly rounded), at 80×24 and at 200×60."""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console

import rnnstep
from rnnstep import notation as nt
from rnnstep.scenario import SCENARIO_DIR, VECTOR_SCENARIO_DIR
from rnnstep import navigation
from rnnstep.tui.panels.base import View
from rnnstep.tui.panels.step import step_panel
from rnnstep.tui.panels.vector_step import step_body
from rnnstep.verify import verify

SCALAR = [p for p in sorted(SCENARIO_DIR.glob("*.toml")) if "[claims]" in p.read_text(encoding="utf-8")]
VECTOR = [p for p in sorted(VECTOR_SCENARIO_DIR.glob("*.toml")) if "[claims]" in p.read_text(encoding="utf-8")]
SCALAR_SIZES = {"80×24": (46, 13), "200×60": (128, 24)}  # the step panel's content box (tests/unit/test_panels.py)
VECTOR_SIZES = {"80×24": (44, 10), "200×60": (124, 31)}


def renderings(value: float) -> set[str]:
    return {nt.fmt(value, d) for d in range(1, 7)}


def _lines(renderable, width: int) -> list[str]:
    console = Console(file=io.StringIO(), width=width, record=True, color_system=None)
    console.print(renderable, crop=False, soft_wrap=False)
    return console.export_text().splitlines()


def _screen_symbol(r) -> str:
    """How the step writes the quantity: a₁, ŷ₄, L, ∂L/∂O₃, term (of this step), ∂L/∂w, w_new."""
    if ".term[" in r.id:
        return "term"
    return r.symbol


def test_there_are_claims_to_check():
    assert len(SCALAR) >= 2 and VECTOR


@pytest.mark.parametrize("size", SCALAR_SIZES)
@pytest.mark.parametrize("path", SCALAR, ids=lambda p: p.stem)
def test_each_scalar_claim_is_on_screen_at_its_step(path, size):
    width, height = SCALAR_SIZES[size]
    tape = rnnstep.build_tape(rnnstep.load_scenario(path))
    claims = navigation.claims_by_step(tape)
    missing = []
    for r in verify(tape).results:
        lines = _lines(step_panel(View(tape, r.step, claims=claims), width, height), width)
        symbol, values = _screen_symbol(r), renderings(float(r.true))
        found = any(any(re.search(rf"(?<![\d.]){re.escape(v)}(?![\d])", line) for v in values)
                    and (symbol in line or (i and symbol in lines[i - 1])) for i, line in enumerate(lines))
        if not found:
            missing.append(f"{r.id} ({symbol} = {nt.fmt(float(r.true))}) at step {r.step + 1}:\n  " + "\n  ".join(lines))
    assert not missing, "\n".join(missing[:3])


@pytest.mark.parametrize("size", VECTOR_SIZES)
@pytest.mark.parametrize("path", VECTOR, ids=lambda p: p.stem)
def test_each_vector_recursive_claim_is_on_screen_at_its_step(path, size):
    """The issue's case: ∂L/∂a_k stated in the worked example, mapped to a ∂L/∂b term step."""
    width, height = VECTOR_SIZES[size]
    tape = rnnstep.build_tape(rnnstep.load_scenario(path))
    claims = navigation.claims_by_step(tape)
    missing = []
    for r in verify(tape).results:
        if not r.id.startswith("backward."):
            continue
        lines = [line.plain for line in step_body(View(tape, r.step, claims=claims), width, height)]
        symbol = r.symbol.split("[")[0]
        values = renderings(float(r.true))
        if not any(symbol in line and any(v in line for v in values) for line in lines):
            missing.append(f"{r.id} ({symbol}) at step {r.step + 1}:\n  " + "\n  ".join(lines))
    assert not missing, "\n".join(missing[:3])
