"""A title of one long word (no spaces) costs time in proportion to its length: issue 20 found `check`
quadratic (20k characters 2.2 s, 100k 58 s, 2 MB killed). Each command is timed at 20k and at 200k
characters in the same run; ten times the title may take at most about ten times as long (plus slack)."""

from __future__ import annotations

import re
import time

import pytest

from rnnstep import cli
from rnnstep.scenario import SCENARIO_DIR


def titled(tmp_path, length: int) -> str:
    text = (SCENARIO_DIR / "notes-four-steps-claims.toml").read_text(encoding="utf-8")
    path = tmp_path / f"title-{length}.toml"
    path.write_text(re.sub(r"(?m)^title = .*$", lambda _: f'title = "{"x" * length}"', text, count=1),
                    encoding="utf-8")
    return str(path)


def seconds(capsys, argv: list[str]) -> float:
    started = time.perf_counter()
    code = cli.main(argv)
    took = time.perf_counter() - started
    out, err = capsys.readouterr()
    assert code in (0, 1) and "internal error" not in err, err
    return took


@pytest.mark.parametrize("command", [["check"], ["verify"], ["verify", "--format", "markdown"], ["trace"],
                                     ["trace", "--format", "latex"], ["drill", "--plain", "--count", "1"]],
                         ids=" ".join)
def test_a_long_title_without_spaces_costs_linear_time(tmp_path, capsys, monkeypatch, command):
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("quit\n"))
    extra = ["--history", str(tmp_path / "h.jsonl")] if command[0] == "drill" else []
    short = seconds(capsys, [command[0], titled(tmp_path, 20_000), *command[1:], *extra])
    monkeypatch.setattr("sys.stdin", io.StringIO("quit\n"))
    long = seconds(capsys, [command[0], titled(tmp_path, 200_000), *command[1:], *extra])
    assert long < 10 * short + 3.0, (short, long)  # quadratic would be 100 times (the old check: > 120 s)
