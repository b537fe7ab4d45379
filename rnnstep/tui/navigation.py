"""Where the cursor goes: breakpoints, phases, notes. Pure functions over a tape's steps."""

from __future__ import annotations

from ..tape import Tape


def resolve(tape: Tape, at: str) -> int:
    """The step index a phase name or a value id points at."""
    return tape.steps.index_of(at)


def scenario_breakpoints(tape: Tape) -> set[int]:
    return {resolve(tape, at) for at in tape.scenario.breakpoints}


def notes_by_step(tape: Tape) -> dict[int, list[str]]:
    notes: dict[int, list[str]] = {}
    for note in tape.scenario.notes:
        notes.setdefault(resolve(tape, note.at), []).append(note.text)
    return notes


def claims_by_step(tape: Tape) -> dict[int, list]:
    """A worked example's claims, verified, by the step they belong to (empty without claims)."""
    if not tape.scenario.claims:
        return {}
    from ..verify import verify

    out: dict[int, list] = {}
    for result in verify(tape).results:
        out.setdefault(result.step, []).append(result)
    return out


def next_breakpoint(cursor: int, breakpoints: set[int], last: int) -> int:
    """The first breakpoint after the cursor, or the last step."""
    later = [b for b in breakpoints if b > cursor]
    return min(later) if later else last


def phase_index(tape: Tape, cursor: int) -> int:
    bounds = tape.steps.phase_bounds()
    for i, (_, lo, hi) in enumerate(bounds):
        if lo <= cursor < hi:
            return i
    return len(bounds) - 1


def next_phase(tape: Tape, cursor: int) -> int:
    bounds = tape.steps.phase_bounds()
    i = phase_index(tape, cursor)
    return bounds[i + 1][1] if i + 1 < len(bounds) else len(tape.steps) - 1


def previous_phase(tape: Tape, cursor: int) -> int:
    """The start of this phase, or of the previous one when already at a start."""
    bounds = tape.steps.phase_bounds()
    i = phase_index(tape, cursor)
    start = bounds[i][1]
    if cursor > start:
        return start
    return bounds[i - 1][1] if i > 0 else 0
