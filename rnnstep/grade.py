"""`rnnstep grade SCENARIO SUBMISSIONS/`: verify a folder of students' worked numbers against one scenario.

Each submission is a file of claims — TOML (a ``[claims]`` table of id = "number",
as a scenario's) or CSV (``id,value`` rows, a header row allowed) — named after
its student. Each is verified against the scenario's true values and marked with
error carried forward (grading.py). The class gets one CSV (a row per student, a
column per claim, the score in each) and each student a feedback Markdown. A
submission that cannot be read gets a row saying why; it never stops the run.
"""

from __future__ import annotations

import csv
import io
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

from .grading import Mark, Marks, mark_report, summary_line, total
from .scenario import Scenario, ScenarioError, _claims, _Reader
from .build import build_tape
from .verify import Report, tape_order, verify

SUBMISSION_LIMIT = 1 << 20  # a submission is a short list of numbers: 1 MiB is far beyond any worked example


@dataclass(frozen=True)
class Graded:
    student: str
    marks: list[Mark]
    summary: str = ""
    error: str = ""  # why the submission could not be graded

    @property
    def score(self) -> tuple[float, float]:
        return total(self.marks)


def read_submission(path: Path) -> dict[str, str]:
    """The claims of one submission as {id text: number text}; ValueError with one line if unreadable."""
    from .user_files import PathProblem, read_user_file

    try:  # a regular file of at most 1 MiB: a FIFO, a folder or /dev/zero behind a link is refused, not read
        raw = read_user_file(path, SUBMISSION_LIMIT, "a .toml or .csv claims file")
    except PathProblem as exc:
        raise ValueError(str(exc)) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8 text (bad byte at offset {exc.start})") from None
    if path.suffix.lower() == ".csv":
        rows = [row for row in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in row)]
        if rows and [c.strip().lower() for c in rows[0][:2]] == ["id", "value"]:
            rows = rows[1:]
        claims: dict[str, str] = {}
        for number, row in enumerate(rows, start=1):
            if len(row) != 2:
                raise ValueError(f"row {number}: expected two cells, id,value; found {len(row)}")
            key, value = row[0].strip(), row[1].strip()
            if key in claims:
                raise ValueError(f"row {number}: {key} is given twice; keep one")
            claims[key] = value
        return claims
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError) as exc:
        raise ValueError(f"TOML syntax error: {exc}") from None
    table = data.get("claims")
    if not isinstance(table, dict):
        raise ValueError("expected a [claims] table of id = \"number\"")
    return table


def grade_one(scenario: Scenario, path: Path, marks: Marks, expected: list[str], student: str | None = None) -> Graded:
    student = student or path.stem
    try:
        raw = read_submission(path)
        sizes = scenario.sizes if scenario.is_vector else None
        claims = _claims(_Reader(path.name), {"claims": raw}, scenario.T, scenario.targets, sizes)
    except ScenarioError as exc:
        return Graded(student, [], error=str(exc))
    except (ValueError, OSError) as exc:
        return Graded(student, [], error=f"{path.name}: {getattr(exc, 'strerror', None) or exc}")
    if not claims:
        nothing = Report(scenario.name, [], tape=build_tape(scenario))  # every question unanswered, named by symbol
        return Graded(student, mark_report(nothing, marks, expected), error=f"{path.name}: no claims")
    tape = build_tape(replace(scenario, claims=claims))
    report = verify(tape)
    graded = mark_report(report, marks, expected)
    return Graded(student, graded, summary_line(report, graded))


def submissions(folder: Path) -> list[Path]:
    """Every .toml and .csv entry of the folder (not only regular files: what cannot be read gets a row)."""
    return sorted(p for p in folder.iterdir() if not p.name.startswith(".") and p.suffix.lower() in (".toml", ".csv"))


def student_names(files: list[Path]) -> list[str]:
    """Each file's student: its name without the extension, or with it where two files share a stem
    (ada.toml and ada.csv are two submissions, and two feedback files)."""
    stems = [p.stem for p in files]
    return [p.stem if stems.count(p.stem) == 1 else p.name for p in files]


