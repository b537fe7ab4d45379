"""The command line: exit codes, output files, formats."""

import json
import subprocess
import sys

import pytest

from rnnstep.cli import main


def default_dL_dw_prime() -> str:
    """∂L/∂w′ of the default scenario, computed by the independent reference (tests/reference.py)."""
    import rnnstep
    from rnnstep import notation as nt
    from reference import Net

    s = rnnstep.default_scenario()
    net = Net(w=s.w, w_prime=s.w_prime, b=s.b, x=list(s.x), y=float(s.y), w_out=s.w_out, b_out=s.b_out,
              activation=s.activation, output_activation=s.output_activation, loss=s.loss, h0=s.h0)
    return nt.fmt(net.gradient("w_prime"))


def test_trace_table_default(capsys):
    assert main(["trace"]) == 0
    out = capsys.readouterr().out
    assert "∂L/∂w′" in out and default_dL_dw_prime() in out


def test_output_file_is_not_overwritten_without_force(tmp_path, capsys):
    target = tmp_path / "trace.json"
    target.write_text("precious")
    assert main(["trace", "--format", "json", "-o", str(target)]) == 2
    assert "already exists; use --force" in capsys.readouterr().err
    assert target.read_text() == "precious"
    assert main(["trace", "--format", "json", "-o", str(target), "--force"]) == 0
    assert json.loads(target.read_text())["format"] == "rnnstep-trace/1"
    assert [p.name for p in tmp_path.iterdir()] == ["trace.json"]  # no temporary file left behind


def test_output_to_missing_directory_is_a_clean_error(tmp_path, capsys):
    assert main(["trace", "-o", str(tmp_path / "no" / "such" / "dir.txt")]) == 2
    assert capsys.readouterr().err.startswith("rnnstep: error: ")


@pytest.mark.parametrize("args", [["trace", "--format", "xml"], ["trace", "--digits", "0"], ["trace", "--digits", "x"],
                                  ["check", "a", "b"], ["trace", "--bogus"]])
def test_bad_usage_exits_2_with_one_line(capsys, args):
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("rnnstep: error: ") and err.count("\n") == 1


@pytest.mark.parametrize("columns", [60, 80, 100, 140])
def test_check_shows_every_value_whole_at_any_width(columns, monkeypatch, capsys):
    """A value that does not fit a table cell is never folded onto a second line or cut to "…": at
    80 columns check prints one block per gradient instead of the table."""
    from rnnstep import notation as nt
    from rnnstep.check import check_tape
    from rnnstep.scenario import load_scenario, shipped_scenarios
    from rnnstep.build import build_tape

    monkeypatch.setenv("COLUMNS", str(columns))
    for path in [p for p in shipped_scenarios() if p.stem in ("notes-four-steps", "vanishing-gradients")]:
        assert main(["check", str(path)]) == 0
        out = capsys.readouterr().out
        assert "…" not in out
        assert all(len(line.rstrip()) <= columns for line in out.splitlines())
        for row in check_tape(build_tape(load_scenario(path))):
            for value in (row.total, row.finite_difference):
                assert nt.fmt(value, 10) in out, (columns, row.param, nt.fmt(value, 10))


def test_check_passes_and_fails(capsys, monkeypatch):
    assert main(["check"]) == 0
    assert "all gradients agree" in capsys.readouterr().out
    import rnnstep.check

    monkeypatch.setattr(rnnstep.check, "finite_difference", lambda tape, param: 1.0 if param == "w" else
                        tape.gradients[param].total)
    assert main(["check"]) == 1
    assert "check failed for w" in capsys.readouterr().out


@pytest.mark.parametrize("fmt,marker", [("markdown", "## ∂L/∂w′"), ("latex", r"\begin{document}")])
def test_derivation_formats(capsys, fmt, marker):
    assert main(["trace", "--format", fmt]) == 0
    out = capsys.readouterr().out
    assert marker in out
    if fmt == "latex":
        assert out.isascii() and out.rstrip().endswith(r"\end{document}")
        assert out.count(r"\begin{align*}") == out.count(r"\end{align*}")


def test_shipped_scenario_by_name(capsys):
    assert main(["trace", "vanishing-gradients", "--format", "json", "--no-factors"]) == 0
    assert json.loads(capsys.readouterr().out)["scenario"]["T"] == 30


def test_trace_does_not_import_textual():
    code = "import sys, rnnstep.cli as c; c.main(['trace']); assert 'textual' not in sys.modules, 'textual imported'"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_python_dash_m_and_broken_pipe():
    result = subprocess.run(f"{sys.executable} -m rnnstep trace --format json | head -c 10", shell=True,
                            capture_output=True, text=True)
    assert result.stdout == '{\n  "forma' and "Traceback" not in result.stderr


def test_output_to_a_device_writes_into_it_and_leaves_it_a_device(tmp_path):
    import os
    import stat

    assert main(["trace", "--format", "json", "-o", os.devnull]) == 0
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE)
    assert main(["trace", "--format", "json", "-o", str(fifo)]) == 0
    assert json.loads(reader.communicate(timeout=10)[0])["loss"] > 0
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_table_colours_on_a_terminal_and_not_with_no_color(monkeypatch):
    import io

    import rnnstep
    from rnnstep.render.table import print_tables

    tape = rnnstep.build_tape(rnnstep.default_scenario())
    coloured = io.StringIO()
    print_tables(tape, coloured, color=True)
    assert "\x1b[1m" in coloured.getvalue() and f"∂L/∂w′ = {default_dL_dw_prime()}" in coloured.getvalue()

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setenv("NO_COLOR", "1")
    plain = Terminal()
    print_tables(tape, plain)
    assert "\x1b[" not in plain.getvalue() and f"∂L/∂w′ = {default_dL_dw_prime()}" in plain.getvalue()
