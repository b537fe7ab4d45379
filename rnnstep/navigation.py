"""Where the cursor goes: breakpoints, phases, notes. Pure functions over a tape's steps."""

from __future__ import annotations

from .tape import Tape


def resolve(tape: Tape, at: str) -> int:
    """The step index a phase name or a value id points at."""
    return tape.steps.index_of(at)


def scenario_breakpoints(tape: Tape) -> set[int]:
    """The file's breakpoints on steps (its conditions are scenario_conditions')."""
    return {resolve(tape, at) for at in tape.scenario.breakpoints if not at.startswith("when ")}


def scenario_conditions(tape: Tape) -> list:
    """The file's conditional breakpoints ("when |term| < 1e-6"), parsed."""
    from .conditions import parse_condition

    return [parse_condition(at) for at in tape.scenario.breakpoints if at.startswith("when ")]


def notes_by_step(tape: Tape) -> dict[int, list[str]]:
    notes: dict[int, list[str]] = {}
    for note in tape.scenario.notes:
        notes.setdefault(resolve(tape, note.at), []).append(note.text)
    return notes


def claims_by_step(tape: Tape) -> dict[int, list]:
    """A worked example's claims, verified, by the step they belong to (empty without claims)."""
    if not tape.scenario.claims:
        return {}
    from .verify import verify

    out: dict[int, list] = {}
    full = getattr(tape, "full", None)  # TBPTT stepped by chunks: a claim goes to the step its id names
    for result in verify(full if full is not None else tape).results:
        out.setdefault(result.step if full is None else _claim_step(tape, result.id), []).append(result)
    return out


def _claim_step(tape, value_id: str) -> int:
    try:
        return tape.steps.index_of(value_id)
    except (KeyError, ValueError, IndexError):
        return 0


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


def step_in(tape: Tape, step_id: str) -> int | None:
    """The index of the step whose id is ``step_id`` in ``tape``, or None (a phase name is not a step id here:
    the step ``loss`` is the one showing L, not the start of the loss phase)."""
    from . import ids

    if step_id.startswith("chunk["):  # a TBPTT chunk's step (methods/chunk_tape.py)
        try:
            index = tape.steps.index_of(step_id)
        except (KeyError, ValueError, IndexError, AttributeError):
            return None
        return index if tape.steps[index].id == step_id else None
    try:
        vid = ids.parse_id(step_id)
        ids.check_id(vid, tape.T, tape.scenario.targets, tape.sizes)
        index = tape.step_of(vid)
    except (KeyError, ValueError, IndexError):
        return None
    return index if 0 <= index < len(tape.steps) and tape.steps[index].id == step_id else None


#: how far back a reload looks for a step of the old tape that the new one still has
MOST_STEPS_BACK = 10_000


def follow(old: Tape, new: Tape, cursor: int) -> tuple[int, bool]:
    """Where the cursor goes when ``old`` is replaced by ``new`` (a reloaded file): the step with the same id,
    else the nearest earlier step of ``old`` that ``new`` still has. (index, whether it is the same step)."""
    for back in range(cursor, max(-1, cursor - MOST_STEPS_BACK), -1):
        index = step_in(new, old.steps[back].id)
        if index is not None:
            return index, back == cursor
    return min(cursor, len(new.steps) - 1), False


def goto_target(tape: Tape, text: str) -> int:
    """The step a Go-to entry names: a step number (1-based), a phase, or a value id. ValueError (one sentence)
    if none. ``loss`` is both a phase (it starts at the outputs) and the value L: it goes to the step showing L."""
    text = text.strip()
    n = len(tape.steps)
    if not text:
        raise ValueError(f"type a step number (1 … {n}), a phase or a value id")
    if text.isascii() and text.isdigit():  # "２" or "²" is not a step number
        if not 1 <= int(text) <= n:
            raise ValueError(f"there are steps 1 to {n}")
        return int(text) - 1
    if text == "loss":
        from .ids import parse_id

        return tape.step_of(parse_id("loss"))
    try:
        return resolve(tape, text)
    except (KeyError, ValueError) as exc:
        raise ValueError(_not_found(tape, text, exc.args[0] if exc.args else str(exc))) from None


def _not_found(tape: Tape, text: str, detail: str) -> str:
    """One sentence: what is wrong with ``text`` (the id parser's own words, never repeated around them)."""
    quoted = repr(text)
    if not str(detail).startswith(quoted):  # a well-formed id this tape has not: "forward.O[9]: step 9 is outside 1…4"
        return str(detail)
    head = f"{quoted} is not a step number (1 … {len(tape.steps)}), a phase or a value id"
    shape = str(detail)[len(quoted):]
    if shape.startswith(" is not an id: "):  # its shape is known and one part is wrong: say which
        return f"{head}: {shape[len(' is not an id: '):]}"
    term = tape.steps[tape.steps.phase_start("backward.w")].id
    return f"{head} such as forward.O[1], loss, {term} or update.w.new"


#: more terms than this and their ids are not offered for completion (they still go when typed whole)
MOST_COMPLETED_TERMS = 20_000


def completions(tape: Tape) -> list[str]:
    """Phases and value ids for the Go-to prompt's completion (factors left out: there are T² of them; and the
    terms too past MOST_COMPLETED_TERMS, so that opening the prompt never grows with T²)."""
    out = [name for name, _, _ in tape.steps.phase_bounds()]
    for t in range(1, tape.T + 1):
        out += [f"forward.a[{t}]", f"forward.O[{t}]", f"backward.dL_dO[{t}]", f"backward.dL_da[{t}]"]
    for t in tape.targets:
        out += [f"outputs.z[{t}]", f"outputs.yhat[{t}]", f"outputs.loss[{t}]"]
    out.append("loss")
    terms = sum(len(table.t) for table in tape.gradients.values())
    for param, table in tape.gradients.items():
        if terms <= MOST_COMPLETED_TERMS:
            wheres = ([f"{t},{k}" for t, k in zip(table.t.tolist(), table.k.tolist())] if table.k is not None
                      else [str(t) for t in table.t.tolist()])
            out += [f"gradients.{param}.term[{w}]" for w in wheres]
            out += [f"gradients.{param}.running_sum[{w}]" for w in wheres]
        out += [f"gradients.{param}.total", f"update.{param}.new"]
    return list(dict.fromkeys(out))  # "loss" is a phase and a value id: offered once


def matching(words: list[str], text: str) -> list[str]:
    """The words that begin with ``text`` (case aside), in order."""
    folded = text.casefold()
    return [w for w in words if w.casefold().startswith(folded)]


def completion(words: list[str], text: str) -> str | None:
    """What tab completes ``text`` to, as a shell does: the longest text that every matching word begins with,
    if it is longer than ``text`` (the one word, when only one matches); None when there is nothing to add."""
    found = matching(words, text)
    if not found:
        return None
    prefix = found[0]
    for word in found[1:]:
        end = 0
        while end < min(len(prefix), len(word)) and prefix[end] == word[end]:
            end += 1
        prefix = prefix[:end]
    return prefix if len(prefix) > len(text) else None