def safe_cell(text: str) -> str:
    """A cell a spreadsheet shows as text: control characters escaped, and a leading = + - @ quoted so it
    is never run as a formula (a file named =HYPERLINK(…).toml is a student's name, not a command)."""
    text = plain_line(text)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def plain_line(text: str) -> str:
    """User text on one line: control characters (newlines too) shown escaped."""
    from .usertext import shown_line

    return shown_line(text)


def class_table(graded: list[Graded], title: str):
    """The class at a glance, for the terminal: a row per student (user text as Text, never markup)."""
    from rich.table import Table
    from rich.text import Text

    table = Table(title=Text(f"{plain(title)}: {len(graded)} submissions"), title_justify="left")
    for name, justify in (("student", "left"), ("marks", "right"), ("slips", "right"),
                          ("carried forward", "right"), ("not answered", "right"), ("note", "left")):
        table.add_column(name, justify=justify)
    for g in graded:
        if g.error and not g.marks:
            table.add_row(Text(plain(g.student)), "", "", "", "", Text(plain(g.error), style="red"))
            continue
        score, out_of = g.score
        count = {v: sum(m.verdict == v for m in g.marks) for v in ("slip", "follows", "missing", "mixed")}
        table.add_row(Text(plain(g.student)), f"{_cell(score)} / {_cell(out_of)}",
                      str(count["slip"] + count["mixed"]), str(count["follows"]), str(count["missing"]), "")
    return table


def class_csv(graded: list[Graded], columns: list[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["student", "score", "max_score", *columns, "error"])
    for g in graded:
        by_claim = {m.claim: m.score for m in g.marks}
        if g.error and not g.marks:
            writer.writerow([safe_cell(g.student), "", "", *([""] * len(columns)), safe_cell(g.error)])
            continue
        score, out_of = g.score
        writer.writerow([safe_cell(g.student), _cell(score), _cell(out_of),
                         *(_cell(by_claim[c]) if c in by_claim else "" for c in columns), safe_cell(g.error)])
    return out.getvalue()


def _cell(x: float) -> str:
    return str(int(x)) if x == int(x) else f"{x:g}"


def feedback_markdown(scenario: Scenario, g: Graded) -> str:
    lines = [f"# {plain_line(scenario.name)}: feedback for {plain_line(g.student)}", ""]
    if g.error and not g.marks:
        return "\n".join([*lines, f"Your submission could not be graded: {plain(g.error)}", ""])
    score, out_of = g.score
    said = plain(g.summary) if g.summary else f"{_cell(score)} / {_cell(out_of)} marks; {plain(g.error)}"
    lines += [f"**{said}.**", "",
              "| quantity | marks | feedback |", "| --- | ---: | --- |"]
    for m in g.marks:
        feedback = plain(m.output).replace("|", "\\|").replace("\n", "<br>")
        lines.append(f"| {plain(m.name)} | {_cell(m.score)} / {_cell(m.max_score)} | {feedback} |")
    return "\n".join(lines) + "\n"


def plain(text: str) -> str:
    """User text in a file a person reads: control characters shown escaped (\\x1b), never acted on —
    the one rule of every printer (usertext.shown)."""
    from .usertext import shown

    return shown(text)


def columns_for(scenario: Scenario, graded: list[Graded]) -> list[str]:
    """The claims the CSV has a column for: the scenario's own (the questions), else every claim answered."""
    if scenario.claims:
        return expected_claims(scenario)
    tape = build_tape(scenario)
    seen = {m.claim for g in graded for m in g.marks}
    return sorted(seen, key=lambda c: tape_order(tape, c))


def expected_claims(scenario: Scenario) -> list[str]:
    """The questions of an assignment: its own claims as written (a whole vector once)."""
    out: dict[str, None] = {}
    for c in scenario.claims:
        out[c.whole or c.id] = None
    return list(out)
