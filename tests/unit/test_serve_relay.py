"""The page's frames as the server reads them: the page's own, and junk (ignored, never an exception)."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("textual_serve")

from rnnstep.serve.relay import Frame, cells, read_frame


def test_the_pages_own_frames():
    assert read_frame(json.dumps(["stdin", "né"])) == Frame("stdin", keys="né".encode())
    assert read_frame(json.dumps(["stdin", "\U0001F600"])) == Frame("stdin", keys="\U0001F600".encode())  # a pair
    assert read_frame(json.dumps(["resize", {"width": 120, "height": 40}])) == Frame("resize", width=120, height=40)
    assert read_frame(json.dumps(["resize", {"width": 99999, "height": 1}])) == Frame("resize", width=500, height=10)
    assert read_frame(json.dumps(["ping", "1700000000000"])) == Frame("ping", echo="1700000000000")
    assert read_frame('["focus"]') == Frame("focus") and read_frame('["blur"]') == Frame("blur")


@pytest.mark.parametrize("junk", [  # (ids: the deep array would make a 200 KB test name)
    '["resize",{"width":Infinity,"height":24}]', '["stdin","\\ud800"]', "[" * 100_000 + "]" * 100_000,
    "not json", "", "[]", "[1]", '{"a":1}', '["stdin"]', '["stdin","a","b"]', '["ping",{"x":1}]',
    '["ping","' + "x" * 100 + '"]', '["exit"]',
], ids=lambda junk: junk[:24])
def test_junk_is_none(junk):
    assert read_frame(junk) is None


@pytest.mark.parametrize("value, expected", [
    (80, 80), ("120", 120), (1e400, 80), (float("nan"), 80), (float("inf"), 80), (True, 80), (None, 80),
    ([1], 80), ("wide", 80), (3, 10), (10**30, 500), (-5, 10),
])
def test_cells_is_a_sane_terminal_size(value, expected):
    assert cells(value, 80) == expected


def test_events_count_keys_sequences_and_characters():
    from rnnstep.serve.limits import events

    assert events(b"n") == 1 and events(b"nnn") == 3
    assert events(b"\x1b[A\x1b[B") == 2  # two arrow keys
    assert events(b"\x1b[<35;10;5M") == 1  # one mouse report
    assert events("∂é".encode()) == 2 and events(b"\x1bn") == 1  # alt+n


def test_a_key_budget_lets_a_person_through_and_drops_a_flood():
    from rnnstep.serve.limits import KeyBudget

    now = [0.0]
    budget = KeyBudget(rate=60, burst=240, clock=lambda: now[0])
    for _ in range(300):  # a held key: 30 a second for 10 s
        now[0] += 1 / 30
        assert budget.take(b"n")
    assert not budget.take(b"n" * 20_000)  # a flood is dropped whole, nothing spent
    assert budget.take(b"n" * 200)
    assert not budget.take(b"n" * 100)  # what is left
    now[0] += 2
    assert budget.take(b"n" * 100)  # refilled at 60 a second
