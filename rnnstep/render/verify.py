"""The verify report as a rich table, JSON and a markdown correction sheet (pure functions of a Report)."""

from __future__ import annotations

import json
import math

from rich.table import Table
from rich.text import Text

from .. import notation as nt
from ..verify import Report
from ..usertext import json_escaped, shown_line, user_text

FORMAT = "rnnstep-verify/1"
_MARK = {"right": ("✓ right", "green"), "rounding": ("≈ rounding", "yellow"), "slip": ("✗ slip", "bold red"),
         "follows": ("✗ follows", "red")}


def _why(symbols: dict[str, str], r) -> str:
    """Why a verdict: "from O₂" (follows), what the stated inputs give (slip), or a right number's note."""
    if r.verdict == "follows":
        return "from " + ", ".join(symbols[i] for i in r.follows_from)
    if r.verdict == "slip":
        likely = f"likely slip: {r.likely_slip}" if r.likely_slip else ""
        if r.recomputed is not None:
            return f"its stated inputs give {nt.fmt(r.recomputed)}" + (f"; {likely}" if likely else "")
        return likely
    return r.note


def report_table(report: Report) -> Table:
    caption = "\n".join([report.summary] + report.array_lines())
    table = Table(title=user_text(shown_line(report.title) + ": every stated number checked"), title_justify="left",
                  caption=caption, caption_justify="left")
    for col, justify in (("quantity", "left"), ("stated", "right"), ("true", "right"), ("digits", "right"),
                         ("verdict", "left"), ("why", "left")):
        table.add_column(col, justify=justify)
    symbols = _symbols(report)  # once: a row per claim must not rebuild it (T = 5,000 claims)
    for r in report.results:
        mark, style = _MARK[r.verdict]
        table.add_row(r.symbol, user_text(shown_line(r.stated_text)), nt.fmt(r.true), str(r.digits), Text(mark, style=style),
                      user_text(_why(symbols, r)))
    return table


def _number(x: float | None):
    if x is None:
        return None
    return x if math.isfinite(x) else ("nan" if math.isnan(x) else ("inf" if x > 0 else "-inf"))


def _symbols(report: Report) -> dict[str, str]:
    return {x.id: x.symbol for x in report.results}


def report_json(report: Report) -> str:
    arrays = report.array_entries()
    data = {
        "format": FORMAT,
        "scenario": report.title,
        "claims": [{"id": r.id, "symbol": r.symbol, "stated": r.stated_text, "true": _number(r.true),
                    "digits": r.digits, "verdict": r.verdict, "follows_from": list(r.follows_from),
                    "note": r.note, **({"whole": r.whole} if r.whole else {}),
                    **({"likely_slip": r.likely_slip} if r.likely_slip else {})}
                   for r in report.results],
        **({"arrays": [{"id": whole, "symbol": name, "entries": count, "wrong": [r.id for r in wrong]}
                       for whole, name, count, wrong in arrays]} if arrays else {}),
        "summary": {
            "ok": report.ok,
            "slips": [r.id for r in report.slips],
            "follow_from_slips": {r.id: report.followers(r.id) for r in report.slips},
            "text": report.summary,
        },
    }
    return json_escaped(json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False)) + "\n"


def report_markdown(report: Report) -> str:
    arrays = [f"* {line}" for line in report.array_lines()]
    lines = [f"# Corrections: {shown_line(report.title)}", "", f"**{report.summary}.**", "", *arrays, *([""] if arrays else []),
             "| quantity | id | stated | correct | verdict |", "| --- | --- | ---: | ---: | --- |"]
    symbols = _symbols(report)
    for r in report.results:
        verdict = _MARK[r.verdict][0]
        why = _why(symbols, r)
        joint = " " if r.verdict == "follows" else ": "  # "✗ follows from O₂", "✗ slip: its stated inputs give …"
        lines.append(f"| {r.symbol} | `{r.id}` | {shown_line(r.stated_text)} | {nt.fmt(r.true)} | {verdict}"
                     + (f"{joint}{why}" if why else "") + " |")
    return "\n".join(lines) + "\n"
