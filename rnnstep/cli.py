"""The command line: ``rnnstep [FILE]`` opens the debugger; subcommands script the engine.

Exit codes: 0 success, 1 a failed check, 2 bad usage or a bad scenario — always
one line on stderr starting ``rnnstep: error:``, never a traceback. This module
parses the arguments and turns errors into exit codes; each command is a module of
rnnstep/commands/, imported only when it runs, so ``rnnstep trace`` stays fast.
"""

from __future__ import annotations

import argparse
import errno
import os
import sys
from typing import Callable, NoReturn

from .budget import OverBudget
from .commands.usage import UsageError
from .scenario import ScenarioError


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


#: the subcommands, each a module of rnnstep/commands/ with ``run(args) -> int``
COMMANDS = ("open", "trace", "check", "scenarios", "drill", "new", "stats", "verify", "serve", "grade", "keys")


def command(name: str) -> Callable[[argparse.Namespace], int]:
    """The subcommand's ``run``, its module imported only now: ``rnnstep trace`` loads no drill and no UI."""
    from importlib import import_module

    return import_module(f"{__package__}.commands.{name}").run


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0] not in COMMANDS and argv[0] not in ("-h", "--help", "--version")):
        argv.insert(0, "open")
    from .partial import on_termination

    on_termination()  # SIGTERM and SIGHUP end a command as SIGINT does: no temporary file left behind
    try:
        args = build_parser().parse_args(argv)
        code = command(args.command)(args)
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
