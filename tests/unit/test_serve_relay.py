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
