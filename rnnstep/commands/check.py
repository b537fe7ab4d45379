"""``rnnstep check``: the gradients against central finite differences (exit 1 on a mismatch)."""

from __future__ import annotations

import argparse

from .usage import read_scenario


def run(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from .. import notation as nt
    from ..check import check_tape
    from ..build import build_tape

    from ..progress import progress_bar

    from .. import budget

    scenario = read_scenario(args.file)
    budget.admit(budget.check_price(scenario), "check", scenario, args.force,
                 "check a scenario with fewer steps, targets or hidden units")
    tape = build_tape(scenario)
    terms = {param: len(table) for param, table in tape.gradients.items()}
    with progress_bar(sum(terms.values()), "checking the gradients") as advance:  # on stderr, on long tapes
        rows = check_tape(tape, on_param=lambda param: advance(terms[param]))
    console = Console()
    columns = ("total (terms)", "all paths", "recursive ∂L/∂a", "finite difference")
    from ..usertext import shown_line, user_text

    heading = user_text(shown_line(tape.scenario.name) + ": gradients against central finite differences")
    table = Table(title=heading, title_justify="left")
    for col in ("gradient", *columns, "result"):
        table.add_column(col, justify="right", no_wrap=True)
    for row in rows:
        table.add_row(nt.gradient_symbol(row.param, vector=tape.vector) + row.entry_text, *_check_values(row, nt), _check_verdict(row))
    if console.measure(table, options=console.options.update_width(10_000)).maximum <= console.width:
        console.print(table)
    else:  # too narrow for the table (80 columns): one block per gradient, so every value stays whole on its line
        console.print(heading)
        for row in rows:
            console.print(f"{nt.gradient_symbol(row.param, vector=tape.vector) + row.entry_text}  {_check_verdict(row)}")
            for col, value in zip(columns, _check_values(row, nt)):
                console.print(f"    {col:18} {value:>17}", highlight=False)
    if tape.scenario.truncate:
        console.print(f"truncate = {tape.scenario.truncate}: 'total' leaves out truncated terms; "
                      "'all paths' is the true gradient that finite differences measure.")
    failed = [r.param for r in rows if not r.ok]
    if failed:
        reason = " (values overflowed)" if tape.nonfinite else ""
        console.print(f"[red]check failed for {', '.join(failed)}{reason}[/]")
        return 1
    console.print("[green]all gradients agree[/]")
    return 0


def _check_values(row, nt) -> list[str]:
    return [nt.fmt(v, 10) for v in (row.total, row.all_paths, row.recursive, row.finite_difference)]


def _check_verdict(row) -> str:
    return "[green]ok[/]" if row.ok else ("[red]MISMATCH[/]" if row.sum_ok else "[red]SUM MISMATCH[/]")
