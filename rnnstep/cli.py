"""The command line: ``rnnstep [FILE]`` opens the debugger; subcommands script the engine.

Exit codes: 0 success, 1 a failed check, 2 bad usage or a bad scenario — always
one line on stderr starting ``rnnstep: error:``, never a traceback. The UI is
imported only by the commands that open it, so ``rnnstep trace`` stays fast.
"""

from __future__ import annotations

import argparse
import errno
import os
import sys
from pathlib import Path
from typing import Callable, Iterator, NoReturn, TextIO

from .budget import OverBudget
from .scenario import Scenario, ScenarioError, default_scenario, load_scenario



class UsageError(Exception):
    """Bad usage: exit code 2."""


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        command = f"{self.prog.split()[-1]}: " if " " in self.prog else ""  # "trace: " for a subcommand
        raise UsageError(f"{command}{message} (see `{self.prog} --help`)")


def _whole_number(low: int, high: int | None = None) -> Callable[[str], int]:
    """An argparse type: a whole number from ``low`` (to ``high``)."""
    expected = f"a whole number from {low} to {high}" if high is not None else f"a whole number ≥ {low}"

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {expected}, found {text!r}") from None
        if value < low or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"expected {expected}, found {value}")
        return value

    return parse


_digits = _whole_number(1, 17)
_positive_int = _whole_number(1)
_hidden_size = _whole_number(1, 8)  # drill.randomize_vector.MAX_HIDDEN


def _paths(text: str) -> int | str:
    """--paths: a whole number ≥ 1, or all."""
    if text.strip().lower() == "all":
        return "all"
    try:
        return _positive_int(text)
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(f"expected a whole number ≥ 1 or all, found {text!r}") from None


