"""`-o NAME --format F`: a file name whose extension says another format is refused in one line unless --force."""

from __future__ import annotations

import pytest

from rnnstep.cli import main
from rnnstep.scenario import SCENARIO_DIR


@pytest.mark.parametrize("command,name,fmt", [
    ("trace", "out.md", "latex"), ("trace", "out.tex", "markdown"), ("trace", "out.json", "table"),
    ("trace", "OUT.MD", "json"), ("verify", "report.json", "markdown"), ("verify", "report.md", "table"),
])
def test_a_contradicting_extension_is_refused_in_one_line(tmp_path, capsys, command, name, fmt):
    path = tmp_path / name
    file = str(SCENARIO_DIR / ("worked-example-slip.toml" if command == "verify" else "notes-four-steps.toml"))
    assert main([command, file, "--format", fmt, "-o", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"rnnstep: error: {command}: {path} is named like")
    assert f"--format {fmt}" in err and "--force" in err
    assert not path.exists()
    # --force writes it anyway
    assert main([command, file, "--format", fmt, "-o", str(path), "--force"]) in (0, 1)
    assert path.stat().st_size > 0


@pytest.mark.parametrize("name,fmt", [("out.md", "markdown"), ("out.tex", "latex"), ("out.json", "json"),
                                      ("out.txt", "table"), ("out", "latex"), ("notes.markdown", "markdown")])
def test_a_matching_or_unknown_extension_is_written(tmp_path, name, fmt):
    path = tmp_path / name
    assert main(["trace", "--format", fmt, "-o", str(path)]) == 0
    assert path.stat().st_size > 0
