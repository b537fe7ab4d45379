"""``rnnstep grade``: a folder of students' claim files marked against a scenario (a class CSV and feedback)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .output import write_output
from .usage import UsageError, marks_from_option, read_scenario


def run(args: argparse.Namespace) -> int:
    from ..grade import class_csv, columns_for, expected_claims, feedback_markdown, grade_one, submissions
    from ..grading import MarksError, check_marks_against

    scenario = read_scenario(args.file)
    marks = marks_from_option(args.marks)
    folder = Path(args.folder)
    if not folder.is_dir():
        raise UsageError(f"grade: {args.folder}: {'no such folder' if not folder.exists() else 'not a folder'}; "
                         "expected a folder of students' .toml or .csv claim files")
    files = submissions(folder)
    if not files:
        raise UsageError(f"grade: {args.folder}: no .toml or .csv submissions in it")
    expected = expected_claims(scenario)
    if expected:
        try:
            check_marks_against(marks, expected)
        except MarksError as exc:
            raise UsageError(str(exc)) from None
    out = Path(args.output)
    table, notes = out / "grades.csv", out / "feedback"
    if out.exists() and not out.is_dir():
        raise UsageError(f"grade: {args.output}: not a folder; expected a folder for grades.csv and feedback/")
    if table.exists() and not args.force:
        raise UsageError(f"grade: {table} exists; add --force to overwrite it and the feedback files")
    from ..grade import student_names
    from ..usertext import shown_line

    graded = []
    for number, (path, student) in enumerate(zip(files, student_names(files)), start=1):
        graded.append(grade_one(scenario, path, marks, expected, student))
        if sys.stderr.isatty():
            print(f"\rgraded {number} of {len(files)}", end="", file=sys.stderr, flush=True)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    columns = columns_for(scenario, graded)
    try:
        notes.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"grade: cannot make {notes}: {exc.strerror or exc}") from None
    for g in graded:  # the file's name as the student wrote it, but on one line (a newline in a name is escaped)
        name = shown_line(g.student).replace("/", "_")
        write_output(str(notes / f"{name}.md"), True, lambda o, g=g: o.write(feedback_markdown(scenario, g)))
    write_output(str(table), True, lambda o: o.write(class_csv(graded, columns)))
    broken = sum(bool(g.error) and not g.marks for g in graded)
    from rich.console import Console

    from ..grade import class_table

    Console(soft_wrap=False).print(class_table(graded, scenario.name))
    print(f"graded {len(graded)} submission{'s' if len(graded) != 1 else ''}"
          + (f" ({broken} could not be read: see the error column)" if broken else "")
          + f": {table} and {notes}/")
    return 0