def _non_negative(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number ≥ 0, found {text!r}") from None
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a finite number ≥ 0, found {text!r}")
    return value


def _positive(text: str) -> float:
    value = _non_negative(text)
    if value == 0:
        raise argparse.ArgumentTypeError(f"expected a number > 0, found {text!r}")
    return value


def _token(text: str) -> str:
    from .serve.access import TOKEN_PATTERN

    if not TOKEN_PATTERN.fullmatch(text):
        raise argparse.ArgumentTypeError("expected 8 to 128 letters, digits or . _ ~ -")
    return text


def _file_argument(parser: argparse.ArgumentParser, default: str = "the notes' four steps") -> None:
    parser.add_argument("file", nargs="?", metavar="FILE",
                        help=f"a scenario .toml file, or the name of a shipped one (default: {default})")


def build_parser() -> Parser:
    parser = Parser(prog="rnnstep", description="A step-through debugger for backpropagation through time.")
    parser.add_argument("--version", action="version", version="rnnstep 0.1.0")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

    open_ = sub.add_parser("open", help="open the debugger (the default command: `rnnstep [FILE]`)")
    _file_argument(open_)
    open_.add_argument("--digits", type=_digits, default=None, help="significant digits shown (default 6, or the config's)")
    open_.add_argument("--theme", default=None, help="a Textual theme, e.g. textual-light (default: the config's)")
    open_.add_argument("--watch", action="store_true", help="reload the file whenever it is saved (r reloads by hand)")
    open_.add_argument("--fresh", action="store_true", help="start at step 1, not where you left this file")
    open_.add_argument("--force", action="store_true", help="open even when the tape is over the limits (README: Limits)")

    trace = sub.add_parser("trace", help="print every value of the tape")
    _file_argument(trace)
    trace.add_argument("--format", choices=("table", "json", "markdown", "latex"), default="table")
    trace.add_argument("--no-factors", action="store_true", help="JSON: leave out factor lists (long sequences)")
    trace.add_argument("--digits", type=_digits, default=6, help="significant digits (table, markdown, latex)")
    trace.add_argument("--samples", type=_positive_int, metavar="N",
                       help="randomized truncation: the mean over N seeds, its standard error and full BPTT")
    trace.add_argument("--full-chains", action="store_true",
                       help="markdown, latex: every factor of every path (long tapes: very large; the size is said first)")
    trace.add_argument("-o", "--output", metavar="PATH", help="write to PATH instead of standard output")
    trace.add_argument("--force", action="store_true",
                       help="overwrite PATH if it exists; write output over the size limit (see README: Limits)")

    check = sub.add_parser("check", help="check the gradients against finite differences (exit 1 on a mismatch)")
    _file_argument(check)
    check.add_argument("--force", action="store_true", help="run even when the work is over the limits (README: Limits)")

    sub.add_parser("scenarios", help="list the shipped scenarios")

    drill = sub.add_parser("drill", help="predict each value before it is shown")
    _file_argument(drill, "a random scenario with hand-sized numbers, a new one each time; "
                          "its seed is printed and --seed N repeats it")
    drill.add_argument("--seed", type=int, help="with no FILE: the random scenario's seed (default: a fresh one, printed)")
    drill.add_argument("--hidden", type=_hidden_size, metavar="N",
                       help="with no FILE: a random vector scenario with a hidden state of size N (1 to 8)")
    drill.add_argument("--cell", choices=("lstm", "gru"),
                       help="with no FILE: a random hand-sized LSTM or GRU (one unit unless --hidden N; SPEC §8)")
    drill.add_argument("--plain", action="store_true", help="line-oriented questions on stdin/stdout")
    drill.add_argument("--only", choices=("forward", "backward", "terms", "sums", "update"), help="one kind of question")
    drill.add_argument("--count", type=_positive_int, help="stop after N questions")
    drill.add_argument("--paths", type=_paths, metavar="N|all",
                       help="ask each target step's N nearest paths t → k (all: every path); default every path, "
                            "but for a vector scenario with more than 30 paths the 3 nearest")
    drill.add_argument("--rtol", type=_non_negative, default=0.01, help="relative tolerance (default 0.01)")
    drill.add_argument("--atol", type=_non_negative, default=1e-9, help="absolute tolerance (default 1e-9)")
    drill.add_argument("--history", metavar="PATH", help="the history file (default $XDG_DATA_HOME/rnnstep/history.jsonl)")
    drill.add_argument("--review", action="store_true", help="ask the kinds you get wrong most (from the history)")
    drill.add_argument("--digits", type=_digits, default=6, help="significant digits shown (default 6)")
    drill.add_argument("--anki", metavar="DECK.apkg", help="write the questions as an Anki deck instead of asking them")
    drill.add_argument("--force", action="store_true", help="with --anki: overwrite DECK.apkg if it exists; "
                                                            "start even when the tape is over the limits (README: Limits)")

    new = sub.add_parser("new", help="write a scenario file for a teacher to edit")
    new.add_argument("--random", action="store_true",
                     help="a random hand-sized scenario (default: a commented template with every key)")
    new.add_argument("--from", dest="source", metavar="NAME", help="a copy of a shipped scenario (see `rnnstep scenarios`)")
    new.add_argument("--seed", type=int, help="the random scenario's seed (default: a fresh one)")
    new.add_argument("--hidden", type=_hidden_size, metavar="N",
                     help="with --random: a vector scenario with a hidden state of size N (1 to 8)")
    new.add_argument("-o", "--output", metavar="PATH", help="write to PATH instead of standard output")
    new.add_argument("--force", action="store_true", help="overwrite PATH if it exists")

    verify = sub.add_parser("verify", help="check every number a worked example states ([claims] in FILE)")
    verify.add_argument("file", metavar="FILE", help="a scenario with a [claims] table")
    verify.add_argument("--format", choices=("table", "json", "markdown", "gradescope"), default="table",
                        help="gradescope: Gradescope's results.json, one test per claim, error carried forward")
    verify.add_argument("--marks", metavar="MARKS.toml",
                        help="marks per claim id or kind (default 1 each; see README, Grading)")
    verify.add_argument("--open", action="store_true", help="then open the debugger at the first slip")
    verify.add_argument("-o", "--output", metavar="PATH", help="write the report to PATH")
    verify.add_argument("--force", action="store_true",
                        help="overwrite PATH if it exists; verify a tape over the limits (README: Limits)")

    serve = sub.add_parser("serve", help="serve the debugger to a class's browsers (needs rnnstep[serve])")
    serve.add_argument("files", nargs="*", metavar="FILE|NAME|DIR",
                       help="scenario files, shipped names or folders of .toml files (default: every shipped one)")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default 127.0.0.1: this machine only; 0.0.0.0: every network)")
    serve.add_argument("--port", type=_whole_number(1, 65535), default=8000, help="port (default 8000)")
    serve.add_argument("--max-sessions", type=_positive_int, default=40, help="browser tabs at once (default 40)")
    serve.add_argument("--per-client", type=_positive_int, default=4,
                       help="browser tabs at once from one client address (default 4)")
    serve.add_argument("--cold", action="store_true",
                       help="start each tab's Python afresh instead of forking a warm one (slower; to compare)")
    serve.add_argument("--idle-minutes", type=_positive, default=30.0,
                       help="end a session after this long without a key (default 30)")
    serve.add_argument("--drill", action="store_true",
                       help="each tab drills the first scenario (answers go to the browser as a download)")
    serve.add_argument("--force", action="store_true",
                       help="serve scenarios whose tape or screen is over the limits (README: Limits)")
    serve.add_argument("--token", type=_token,
                       help="the token the URL must carry (default: a random one unless --host is loopback)")

    grade = sub.add_parser("grade", help="mark a folder of students' claim files against a scenario (a class CSV "
                                         "and feedback per student)")
    grade.add_argument("file", metavar="SCENARIO", help="the scenario the students worked (its [claims], if any, "
                                                        "are the questions)")
    grade.add_argument("folder", metavar="SUBMISSIONS", help="a folder of .toml ([claims]) or .csv (id,value) files, "
                                                             "one per student, named after the student")
    grade.add_argument("--marks", metavar="MARKS.toml", help="marks per claim id or kind (default 1 each)")
    grade.add_argument("-o", "--output", metavar="DIR", default="grades",
                       help="where grades.csv and feedback/STUDENT.md go (default ./grades)")
    grade.add_argument("--force", action="store_true", help="overwrite grades.csv and feedback files there")
    sub.add_parser("keys", help="the debugger's keys, with those of your config file (~/.config/rnnstep/config.toml)")

    stats = sub.add_parser("stats", help="accuracy per kind of quantity over time, from the drill history")
    stats.add_argument("--history", metavar="PATH", help="the history file (default $XDG_DATA_HOME/rnnstep/history.jsonl)")
    return parser


