"""One rule for the control characters of user text (usertext.shown): grade's feedback and class table
and the Anki deck escape exactly what every other printer escapes, written the same way."""

from __future__ import annotations

import html

import pytest

from rnnstep import grade
from rnnstep.drill import anki
from rnnstep.usertext import shown

# control characters the rule writes out, and characters it keeps (tab and line feed are kept by `shown`;
# a no-break space, a soft hyphen and a combining accent are text, not commands to a terminal)
ESCAPED = ["\x1b", "\x07", "\r", "\x7f", "\x85", "\x9b", "\u202e", "\u2066", "\u200f", "\u2028", "\ufeff"]
KEPT = ["\t", "\n", "\u00a0", "\u00ad", "e\u0301", "é", "≈", "∂L/∂w′", "😀", " "]


@pytest.mark.parametrize("text", ESCAPED + KEPT, ids=ascii)
def test_grade_plain_escapes_what_usertext_escapes(text):
    assert grade.plain(f"Ada{text}Lovelace") == shown(f"Ada{text}Lovelace")


@pytest.mark.parametrize("text", ESCAPED + KEPT, ids=ascii)
def test_anki_escapes_what_usertext_escapes_then_html(text):
    assert anki._escaped(f"<b>{text}</b>") == html.escape(shown(f"<b>{text}</b>"))


def test_an_escape_sequence_is_written_as_every_printer_writes_it():
    assert grade.plain("a\x1b[2Jb\u202ec") == "a\\x1b[2Jb\\u202ec"
    assert anki._escaped("a\x1b[2J<i>\u202e") == "a\\x1b[2J&lt;i&gt;\\u202e"
