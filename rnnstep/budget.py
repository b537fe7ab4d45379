"""What a command will cost, priced from the scenario alone — before a tape or a document is made.

A tape holds one term per path t → k: Σ over the targets of t terms for each of
w′, w, b (T = 20,000 with a target at every step: 600 million terms), and a
JSON trace lists every factor of every path (T³/2 numbers). A vector scenario
multiplies by n² (a Jacobian per step back; `check` nudges each of the n² + …
weight entries both ways, two tapes each). So every command asks :func:`price`
first and :func:`require` refuses, in one line, what is over a limit unless
``--force`` is given, saying the estimate and how to narrow the work.

The figures below were measured on the rnnstep of this commit (one core, numpy
1.x), on tapes of 10⁴–10⁷ terms and documents of 1 MB–1 GB; a test keeps every
estimate within a factor of 3 of the real size (tests/unit/test_budget.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from .scenario import Scenario

OUTPUT_LIMIT = 200_000_000  # bytes a command may write without --force
MEMORY_LIMIT = 2_000_000_000  # bytes a tape (and what is built from it) may take without --force
TIME_LIMIT = 60.0  # seconds a command may compute for without --force
BASE_MEMORY = 30_000_000  # the interpreter, numpy and rich, before any tape

#: a factor shown in full, a term's line or record, a step's: bytes written (plain numbers), measured
_TERM_BYTES = {"markdown": 127, "latex": 246, "table": 80, "json": 110}
_FACTOR_BYTES = {"markdown": 42, "latex": 72, "table": 22, "json": 75}
_STEP_BYTES = 150
#: a vector scenario writes arrays: bytes per number written
_ENTRY_BYTES = {"markdown": 20, "latex": 20, "json": 16}
#: seconds per byte written, by format (plain numbers, vector)
_WRITE_RATE = {"json": (1.0e-7, 1.0e-8), "markdown": (4.0e-8, 1.0e-7), "latex": (3.0e-8, 1.0e-7),
               "table": (5.0e-8, 3.3e-7)}
_SHOWN_HEAD, _SHOWN_TAIL, _SHOWN_LIMIT = 3, 2, 8  # render.chains: a longer chain shows 3 … 2 factors
#: the debugger and the drill's screen format about every entry of an n×n matrix at each step:
#: n = 512 held the screen 20 s at a step (issue 20), about 76 µs per entry
_SCREEN_SECONDS_PER_ENTRY = 7.6e-5
SCREEN_LIMIT = 5.0  # seconds one step's screen may take without --force


class OverBudget(Exception):
    """Over a limit: the message is one line that states the estimate and how to proceed."""


@dataclass(frozen=True)
class Estimate:
    seconds: float
    memory: int  # bytes at the peak
    output: int = 0  # bytes written
    screen: float = 0.0  # seconds to draw one step (the debugger, the drill)

    def over(self) -> list[str]:
        """What is over its limit, as phrases: "about 2.9 GB of output (the limit is 200 MB)"."""
        out = []
        if self.output > OUTPUT_LIMIT:
            out.append(f"about {human_bytes(self.output)} of output (the limit is {human_bytes(OUTPUT_LIMIT)})")
        if self.memory > MEMORY_LIMIT:
            out.append(f"about {human_bytes(self.memory)} of memory (the limit is {human_bytes(MEMORY_LIMIT)})")
        if self.seconds > TIME_LIMIT:
            out.append(f"about {human_seconds(self.seconds)} of work (the limit is {human_seconds(TIME_LIMIT)})")
        if self.screen > SCREEN_LIMIT:
            out.append(f"about {human_seconds(self.screen)} to draw each step (the limit is "
                       f"{human_seconds(SCREEN_LIMIT)})")
        return out


# ----------------------------------------------------------------------------- counting, no allocation

def path_count(scenario: "Scenario") -> int:
    """Paths t → k over the targets: Σ t (each of w′, w, b has one term per path)."""
    return sum(scenario.targets)


def term_count(scenario: "Scenario") -> int:
    return 3 * path_count(scenario) + 2 * len(scenario.targets)


def _factors_full(scenario: "Scenario") -> int:
    """Every factor of every recurrent term (t − k + 3 each, + 4 for a vector scenario), times w′, w, b."""
    extra = 4 if scenario.is_vector else 3
    return 3 * sum(t * (t - 1) // 2 + extra * t for t in scenario.targets) + 6 * len(scenario.targets)


def _factors_shown(scenario: "Scenario") -> int:
    """Factors a document shows when a chain of more than 8 shows its first 3 and last 2."""
    short = sum(d + 3 for d in range(_SHOWN_LIMIT - 2))  # chains of 3 … 8 factors, shown whole
    total = 0
    for t in scenario.targets:
        whole = min(t, _SHOWN_LIMIT - 2)
        total += (short if whole == _SHOWN_LIMIT - 2 else sum(d + 3 for d in range(whole)))
        total += max(0, t - whole) * (_SHOWN_HEAD + _SHOWN_TAIL)
    return 3 * total + 6 * len(scenario.targets)


def _vector_entries(scenario: "Scenario") -> int:
    """Numbers a vector document writes: each step's vectors and Jacobian, each term's δ, input, term, Σ
    (render.vector_export's count)."""
    n, m, q = scenario.sizes
    paths, targets = path_count(scenario), len(scenario.targets)
    entries = scenario.T * (3 * n + n * n + 12)
    for param, count in (("w_prime", paths), ("w", paths), ("b", paths), ("w_out", targets), ("b_out", targets)):
        width = {"w_prime": n, "w": m, "b": 0, "w_out": n, "b_out": 0}[param]
        rows = q if param in ("w_out", "b_out") else n
        entries += count * (2 * rows + width + 2 * rows * max(width, 1) + 34)
    return entries


def weight_entries(scenario: "Scenario") -> int:
    n, m, q = scenario.sizes
    return n * n + n * m + n + q * n + q


# ----------------------------------------------------------------------------- prices

def tape_price(scenario: "Scenario") -> Estimate:
    """Building the tape: the forward pass, every path's chain, the running sums."""
    n, m, q = scenario.sizes
    T, paths, terms = scenario.T, path_count(scenario), term_count(scenario)
    if scenario.is_vector:
        seconds = 3e-5 * T + 6e-7 * terms + 1e-8 * (paths + T) * n * max(n, m)
        memory = 12 * terms + 8 * paths * n + 8 * n * max(n, m) * (T + 16) + 64 * T * n
        cell = getattr(scenario, "cell", "rnn")
        if cell != "rnn":  # a gated tape keeps δ's and the carry's rows, G·n wide, per path (the GRU: δₕ's too)
            G = 4 if cell == "lstm" else 3
            memory += 8 * paths * G * n * (2 if cell == "lstm" else 4)
            seconds += 4e-8 * paths * G * n
    else:
        seconds = 3e-5 * T + 1.5e-7 * terms
        memory = 32 * terms + 200 * T
    return Estimate(seconds, int(memory) + BASE_MEMORY)


def output_bytes(scenario: "Scenario", fmt: str, factors: bool = True, full_chains: bool = False) -> int:
    """About how many bytes ``trace --format fmt`` writes."""
    n, m, q = scenario.sizes
    terms = term_count(scenario)
    if scenario.is_vector:
        if fmt == "table":
            return terms * (150 + 2 * n * max(n, m)) + scenario.T * 40 * n
        size = _ENTRY_BYTES[fmt] * _vector_entries(scenario)
        if fmt == "json" and factors:
            size += 20 * n * max(n, m) * _factors_full(scenario)
        return size
    if fmt == "json":
        return _TERM_BYTES["json"] * terms + _STEP_BYTES * scenario.T + (
            _FACTOR_BYTES["json"] * _factors_full(scenario) if factors else 0)
    counted = _factors_full(scenario) if full_chains else _factors_shown(scenario)
    return _TERM_BYTES[fmt] * terms + _FACTOR_BYTES[fmt] * counted + _STEP_BYTES * scenario.T


def trace_price(scenario: "Scenario", fmt: str, factors: bool = True, full_chains: bool = False) -> Estimate:
    tape = tape_price(scenario)
    size = output_bytes(scenario, fmt, factors, full_chains)
    rate = _WRITE_RATE[fmt][1 if scenario.is_vector else 0]
    return Estimate(tape.seconds + size * rate, tape.memory, size)


def check_price(scenario: "Scenario") -> Estimate:
    """``check``: the tape, then two more tapes (L(p ± h)) for every weight entry, one at a time."""
    tape = tape_price(scenario)
    builds = 1 + 2 * weight_entries(scenario)
    return Estimate(tape.seconds * builds, 2 * tape.memory)


def screen_price(scenario: "Scenario") -> Estimate:
    """The debugger (and the TUI drill): the tape, and each step's screen of n×n matrices."""
    tape = tape_price(scenario)
    n, m, _ = scenario.sizes
    screen = _SCREEN_SECONDS_PER_ENTRY * n * max(n, m) if scenario.is_vector else 0.0
    return Estimate(tape.seconds, tape.memory, 0, screen)


# ----------------------------------------------------------------------------- refusing

def require(estimate: Estimate, command: str, scenario: "Scenario", force: bool, instead: str = "",
            forcing: str = "give --force to do it anyway") -> None:
    """Raise OverBudget (one line) if ``estimate`` is over a limit and ``force`` is not given; ``forcing``
    says how to go on anyway (a dialog has no --force: it names the command that has)."""
    over = estimate.over()
    if not over or force:
        return
    n, _, _ = scenario.sizes
    shape = f"T = {scenario.T:,}, {len(scenario.targets):,} target{'s' if len(scenario.targets) != 1 else ''}"
    shape += f", n = {n:,}" if scenario.is_vector else ""
    advice = f"{instead}; or {forcing}" if instead else forcing
    raise OverBudget(f"{command}: {shape} ({term_count(scenario):,} terms) needs {' and '.join(over)}; {advice}")


def trace_advice(scenario: "Scenario", fmt: str, factors: bool, full_chains: bool) -> str:
    """How to narrow a trace that is too large: the smaller alternatives, with their sizes."""
    asked = output_bytes(scenario, fmt, factors, full_chains)
    candidates = []
    if fmt == "json" and factors:
        candidates.append(("--no-factors", output_bytes(scenario, "json", False)))
    if full_chains:
        candidates.append(("leaving out --full-chains", output_bytes(scenario, fmt, factors)))
    if fmt != "table":
        candidates.append(("--format table", output_bytes(scenario, "table")))
    options = [f"{how} (about {human_bytes(size)})" for how, size in candidates if size < asked / 2]
    return "narrow it: " + ", ".join(options + ["a scenario with fewer steps or targets"])


def human_bytes(n: float) -> str:
    for unit in ("bytes", "kB", "MB", "GB", "TB"):
        if n < 1000 or unit == "TB":
            return f"{n:,.0f} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1000
    raise AssertionError  # pragma: no cover


def human_seconds(s: float) -> str:
    if s < 90:
        return f"{s:.0f} s" if s >= 10 else f"{s:.1f} s"
    if s < 5400:
        return f"{s / 60:.0f} min"
    if s < 48 * 3600:
        return f"{s / 3600:.1f} h"
    return f"{s / 86400:,.0f} days"


def admit(estimate: Estimate, command: str, scenario: "Scenario", force: bool, instead: str = "") -> None:
    """A command's gate before it builds the tape: ``require`` the estimate, then ``announce`` the tape's build."""
    require(estimate, command, scenario, force, instead)
    announce(tape_price(scenario), scenario)


def announce(estimate: Estimate, scenario: "Scenario", stream=None) -> None:
    """On a terminal's stderr (never into a pipe or a file), one line before work of over a second: what is
    being built and about how long it takes."""
    import sys

    stream = stream or sys.stderr
    try:
        watched = stream.isatty()
    except ValueError:  # closed
        return
    if watched and estimate.seconds > 1.0:
        print(f"rnnstep: building {term_count(scenario):,} terms, about {human_seconds(estimate.seconds)} …",
              file=stream, flush=True)
