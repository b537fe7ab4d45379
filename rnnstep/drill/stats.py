"""`rnnstep stats`: accuracy per kind of quantity over time, from the history.

The trend column draws each drill's accuracy on one fixed 0–100 % scale, so bars compare across rows
and drills (a row scaled to its own minimum and maximum drew 100 %, 100 % as the lowest bars)."""

from __future__ import annotations

from collections import OrderedDict, defaultdict

from rich.table import Table
from rich.text import Text

from .questions import KIND_LABEL
from .review import leitner_boxes
from ..usertext import shown_line, user_text


def stats_table(records: list[dict], sessions_shown: int = 12) -> Table:
    per_kind: dict[str, list[dict]] = defaultdict(list)
    for record in records:
        per_kind[record["kind"]].append(record)
    boxes = leitner_boxes(records)
    table = Table(title="Drill history: accuracy by kind of quantity", title_justify="left")
    for col, justify in (("quantity", "left"), ("answered", "right"), ("right", "right"), ("accuracy", "right"),
                         ("box", "right"), (f"accuracy by drill (last {sessions_shown})", "left")):
        table.add_column(col, justify=justify)
    order = [k for k in KIND_LABEL if k in per_kind] + sorted(k for k in per_kind if k not in KIND_LABEL)
    for kind in order:
        rows = per_kind[kind]
        right = sum(r["right"] for r in rows)
        by_session: OrderedDict[str, list[bool]] = OrderedDict()
        for r in rows:
            by_session.setdefault(str(r.get("session", "")), []).append(r["right"])
        trend = [sum(v) / len(v) for v in by_session.values()][-sessions_shown:]
        accuracy = right / len(rows)
        style = "green" if accuracy >= 0.8 else ("yellow" if accuracy >= 0.5 else "red")
        table.add_row(user_text(shown_line(KIND_LABEL.get(kind, str(kind)))),  # a kind read from the file is text
                      str(len(rows)), str(right), Text(f"{accuracy:.0%}", style=style),
                      str(boxes.get(kind, 1)), Text(accuracy_bars(trend), style="cyan"))  # one drill: one bar
    return table


_BARS = "▁▂▃▄▅▆▇█"


def accuracy_bars(fractions: list[float]) -> str:
    """One bar per drill on one scale for every row: ▁ is 0 %, █ is 100 % (a perfect record is the tallest bar,
    whatever the row's own lowest and highest)."""
    return "".join(_BARS[round(min(1.0, max(0.0, f)) * (len(_BARS) - 1))] for f in fractions)
