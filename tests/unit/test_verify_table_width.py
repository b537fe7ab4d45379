"""`rnnstep verify`'s table keeps every number whole at any width: a number is shown whole or not at all.

Where the six columns would be narrower than their widest word (Rich would end a number in "…" or wrap
the why one word per line), the report is printed as lines instead: each claim's fields on one line, its
why on its own full-width lines under it (render/verify.py ``narrow_lines``)."""

from __future__ import annotations

import io
import re
from collections import Counter

import numpy as np
import pytest
from rich.cells import cell_len
from rich.console import Console

import rnnstep
from rnnstep.render.verify import report_table
from rnnstep.render.verify_table import print_report_table
from rnnstep.scenario import SCENARIO_DIR
from rnnstep.verify import verify

NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?")
SHIPPED = sorted(SCENARIO_DIR.rglob("*.toml"))


def printed(report, width: int, fast: bool = True) -> str:
    out = io.StringIO()
    console = Console(file=out, width=width, color_system=None, legacy_windows=False)
    if fast:
        print_report_table(report, out, console)
    else:
        console.print(report_table(report))
    return out.getvalue()


def with_wrong_claims(text: str, seed: int) -> str:
    """The scenario with six more claims, four of them wrong (5% off), at five significant digits."""
    scenario = rnnstep.load_scenario(text)
    tape = rnnstep.build_tape(scenario)
    taken = {c.id for c in scenario.claims} | {c.whole for c in scenario.claims if c.whole}
    ids = [i for i in tape.value_ids() if str(i) not in taken]
    rng = np.random.default_rng(seed)
    lines = []
    for n, i in enumerate(sorted(rng.choice(len(ids), size=min(6, len(ids)), replace=False))):
        vid = str(ids[i])
        value = np.asarray(tape.value(vid), dtype=float)
        if value.ndim:  # one entry of a vector or matrix
            vid += "[" + ",".join("1" * value.ndim) + "]"
            value = value.flat[0]
        if vid in taken or not np.isfinite(value):
            continue
        lines.append(f'"{vid}" = "{float(value) * (1.05 if n < 4 else 1.0):.5g}"')
    added = "\n".join(lines) + "\n"
    if re.search(r"^\[claims\]\s*$", text, flags=re.M):
        return re.sub(r"^\[claims\]\s*$", "[claims]\n" + added.rstrip("\n"), text, count=1, flags=re.M)
    return text + "\n[claims]\n" + added


def numbers(text: str) -> Counter:
    return Counter(NUMBER.findall(text))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_number_of_every_shipped_scenarios_report_is_whole_at_60_80_and_100_columns(path):
    text = with_wrong_claims(path.read_text(encoding="utf-8"), len(path.stem))
    report = verify(rnnstep.build_tape(rnnstep.load_scenario(text)))
    assert any(r.wrong for r in report.results)
    wide = printed(report, 200)
    assert "…" not in wide
    for width in (60, 80, 100):
        narrow = printed(report, width)
        assert "…" not in narrow, (width, narrow)
        assert numbers(narrow) == numbers(wide), width
        assert max(map(cell_len, narrow.splitlines())) <= width


def test_the_lstm_by_hand_with_a_slip_in_c2_keeps_its_numbers_whole_at_80_columns():
    """The try-out: c₂ stated 1.5105 made the why column end numbers in "…" and wrap one word a line."""
    text = (SCENARIO_DIR / "gated" / "lstm-two-steps-by-hand.toml").read_text(encoding="utf-8")
    changed = text.replace('"forward.c[2]" = "1.5176"', '"forward.c[2]" = "1.5105"')
    assert changed != text
    report = verify(rnnstep.build_tape(rnnstep.load_scenario(changed)))
    wide = printed(report, 200)
    for fast in (True, False):
        narrow = printed(report, 80, fast)
        assert "…" not in narrow
        assert numbers(narrow) == numbers(wide)
        assert "-0.000606128" in narrow and "-0.00223661" in narrow
        assert len(narrow.splitlines()) < 60  # one line a claim, and its why under it (was ~180 lines)
        # the slip's why on its own line under its row, whole
        lines = narrow.splitlines()
        row = next(n for n, line in enumerate(lines) if line.startswith("c₂[1]"))
        assert "1.5105" in lines[row] and "1.51763" in lines[row] and "✗ slip" in lines[row]
        assert lines[row + 1].strip().startswith("its stated inputs give 1.51763")