def read_scenario(file: str | None) -> Scenario:
    if file is None:
        return default_scenario()
    try:
        return load_scenario(Path(file))
    except ScenarioError as exc:
        guess = _near_shipped_name(file) if str(exc).endswith("no such file") else None
        if guess is None:
            raise
        raise UsageError(f"{file}: no such file or shipped scenario; did you mean `{guess}`? "
                         "(`rnnstep scenarios` lists them)") from None


def _near_shipped_name(name: str) -> str | None:
    """The shipped scenario a mistyped bare name most likely meant (``vanishing`` → ``vanishing-gradients``)."""
    if "/" in name or "\\" in name or name.endswith(".toml"):
        return None
    import difflib

    from .scenario import shipped_scenarios

    stems = [p.stem for p in shipped_scenarios()]
    starts = [s for s in stems if s.startswith(name.lower())]
    if len(starts) >= 1:
        return min(starts, key=len)
    close = difflib.get_close_matches(name.lower(), stems, n=1, cutoff=0.6)
    return close[0] if close else None


# ----------------------------------------------------------------------------- output

def write_output(path: str | None, force: bool, write: Callable[[TextIO], None]) -> None:
    """Write to stdout, or to PATH atomically, refusing to overwrite without ``force``."""
    if path is None:
        write(sys.stdout)
        sys.stdout.flush()
        return
    from .user_files import name_problem

    if name_problem(path):  # a name over 255 bytes, a NUL: no file can be made there
        raise UsageError(f"{path}: cannot write: {name_problem(path)}")
    target = Path(path)
    if target.is_dir():
        raise UsageError(f"{path}: is a directory; expected a file to write")
    if target.exists() and not target.is_file():
        # a device or pipe (/dev/null, a FIFO): write into it; never rename over it
        try:
            with open(target, "w", encoding="utf-8") as out:
                write(out)
        except OSError as exc:
            raise UsageError(f"{path}: cannot write: {exc.strerror or exc}") from None
        return
    if target.exists() and not force:
        raise UsageError(f"{path}: already exists; use --force to overwrite it")
    import tempfile  # only here: it costs start-up time on every other path

    from .partial import held, track, writing  # removed by SIGTERM and SIGHUP too, not only by unwinding

    directory = target.parent if str(target.parent) else Path(".")
    try:
        with held():
            fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", dir=directory)
            track(temp)
    except OSError as exc:
        raise UsageError(f"{path}: cannot write: {exc.strerror or exc}") from None
    umask = os.umask(0)
    os.umask(umask)
    os.fchmod(fd, 0o666 & ~umask)  # mkstemp makes 0600; the file should have a new file's permissions
    with writing(temp):
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                write(out)
        except OSError as exc:  # the disk filled up, a quota, an I/O error: one line, and no partial file
            if isinstance(exc, BrokenPipeError):
                raise
            raise UsageError(f"{path}: cannot write: {exc.strerror or exc}") from None
        if not force and target.exists():
            raise UsageError(f"{path}: already exists; use --force to overwrite it")
        os.replace(temp, target)


#: what a file name's extension says it holds
_EXTENSION_FORMAT = {".md": "markdown", ".markdown": "markdown", ".tex": "latex", ".latex": "latex",
                     ".json": "json", ".txt": "table"}
