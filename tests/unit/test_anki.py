"""`rnnstep drill FILE --anki DECK.apkg`: one Anki note per question, with guids that survive re-export."""

from __future__ import annotations

import math
import os
import sqlite3
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from pathlib import Path

import pytest

from rnnstep.scenario import SCENARIO_DIR

NOTES = SCENARIO_DIR / "notes-four-steps.toml"
HIDDEN = SCENARIO_DIR / "vector" / "notes-hidden-two.toml"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rnnstep", *args], capture_output=True, text=True, timeout=120)


def notes_of(deck: Path) -> dict[str, tuple[str, str, str]]:
    """guid -> (front, back, value id), read from the package's SQLite collection."""
    folder = tempfile.mkdtemp()
    with zipfile.ZipFile(deck) as z:
        z.extract("collection.anki2", folder)
    with sqlite3.connect(os.path.join(folder, "collection.anki2")) as db:
        rows = db.execute("select guid, flds from notes").fetchall()
    return {guid: tuple(fields.split("\x1f")) for guid, fields in rows}


def export(source: Path, deck: Path, *extra: str) -> dict[str, tuple[str, str, str]]:
    out = run("drill", str(source), "--anki", str(deck), *extra)
    assert out.returncode == 0, out.stderr
    return notes_of(deck)


def test_one_note_per_question_with_its_numbers_and_answer(tmp_path):
    notes = export(NOTES, tmp_path / "d.apkg")
    by_id = {fields[2]: fields for fields in notes.values()}
    data = tomllib.loads(NOTES.read_text(encoding="utf-8"))
    w, b, x1 = data["weights"]["w"], data["weights"]["b"], data["data"]["x"][0]
    front, back, _ = by_id["forward.a[1]"]
    assert "?" in front and "a₁" in front and "?" not in back.split("<hr")[0].replace("= ?", "")
    a1 = w * x1 + b  # O₀ = 0: a₁ = w·x₁ + b, from the file's own numbers
    assert f"{a1:.6g}" in back
    O1 = math.tanh(a1)
    assert f"{O1:.6g}" in by_id["forward.O[1]"][1]
    assert len(by_id) == len(notes) and len(notes) > 40  # every question once; guids unique


def test_reexport_after_a_description_edit_changes_no_card(tmp_path):
    first = export(NOTES, tmp_path / "a.apkg")
    edited = tmp_path / "edited.toml"
    text = NOTES.read_text(encoding="utf-8")
    data = tomllib.loads(text)
    text = text.replace(data["title"], data["title"] + " (revised)")
    if "description" in data:
        text = text.replace(data["description"], "A new description.")
    edited.write_text(text, encoding="utf-8")
    second = export(edited, tmp_path / "b.apkg")
    assert set(first) == set(second)


def test_new_numbers_make_new_cards(tmp_path):
    first = export(NOTES, tmp_path / "a.apkg")
    data = tomllib.loads(NOTES.read_text(encoding="utf-8"))
    changed = tmp_path / "changed.toml"
    x = data["data"]["x"]
    old = "[" + ", ".join(repr(v) for v in x) + "]"
    text = NOTES.read_text(encoding="utf-8")
    assert f"x = {old}" in text.replace(" ", " ")
    new = x[:-1] + [x[-1] + 0.25]
    changed.write_text(text.replace(f"x = {old}", "x = [" + ", ".join(repr(v) for v in new) + "]"), encoding="utf-8")
    second = export(changed, tmp_path / "b.apkg")
    ids_first = {f[2]: g for g, f in first.items()}
    ids_second = {f[2]: g for g, f in second.items()}
    # the first steps do not see x₄: the same cards; the last step's do: new cards
    assert ids_first["forward.a[1]"] == ids_second["forward.a[1]"]
    assert ids_first["forward.a[4]"] != ids_second["forward.a[4]"]


def test_never_overwrites_without_force(tmp_path):
    deck = tmp_path / "d.apkg"
    deck.write_bytes(b"a deck of mine")
    out = run("drill", str(NOTES), "--anki", str(deck))
    assert out.returncode == 2 and "--force" in out.stderr and deck.read_bytes() == b"a deck of mine"
    assert run("drill", str(NOTES), "--anki", str(deck), "--force").returncode == 0
    assert zipfile.is_zipfile(deck)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary file left


def test_vector_decks_draw_matrices_as_tables(tmp_path):
    notes = export(HIDDEN, tmp_path / "v.apkg")
    by_id = {fields[2]: fields for fields in notes.values()}
    front, back, _ = by_id["forward.a[1]"]
    assert front.count("<table") >= 3 and "<table" in back


@pytest.mark.parametrize("args, says", [
    (["--anki", "deck.txt"], ".apkg"),
    (["--anki", "d.apkg", "--plain"], "--plain"),
    (["--anki", "d.apkg", "--review"], "--review"),
])
def test_anki_usage_mistakes(tmp_path, args, says):
    out = subprocess.run([sys.executable, "-m", "rnnstep", "drill", str(NOTES), *args], capture_output=True,
                         text=True, timeout=60, cwd=tmp_path, stdin=subprocess.DEVNULL)
    assert out.returncode == 2 and says in out.stderr and len(out.stderr.strip().splitlines()) == 1
