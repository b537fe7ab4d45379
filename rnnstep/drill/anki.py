"""Drill questions as an Anki deck (.apkg, written with genanki): one note per question.

The front shows the question with the formula and the numbers it needs, the answer
a ``?``; the back the answer and the worked line. A note's guid is derived from
what the card asks and the numbers it shows — never from the scenario's title or
description — so a re-export after a description edit updates no card and keeps
every schedule, while new numbers make new cards. Vectors and matrices are drawn
as small tables.
"""

from __future__ import annotations

import hashlib
import html
import re
from pathlib import Path

import numpy as np

from .. import notation as nt
from .arrays import array_text
from .questions import Question
from ..usertext import shown

#: fixed forever: Anki recognises the note type by this id across exports
MODEL_ID = 1_613_742_905
_MATRIX = re.compile(r"\[([-−+0-9.eE ;]+)\]")
_CSS = """.card { font-family: sans-serif; font-size: 20px; text-align: center; }
table.m { margin: 0.3em auto; border-left: 2px solid; border-right: 2px solid; border-collapse: separate; }
table.m td { padding: 0 0.4em; text-align: right; font-family: monospace; }
.where { font-size: 14px; color: #777; } .scenario { font-size: 12px; color: #999; }"""


def _escaped(text: str) -> str:
    """User and formula text as HTML: markup escaped, control characters shown as \\x1b (usertext's one rule)."""
    return html.escape(shown(text))


def _table(rows: list[list[str]]) -> str:
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="m">{body}</table>'


def _with_tables(text: str) -> str:
    """A worked line with its bracketed vectors and matrices ([0.5 -0.2; 0.1 0]) drawn as small tables."""
    out, last = [], 0
    for match in _MATRIX.finditer(text):
        rows = [r.split() for r in match[1].split(";")]
        if not all(rows) or len({len(r) for r in rows}) != 1:
            continue
        out += [_escaped(text[last:match.start()]), _table(rows)]
        last = match.end()
    out.append(_escaped(text[last:]))
    return "".join(out)


def answer_html(value, digits: int) -> str:
    if np.ndim(value) == 0:
        return html.escape(nt.fmt(float(value), digits))
    array = np.atleast_2d(np.asarray(value, dtype=float))
    return _table([[nt.fmt(float(x), digits) for x in row] for row in array])


def answer_text(value, digits: int) -> str:
    if np.ndim(value) == 0:
        return nt.fmt(float(value), digits)
    return array_text(value, digits)


def note_guid(q: Question, digits: int) -> str:
    """What the card asks and the numbers it shows: the same question on the same numbers is the same note."""
    import genanki

    return genanki.guid_for("rnnstep", q.id, q.symbol, q.formula, str(q.numbers), q.context, answer_text(q.value, digits))


def card_fields(q: Question, digits: int, scenario_name: str) -> tuple[str, str]:
    formula = f" = {q.formula}" if q.formula and q.formula != q.symbol else ""
    asked = _escaped(f"{q.symbol}{formula}")
    where = f'<div class="where">{_escaped(q.context)}</div>' if q.context else ""
    numbers = f"<div>= {_with_tables(str(q.numbers))} = ?</div>" if q.numbers else ""
    front = (f'<div class="scenario">{_escaped(scenario_name)}</div><div>{asked} = ?</div>{numbers}{where}'
             + (f'<div class="where">{_escaped(str(q.hint))}</div>' if q.hint else ""))
    worked = f"{_escaped(q.symbol)}{_escaped(formula)}" + (f" = {_with_tables(str(q.numbers))}" if q.numbers else "")
    back = f"<div><b>{answer_html(q.value, digits)}</b></div><div class=\"where\">{worked} = {answer_html(q.value, digits)}</div>"
    return front, back


def deck_id(name: str) -> int:
    return int(hashlib.sha256(f"rnnstep deck {name}".encode("utf-8")).hexdigest()[:8], 16) | (1 << 30)


def write_deck(path: Path, questions: list[Question], scenario_name: str, digits: int) -> int:
    """Write the deck; returns the number of notes. Raises OSError if the file cannot be written."""
    import genanki

    model = genanki.Model(
        MODEL_ID, "rnnstep drill question",
        fields=[{"name": "Front"}, {"name": "Back"}, {"name": "Id"}],
        templates=[{"name": "Predict the value", "qfmt": "{{Front}}",
                    "afmt": '{{FrontSide}}<hr id="answer">{{Back}}'}],
        css=_CSS)
    deck = genanki.Deck(deck_id(scenario_name), f"rnnstep::{scenario_name}")
    seen: set[str] = set()
    for q in questions:
        guid = note_guid(q, digits)
        if guid in seen:  # the same question asked twice (a recursive view beside a factor): one card
            continue
        seen.add(guid)
        front, back = card_fields(q, digits, scenario_name)
        deck.add_note(genanki.Note(model=model, fields=[front, back, q.id], guid=guid))
    genanki.Package(deck).write_to_file(str(path))
    return len(seen)