_FORMAT_EXTENSION = {"markdown": ".md", "latex": ".tex", "json": ".json", "table": ".txt"}


def refuse_contradicting_extension(command: str, path: str | None, format: str, force: bool) -> None:
    """`-o out.md --format latex` is almost surely a mistake: refuse it in one line unless --force."""
    if path is None or force:
        return
    claimed = _EXTENSION_FORMAT.get(Path(path).suffix.lower())
    if claimed is not None and claimed != format:
        raise UsageError(f"{command}: {path} is named like {claimed} but --format {format} writes {format}; "
                         f"name it {Path(path).with_suffix(_FORMAT_EXTENSION[format])}, "
                         f"or give --force to write it anyway")


# ----------------------------------------------------------------------------- commands

def cmd_trace(args: argparse.Namespace) -> int:
    from .build import build_tape

    refuse_contradicting_extension("trace", args.output, args.format, args.force)
    scenario = read_scenario(args.file)
    full = args.full_chains
    if full:
        if args.format == "json":
            raise UsageError("trace: --full-chains goes with --format table, markdown or latex "
                             "(JSON lists every factor unless --no-factors)")
        if scenario.is_vector and args.format == "table":
            raise UsageError("trace: --full-chains goes with --format markdown or latex for a vector scenario "
                             "(its table shows each term's δ and outer product, not the chain)")
    if args.samples is not None:  # SPEC §9: the estimator over many seeds, not one tape
        return _trace_samples(args, scenario)
    from . import budget

    price = budget.trace_price(scenario, args.format, not args.no_factors, full)
    budget.require(price, "trace", scenario, args.force, budget.trace_advice(scenario, args.format, not args.no_factors, full))
    budget.announce(budget.tape_price(scenario), scenario)  # the document's own progress bar follows
    tape = build_tape(scenario)
    if tape.vector and args.format in ("markdown", "latex"):  # SPEC §7: matrices as bmatrix
        from .render.vector_export import iter_vector_derivation

        write_output(args.output, args.force,
                     lambda out: out.writelines(iter_vector_derivation(tape, args.digits, args.format, full)))
        return 0
    if full:
        from .render.size import full_chains_note

        print(f"rnnstep: {full_chains_note(tape, args.format)}", file=sys.stderr)

    def chunks(out: TextIO) -> Iterator[str]:
        if args.format == "json":
            from .render.json import iter_json

            return iter_json(tape, factors=not args.no_factors)
        if args.format == "markdown":
            from .render.markdown import iter_markdown

            return iter_markdown(tape, args.digits, full)
        if args.format == "latex":
            from .render.latex import iter_latex

            return iter_latex(tape, args.digits, full)
        from .render.table import iter_table, output_width, use_color

        return iter_table(tape, args.digits, out is sys.stdout and use_color(out), full, output_width(out))

    def write(out: TextIO) -> None:
        if out is sys.stdout and out.isatty():  # the output itself shows how far it has got
            out.writelines(chunks(out))
            return
        from .progress import chunk_estimate, with_progress

        out.writelines(with_progress(chunks(out), chunk_estimate(tape), f"writing {args.output or 'the trace'}"))

    write_output(args.output, args.force, write)
    return 0


def _trace_samples(args: argparse.Namespace, scenario: Scenario) -> int:
    from .methods.randomized import draw_samples
    from .render.samples import iter_samples_json, iter_samples_text
    from .build import build_tape

    if scenario.method != "randomized":
        raise UsageError(f"trace: --samples goes with [train] method = \"randomized\" "
                         f"({scenario.source} has method = \"{scenario.method}\")")
    if args.format == "latex":
        raise UsageError("trace: --samples writes --format table, json or markdown")
    from . import budget

    # each sample re-weights every recurrent term once: about N × terms multiply-adds in numpy
    work = budget.Estimate(seconds=args.samples * (budget.term_count(scenario) + scenario.T) * 3e-7,
                           memory=8 * 3 * args.samples)
    budget.require(work, f"trace --samples {args.samples:,}", scenario, args.force, "draw fewer samples")
    samples = draw_samples(build_tape(scenario), args.samples)
    if args.format == "json":
        lines = iter_samples_json(samples)
    else:
        lines = iter_samples_text(samples, scenario, args.digits, markdown=args.format == "markdown")
    write_output(args.output, args.force, lambda out: out.writelines(lines))
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from . import notation as nt
    from .check import check_tape
    from .build import build_tape

    from .progress import progress_bar

    from . import budget

    scenario = read_scenario(args.file)
    budget.require(budget.check_price(scenario), "check", scenario, args.force,
                   "check a scenario with fewer steps, targets or hidden units")
    budget.announce(budget.tape_price(scenario), scenario)
    tape = build_tape(scenario)
    terms = {param: len(table) for param, table in tape.gradients.items()}
    with progress_bar(sum(terms.values()), "checking the gradients") as advance:  # on stderr, on long tapes
        rows = check_tape(tape, on_param=lambda param: advance(terms[param]))
    console = Console()
    columns = ("total (terms)", "all paths", "recursive ∂L/∂a", "finite difference")
    from .usertext import shown_line, user_text

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


