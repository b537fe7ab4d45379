"""Spaced practice: a Leitner box per kind of quantity, from the history.

A right answer moves a kind up one box (to at most 5), a wrong one (or a skip)
back to box 1. `--review` asks the kinds in the lowest boxes first.
"""

from __future__ import annotations

from collections import defaultdict

from .questions import Question

TOP_BOX = 5


def leitner_boxes(records: list[dict]) -> dict[str, int]:
    boxes: dict[str, int] = defaultdict(lambda: 1)
    for record in records:  # oldest first, as appended
        kind = record["kind"]
        boxes[kind] = min(TOP_BOX, boxes[kind] + 1) if record["right"] else 1
    return dict(boxes)


def review_order(records: list[dict]) -> list[str]:
    """Kinds answered before, weakest first: lowest box, then lowest accuracy."""
    boxes = leitner_boxes(records)
    right: dict[str, int] = defaultdict(int)
    total: dict[str, int] = defaultdict(int)
    for record in records:
        total[record["kind"]] += 1
        right[record["kind"]] += record["right"]
    return sorted(boxes, key=lambda k: (boxes[k], right[k] / total[k], k))


def pick_review(candidates: list[Question], records: list[dict], count: int) -> list[Question]:
    """Up to ``count`` questions of the weakest kinds (in tape order); the whole drill if there is no history."""
    order = review_order(records)
    if not order:
        return candidates[:count]
    boxes = leitner_boxes(records)
    weakest = [k for k in order if boxes[k] < TOP_BOX] or order
    chosen: list[Question] = []
    for kind in weakest:
        chosen += [q for q in candidates if q.kind == kind and q not in chosen]
        if len(chosen) >= count:
            break
    if not chosen:  # nothing of the kinds answered before is in this drill (say, a vector scenario's kinds)
        return candidates[:count]
    chosen = chosen[:count]
    return sorted(chosen, key=candidates.index)
