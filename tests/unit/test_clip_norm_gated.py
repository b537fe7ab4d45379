"""Clip by norm on a gated cell (SPEC §8, §9): every format names b′ in the clip section, and ‖g‖, the
scale and the angle are taken over ALL six parameters, as torch.nn.utils.clip_grad_norm_ does."""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pytest

from gated_reference import module_totals
from gated_scenarios import gated_toml
from rnnstep.cli import main
from rnnstep.scenario import parse_scenario

C = 0.05
GATED = ("w_prime", "w", "b", "b_prime", "w_out", "b_out")
SYMBOL = {"w_prime": "w′", "w": "w", "b": "b", "b_prime": "b′", "w_out": "w_out", "b_out": "b_out"}
NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[+-]\d+)?")


def _reference(text: str) -> dict:
    """From torch's own gradients: ‖g‖ over every parameter, scale = min(1, C/‖g‖), the angle by value turns."""
    grads = {p: np.asarray(g, dtype=np.float64) for p, g in module_totals(parse_scenario(text, "<gated>")).items()
             if p in GATED}
    g = np.concatenate([np.ravel(grads[p]) for p in GATED])
    norm = float(np.sqrt(np.sum(g * g)))
    v = np.clip(g, -C, C)
    angle = math.degrees(math.acos(float(g @ v) / (norm * float(np.linalg.norm(v)))))
    scale = min(1.0, C / norm)
    return dict(norm=norm, scale=scale, angle=angle, by_norm={p: grads[p] * scale for p in GATED},
                by_value={p: np.clip(grads[p], -C, C) for p in GATED})


def _numbers(text: str) -> list[float]:
    return [float(x) for x in NUMBER.findall(text)]


def _section(out: str, fmt: str) -> str:
    """The clip section as one line of text in the notes' symbols (LaTeX's marks undone)."""
    if fmt == "latex":
        out = out.replace("$\\partial$", "∂").replace("$'$", "′").replace("\\_", "_").replace("$\\|$", "‖")
    start = out.index("Clip by norm")
    end = out.index("turns it by", start)
    return " ".join(out[start:end + 40].split())


@pytest.mark.parametrize("cell", ["lstm", "gru"])
@pytest.mark.parametrize("fmt", ["table", "markdown", "latex", "json"])
def test_every_format_names_b_prime_in_the_clip_section(cell, fmt, tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("COLUMNS", raising=False)
    text = gated_toml(cell, n=2, m=2, T=4, every_step=True, seed=5) + f"clip_norm = {C}\n"
    ref = _reference(text)
    assert ref["scale"] < 1  # the clip is at work
    path = tmp_path / f"{cell}-clip.toml"
    path.write_text(text)
    assert main(["trace", str(path), "--format", fmt]) == 0
    out = capsys.readouterr().out
    close = dict(rel=2e-6 if fmt == "json" else 1e-5, abs=1e-12)
    if fmt == "json":
        update = json.loads(out)["update"]
        assert update["norm"] == pytest.approx(ref["norm"], rel=1e-9)
        assert update["scale"] == pytest.approx(ref["scale"], rel=1e-9)
        for p in GATED:
            clipped = np.asarray(update["params"][p]["clipped"], dtype=float)
            np.testing.assert_allclose(clipped, ref["by_norm"][p], rtol=1e-9, atol=1e-15)
        return
    section = _section(out, fmt)
    head, _, rest = section.partition("∂L/∂")
    assert _numbers(head.split("‖g‖ =")[1])[0] == pytest.approx(ref["norm"], **close)
    assert _numbers(head.split("C/‖g‖ =")[1])[0] == pytest.approx(ref["scale"], **close)
    lines = {}
    for part in ("∂L/∂" + rest).split("∂L/∂")[1:]:
        symbol, _, body = part.partition(": by norm ")
        by_norm, _, by_value = body.partition("by value (each entry in ")
        lines[symbol] = (_numbers(by_norm), _numbers(by_value.partition(")")[2]))
    assert list(lines) == [SYMBOL[p] for p in GATED]  # b′ named, in the tape's order
    for p in GATED:
        by_norm, by_value = lines[SYMBOL[p]]
        assert by_norm == pytest.approx(list(np.ravel(ref["by_norm"][p])), **close), p
        assert by_value[:ref["by_value"][p].size] == pytest.approx(list(np.ravel(ref["by_value"][p])), **close), p
    assert _numbers(section.rpartition("turns it by")[2])[0] == pytest.approx(ref["angle"], **close)