def cmd_scenarios(args: argparse.Namespace) -> int:
    from .scenario import shipped_scenarios
    from .usertext import shown_line

    for path in shipped_scenarios():
        scenario = load_scenario(path)
        print(f"{path.stem:32} {shown_line(scenario.title)}")
        print(f"{'':32} {path}")  # where to copy it from (or `rnnstep new --from NAME -o FILE`)
    from .scenario import shipped_vector_scenarios

    for path in shipped_vector_scenarios():  # hidden vectors (SPEC §7): trace and check
        scenario = load_scenario(path)
        print(f"{path.stem:32} {shown_line(scenario.title)} [n = {scenario.sizes[0]}]")
        print(f"{'':32} {path}")
    from .scenario import shipped_gated_scenarios

    for path in shipped_gated_scenarios():  # LSTM and GRU (SPEC §8)
        scenario = load_scenario(path)
        print(f"{path.stem:32} {shown_line(scenario.title)} [{scenario.cell.upper()}, n = {scenario.sizes[0]}]")
        print(f"{'':32} {path}")
    return 0


def _need_terminal(instead: str) -> None:
    from .tui.running import NoTerminal, require_terminal

    try:
        require_terminal(instead)
    except NoTerminal as exc:
        raise UsageError(str(exc)) from None


def _user_config():
    """The config file (tui/config.py); a mistake in it is a usage error: one line, exit 2."""
    from .tui.config import ConfigError, load_config

    try:
        return load_config()
    except ConfigError as exc:
        raise UsageError(str(exc)) from None


def cmd_open(args: argparse.Namespace) -> int:
    scenario = read_scenario(args.file)
    config = _user_config()
    from . import budget

    budget.require(budget.screen_price(scenario), "open", scenario, args.force,
                   "open a scenario with fewer steps, targets or hidden units")
    budget.announce(budget.tape_price(scenario), scenario)
    _need_terminal("to print every value use `rnnstep trace`")
    from .tui.app import run_app

    digits = args.digits if args.digits is not None else config.digits or 6
    return run_app(scenario, digits=digits, theme=args.theme or config.theme, watch=args.watch, keys=config.keys,
                   remember=True, fresh=args.fresh)


def cmd_keys(args: argparse.Namespace) -> int:
    """The effective keymap: every binding id, its keys (the config's where it sets them) and what it does."""
    from .tui.config import config_path, effective_keys
    from .tui.keymap import key_labels

    config = _user_config()
    print(f"config: {config.path}" if config.path else f"config: none ({config_path()} does not exist)")
    for key in effective_keys(config.keys):
        mark = "*" if key.id in config.keys else " "
        print(f"{mark} {key.id:<30} {key_labels(key):<18} {key.help}")
    if config.keys:
        print("* set in the config file")
    return 0


def _fresh_seed() -> int:
    import secrets

    return secrets.randbelow(1_000_000)


