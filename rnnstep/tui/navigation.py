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


def next_in(indices: list[int], cursor: int, direction: int) -> int | None:
    """The first of the sorted ``indices`` after (direction 1) or before (−1) the cursor."""
    if direction > 0:
        return next((i for i in indices if i > cursor), None)
    return next((i for i in reversed(indices) if i < cursor), None)


def goto_target(tape: Tape, text: str) -> int:
    """The step a Go-to entry names: a step number (1-based), a phase, or a value id. ValueError if none."""
    text = text.strip()
    if text.isdigit():
        n = int(text)
        if not 1 <= n <= len(tape.steps):
            raise ValueError(f"there are steps 1 to {len(tape.steps)}")
        return n - 1
    try:
        return resolve(tape, text)
    except (KeyError, ValueError) as exc:
        raise ValueError(f"{text!r} is not a step number, a phase or a value id of this tape ({exc})") from None


def completions(tape: Tape) -> list[str]:
    """Phases and value ids for the Go-to prompt's completion (factors left out: there are T² of them)."""
    out = [name for name, _, _ in tape.steps.phase_bounds()]
    for t in range(1, tape.T + 1):
        out += [f"forward.a[{t}]", f"forward.O[{t}]", f"backward.dL_dO[{t}]", f"backward.dL_da[{t}]"]
    for t in tape.targets:
        out += [f"outputs.z[{t}]", f"outputs.yhat[{t}]", f"outputs.loss[{t}]"]
    out.append("loss")
    for param, table in tape.gradients.items():
        wheres = ([f"{t},{k}" for t, k in zip(table.t.tolist(), table.k.tolist())] if table.k is not None
                  else [str(t) for t in table.t.tolist()])
        out += [f"gradients.{param}.term[{w}]" for w in wheres]
        out += [f"gradients.{param}.running_sum[{w}]" for w in wheres]
        out += [f"gradients.{param}.total", f"update.{param}.new"]
    return out
