"""Gradescope's ``results.json`` for a worked example: one test per claim, error carried forward (grading.py)."""

from __future__ import annotations

import json

from ..grading import Mark, summary_line, total
from ..verify import Report


def gradescope_json(report: Report, marks: list[Mark]) -> str:
    """Gradescope's autograder format: ``score`` and ``tests`` (name, score, max_score, output, visibility)."""
    score, out_of = total(marks)
    data = {
        "score": score,
        "output": summary_line(report, marks),
        "visibility": "visible",
        "tests": [{"name": m.name, "score": m.score, "max_score": m.max_score, "output": m.output,
                   "visibility": "visible", "status": "passed" if m.score == m.max_score else "failed"}
                  for m in marks],
    }
    assert out_of >= 0
    return json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False) + "\n"