def cmd_drill(args: argparse.Namespace) -> int:
    from .drill.briefing import briefing
    from .drill.history import History, HistoryError, default_path
    from .drill.questions import questions
    from .drill.review import pick_review
    from .drill.session import DrillSession
    from .build import build_tape

    seed = None
    if args.file is None:
        from .drill.randomize import random_scenario

        seed = _fresh_seed() if args.seed is None else args.seed
        if args.cell is not None:  # a random gated cell (SPEC §8)
            from .drill.randomize_gated import random_gated_scenario

            scenario = random_gated_scenario(seed, args.cell, args.hidden or 1)
        elif args.hidden is None:
            scenario = random_scenario(seed)
        else:
            from .drill.randomize_vector import random_vector_scenario

            scenario = random_vector_scenario(seed, args.hidden)
    else:
        if args.seed is not None:
            raise UsageError("drill: --seed chooses a random scenario; it cannot go with a FILE")
        if args.hidden is not None:
            raise UsageError("drill: --hidden chooses a random vector scenario; it cannot go with a FILE")
        if args.cell is not None:
            raise UsageError("drill: --cell chooses a random LSTM or GRU; it cannot go with a FILE")
        scenario = read_scenario(args.file)
    if args.anki:
        return _write_anki(args, scenario, seed)
    from . import budget

    budget.require(budget.tape_price(scenario) if args.plain else budget.screen_price(scenario), "drill", scenario,
                   args.force, "drill a scenario with fewer steps, targets or hidden units")
    budget.announce(budget.tape_price(scenario), scenario)
    if not args.plain:
        _need_terminal("for questions on standard input and output use `rnnstep drill --plain`")
    tape = build_tape(scenario)
    history = History(Path(args.history) if args.history else default_path())
    try:
        history.check_writable()  # now, not after the first answer (which would be lost)
    except HistoryError as exc:
        raise UsageError(str(exc)) from None
    chosen = questions(tape, args.only, args.digits, args.paths)
    warning = None
    review_note = None
    if args.review:
        try:
            loaded = history.load()
        except HistoryError as exc:
            raise UsageError(str(exc)) from None
        warning = loaded.warning
        if loaded.records:
            chosen = pick_review(chosen, loaded.records, args.count or 10)
        else:
            review_note = (f"review: no answers in {history.path} yet, so nothing to review; "
                           "this is the ordinary drill")
    if args.count and not (args.review and review_note is None):
        chosen = chosen[: args.count]
    session = DrillSession(tape, chosen, history, args.rtol, args.atol, args.digits)
    again = (f" --cell {args.cell}" if args.cell else "") + (f" --hidden {args.hidden}" if args.hidden is not None else "")
    from .usertext import shown_line

    header = [f"rnnstep drill: {shown_line(scenario.name)}" + (f" — repeat it with --seed {seed}{again}" if seed is not None else "")]
    header += [review_note] if review_note else []
    how = ("answer each question on one line: a number, or a vector's numbers separated by spaces and a matrix's "
           "rows by ; (0.1 0.2; 0.3 0.4), or: hint, skip, quit" if tape.vector
           else "answer each question with a number, or: hint, skip, quit")
    if args.plain:  # `note` there prints the step's notes (the TUI drill's answer box takes it for vectors)
        how = how.replace("hint, skip, quit", "hint, note (the step's notes), skip, quit")
    if warning:
        print(f"rnnstep: warning: {history.path}: {warning}", file=sys.stderr)
    try:
        if args.plain:
            from .drill.plain import run_plain

            # the scenario first, so the first question can be answered without a hint (the app shows it in panels)
            return run_plain(session, sys.stdin, sys.stdout, [*header, *briefing(scenario), how])
        from .drill.tui import DrillApp
        from .tui.running import run

        code = run(DrillApp(session, header=" · ".join([*header, how])))
        print(session.score)
        return code
    except HistoryError as exc:
        raise UsageError(str(exc)) from None


def _write_anki(args: argparse.Namespace, scenario: Scenario, seed: int | None) -> int:
    import shutil
    import tempfile

    from .drill.anki import write_deck
    from .drill.questions import questions
    from .build import build_tape

    if args.plain or args.review:
        raise UsageError(f"drill: --anki writes a deck; it cannot go with --{'plain' if args.plain else 'review'}")
    target = Path(args.anki)
    if target.suffix.lower() != ".apkg":
        raise UsageError(f"drill: --anki {args.anki}: expected a file name ending in .apkg (Anki's deck package)")
    if target.is_dir():
        raise UsageError(f"drill: --anki {args.anki}: is a directory; expected a .apkg file to write")
    if target.exists() and not args.force:
        raise UsageError(f"drill: --anki {args.anki} exists; add --force to overwrite it (re-exported cards keep "
                         "their ids, so Anki updates them and keeps their schedule)")
    tape = build_tape(scenario)
    chosen = questions(tape, args.only, args.digits, args.paths)
    if args.count:
        chosen = chosen[: args.count]
    from .partial import held, track, writing  # removed by SIGTERM and SIGHUP too, not only by unwinding

    folder = target.parent if str(target.parent) else Path(".")
    try:
        with held():
            handle, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=folder)
            track(temp)
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(handle, 0o666 & ~umask)  # mkstemp makes 0600; a deck gets a new file's permissions, as -o does
        os.close(handle)
    except OSError as exc:
        raise UsageError(f"drill: --anki {args.anki}: cannot write there: {exc.strerror or exc}") from None
    with writing(temp):
        try:
            notes = write_deck(Path(temp), chosen, scenario.name, args.digits)
            if target.exists() and not target.is_file():  # a device or pipe, as -o: write into it, never rename over it
                with open(temp, "rb") as deck, open(target, "wb") as out:
                    shutil.copyfileobj(deck, out)
            else:
                os.replace(temp, target)
        except OSError as exc:
            raise UsageError(f"drill: --anki {args.anki}: cannot write: {exc.strerror or exc}") from None
    again = f" (seed {seed}: repeat it with --seed {seed})" if seed is not None else ""
    print(f"wrote {notes} card{'s' if notes != 1 else ''} to {target}{again}")
    return 0


