"""What `rnnstep verify` costs per output format, for benchmarks/verify.py and verify_vector.py.

Each format is timed as the command line runs it: verify, then the report written
as JSON, as markdown, or as the printed table, piped (plain text) and to a terminal
(Rich's colours; force_terminal, 100 columns). Run against an older checkout
(PYTHONPATH) the table is Rich's own ``report_table``, as it was printed before.
"""

from __future__ import annotations

import io
import time

from rich.console import Console

from rnnstep.render.verify import report_json, report_markdown, report_table

try:
    from rnnstep.render.verify_table import print_report_table
except ImportError:  # a checkout from before the fast table
    def print_report_table(report, out, console=None):
        (console or Console(file=out)).print(report_table(report))

FORMATS = ("json", "markdown", "table piped", "table terminal")


def _table(report, terminal: bool) -> None:
    out = io.StringIO()
    console = Console(file=out, width=100, force_terminal=terminal, color_system="standard" if terminal else None)
    print_report_table(report, out, console)


def render_times(report) -> dict[str, float]:
    """Seconds to write the report in each format (once each: deterministic, and seconds long before)."""
    renders = {"json": lambda: report_json(report), "markdown": lambda: report_markdown(report),
               "table piped": lambda: _table(report, False), "table terminal": lambda: _table(report, True)}
    out = {}
    for name, render in renders.items():
        start = time.perf_counter()
        render()
        out[name] = time.perf_counter() - start
    return out


def header() -> str:
    return " ".join(f"{name:>15}" for name in FORMATS)


def row(verify_seconds: float, renders: dict[str, float], base: float) -> str:
    """Each format's whole time (verify + writing) and its multiple of build_tape."""
    return " ".join(f"{verify_seconds + renders[name]:>6.2f} s {(verify_seconds + renders[name]) / base:>5.0f}×"
                    for name in FORMATS)