def cmd_new(args: argparse.Namespace) -> int:
    if args.random and args.source:
        raise UsageError("new: --random and --from each choose what to write; give one")
    if args.seed is not None and not args.random:
        raise UsageError("new: --seed goes with --random")
    if args.hidden is not None and not args.random:
        raise UsageError("new: --hidden goes with --random")
    if args.random:
        from .drill.randomize import random_scenario_text

        seed = _fresh_seed() if args.seed is None else args.seed
        if args.hidden is None:
            text = random_scenario_text(seed)
        else:
            from .drill.randomize_vector import random_vector_scenario_text

            text = random_vector_scenario_text(seed, args.hidden)
    elif args.source:
        text = _shipped_text(args.source)
    else:
        from .template import TEMPLATE

        text = TEMPLATE
    write_output(args.output, args.force, lambda out: out.write(text))
    return 0


def _shipped_text(name: str) -> str:
    """The text of a shipped scenario named ``name`` (as `rnnstep scenarios` lists them)."""
    from .scenario import shipped_gated_scenarios, shipped_scenarios, shipped_vector_scenarios

    shipped = {p.stem: p for p in [*shipped_scenarios(), *shipped_vector_scenarios(), *shipped_gated_scenarios()]}
    path = shipped.get(name[:-5] if name.endswith(".toml") else name)
    if path is None:
        raise UsageError(f"new: --from {name}: no shipped scenario of that name; "
                         f"expected one of {', '.join(sorted(shipped))}")
    return path.read_text(encoding="utf-8")


def cmd_verify(args: argparse.Namespace) -> int:
    from .build import build_tape
    from .usertext import shown_line
    from .verify import verify

    refuse_contradicting_extension("verify", args.output, args.format, args.force)
    if args.open:
        _need_terminal("without --open, `rnnstep verify` prints the report")
    from . import budget

    scenario = read_scenario(args.file)
    budget.require(budget.tape_price(scenario), "verify", scenario, args.force,
                   "verify a scenario with fewer steps, targets or hidden units")
    budget.announce(budget.tape_price(scenario), scenario)
    tape = build_tape(scenario)  # plain numbers or a hidden vector (entry by entry, SPEC §7)
    if args.marks and args.format != "gradescope":  # a mistaken option is one line, claims or none
        raise UsageError("verify: --marks goes with --format gradescope (or `rnnstep grade`)")
    marks = _read_marks(args.marks)
    if not tape.scenario.claims:  # the notice is the report: it goes where -o says (a full disk is an error)
        notice = f"{shown_line(tape.scenario.source)}: no [claims] to verify (add e.g. \"forward.O[2]\" = \"0.7790\")\n"
        write_output(args.output, args.force, lambda out: out.write(notice))
        return 0
    report = verify(tape)
    if args.format == "gradescope":
        from .grading import MarksError, check_marks_against, mark_report
        from .render.gradescope import gradescope_json

        try:
            check_marks_against(marks, [c.whole or c.id for c in tape.scenario.claims])
        except MarksError as exc:
            raise UsageError(str(exc)) from None
        graded = mark_report(report, marks)
        write_output(args.output, args.force, lambda out: out.write(gradescope_json(report, graded)))
        return 0  # a grade, not a verdict: the marks say how it went
    if args.format == "json":
        from .render.verify import report_json

        write_output(args.output, args.force, lambda out: out.write(report_json(report)))
    elif args.format == "markdown":
        from .render.verify import report_markdown

        write_output(args.output, args.force, lambda out: out.write(report_markdown(report)))
    else:
        from .render.verify_table import print_report_table  # Rich's table, written row by row

        write_output(args.output, args.force, lambda out: print_report_table(report, out))
    if args.open:
        from .tui.app import run_app

        slips = report.slips or [r for r in report.results if r.wrong]
        code = run_app(tape.scenario, cursor=slips[0].step if slips else 0)
        if code:  # the debugger crashed (1) or was ended by a signal (128 + its number): that, not the verdict
            return code
    return 0 if report.ok else 1


def _read_marks(path: str | None):
    from .grading import ONE_EACH, MarksError, read_marks

    if path is None:
        return ONE_EACH
    try:
        return read_marks(path)
    except MarksError as exc:
        raise UsageError(str(exc)) from None


def cmd_grade(args: argparse.Namespace) -> int:
    from .grade import class_csv, columns_for, expected_claims, feedback_markdown, grade_one, submissions
    from .grading import MarksError, check_marks_against

    scenario = read_scenario(args.file)
    marks = _read_marks(args.marks)
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
    from .grade import student_names
    from .usertext import shown_line

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

    from .grade import class_table

    Console(soft_wrap=False).print(class_table(graded, scenario.name))
    print(f"graded {len(graded)} submission{'s' if len(graded) != 1 else ''}"
          + (f" ({broken} could not be read: see the error column)" if broken else "")
          + f": {table} and {notes}/")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    try:
        import aiohttp  # noqa: F401
        import textual_serve  # noqa: F401
    except ImportError:
        raise UsageError("serve: needs the serve extra: pip install '.[serve]' in the rnnstep folder "
                         "(the test extra includes it)") from None
    from .serve.access import choose_token
    from .serve.catalog import catalog
    from .serve.server import serve

    served = catalog(args.files)
    from . import budget
    from .usertext import shown_line

    for item in served:  # each tab builds its tape and draws its screens: priced before anyone connects
        budget.require(budget.screen_price(item.scenario), f"serve: {shown_line(str(item.path))}", item.scenario,
                       args.force,
                       "serve scenarios with fewer steps, targets or hidden units")
    try:
        serve(served, args.host, args.port, choose_token(args.host, args.token), args.max_sessions, args.idle_minutes,
              drill=args.drill, per_client=args.per_client, warm=not args.cold)
    except OSError as exc:  # the port is taken, the address is not this machine's
        raise UsageError(f"serve: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}") from None
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    from rich.console import Console

    from .drill.history import History, HistoryError, default_path
    from .drill.stats import stats_table

    history = History(Path(args.history) if args.history else default_path())
    try:
        loaded = history.load()
    except HistoryError as exc:
        raise UsageError(str(exc)) from None
    if loaded.warning:
        print(f"rnnstep: warning: {history.path}: {loaded.warning}", file=sys.stderr)
    if not loaded.records:
        print(f"no drill answers in {history.path} yet: try `rnnstep drill`")
        return 0
    Console().print(stats_table(loaded.records))
    return 0


HANDLERS: dict[str, Callable[[argparse.Namespace], int]] = {
    "open": cmd_open, "trace": cmd_trace, "check": cmd_check, "scenarios": cmd_scenarios,
    "drill": cmd_drill, "new": cmd_new, "stats": cmd_stats, "verify": cmd_verify, "serve": cmd_serve,
    "grade": cmd_grade,
    "keys": cmd_keys,
}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0] not in HANDLERS and argv[0] not in ("-h", "--help", "--version")):
        argv.insert(0, "open")
    from .partial import on_termination

    on_termination()  # SIGTERM and SIGHUP end a command as SIGINT does: no temporary file left behind
    try:
        args = build_parser().parse_args(argv)
        code = HANDLERS[args.command](args)
        sys.stdout.flush()  # here, not at exit: a full disk or a closed pipe must be caught below
        return code
    except (ScenarioError, UsageError, OverBudget) as exc:
        from .usertext import shown_line  # a key or file name of the user's may hold control characters

        print(f"rnnstep: error: {shown_line(str(exc))}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # the reader went away (e.g. `| head`): not an error, and not a mismatch either
        return _reader_gone()
    except SystemExit as exc:
        if isinstance(exc.__context__, BrokenPipeError):  # rich's Console exits 1 on a closed pipe
            return _reader_gone()
        raise
    except KeyboardInterrupt:
        return 130
    except OSError as exc:
        if exc.errno not in _WRITE_ERRORS:
            return _crash(exc)
        _silence_stdout()
        print(f"rnnstep: error: cannot write to standard output: {exc.strerror or exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # a bug of ours: one line, the traceback in a file
        return _crash(exc)


def _crash(exc: BaseException) -> int:
    from .crash import crash_line, write_report

    print(crash_line(exc, write_report(exc)), file=sys.stderr)
    return 1


#: exit code when the reader of standard output went away: a shell's code for a command ended by SIGPIPE
PIPE_CLOSED = 141
#: errors that only writing raises (a full disk, a quota, a file too large, a device failing)
_WRITE_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO}


def _silence_stdout() -> None:
    """Point standard output at /dev/null, so the interpreter's last flush of what is left cannot fail."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no file descriptor (captured in tests)
        pass


def _reader_gone() -> int:
    _silence_stdout()
    return PIPE_CLOSED
