"""The current step: its formula in the notes' notation, then with numbers, then its value.

For a backward term: one row per factor (symbol, formula, numbers, value), the
product, and the running sum it leads to. Fitted to (width, height): columns are
dropped before a value is touched, and a long factor list scrolls with its
position shown, so the term and the running sum are always on screen.
"""

from __future__ import annotations

import io
import math
import re
from functools import lru_cache

from rich.console import Console, Group, RenderableType
from rich.text import Text

from ... import notation as nt
from ...model import activation
from ...printed import factor_again, printed, relation, total
from ...methods.selection import left_out_text, tally_text, weight_of
from ...methods.tbptt import left_out, used_in
from ...tape import Step
from ...underflow import term_log10, underflowed, zero_factor
from .base import BAD, PATH, USE, View, line, pad, sum_ids, term_where
from ...usertext import shown, shown_line
from .decades import decade


_NUMBER = re.compile(r"-?\d+(?:\.\d*)?(?:e[+-]?\d+)?|-?inf|nan")  # a line's result, for "a₁ = 0.6"


def title_parts(step: Step, cursor: int, count: int, vector: bool) -> list[str]:
    """The parts of a step's title, most droppable first: "Step 18 of 52", "∂L/∂W′", "term t = 4, k = 2"."""
    counter = f"Step {cursor + 1} of {count}"
    if step.kind == "term":
        where = f"term t = {step.t}" + (f", k = {step.k}" if step.k is not None else "")
        return [counter, nt.gradient_symbol(step.param, vector=vector), where]
    if step.kind == "forward":
        return [counter, "forward", f"t = {step.t}"]
    if step.kind == "output":
        return [counter, "output", f"t = {step.t}"]
    if step.kind == "update":
        return [counter, "update", nt.param(step.param, vector=vector)]
    return [counter, "loss"]


def _longest(tape, drop: int) -> int:
    """The widest title any step of ``tape`` can have with its first ``drop`` parts dropped (from the
    few segments, not the steps: a T = 5,000 tape has millions of steps)."""
    count, T, widest = len(tape.steps), tape.T, 0
    for phase, kind, n in tape.steps._segments:  # (phase, kind, count)
        if not n:
            continue
        param = phase.split(".", 1)[1] if kind == "term" else None
        k = T if param is not None and tape.gradients[param].k is not None else None
        params = [param] if param is not None else list(tape.gradients)
        for p in params:
            worst = Step(0, phase, kind, t=T, k=k, param=p)
            widest = max(widest, len(" · ".join(title_parts(worst, count - 1, count, tape.vector)[drop:])))
    return widest


def step_title(view: View, width: int | None = None) -> str:
    """"Step 8 of 25 · ∂L/∂w′ · term t = 4, k = 3": one format for every step. When ``width`` is
    tight, whole parts are dropped ("∂L/∂w′ · term t = 4, k = 3"; the status line keeps the count),
    the same for every step of the tape at that width, so the titles do not change form as you step."""
    cursor, count = getattr(view, "counter", None) or (view.cursor, len(view.tape.steps))  # a TBPTT chunk: the tape's
    parts = title_parts(view.step, cursor, count, view.tape.vector)
    drop = 0
    while width is not None and drop < 2 and _longest(view.tape, drop) > width:
        drop += 1  # at 60×20, "∂L/∂w′ · term t = 30, k = 1" wraps too: the heading below names the gradient
    return " · ".join(parts[drop:])


@lru_cache(maxsize=1)
def _measure() -> Console:
    return Console(file=io.StringIO(), width=200, color_system=None)


def hang(text: Text, width: int) -> Text:
    """``text`` wrapped at ``width`` with its continuation lines indented under its own start (+2)."""
    if "\n" in text.plain or text.cell_len <= width:
        return text
    indent = len(text.plain) - len(text.plain.lstrip(" ")) + 2
    if indent * 2 >= width:
        return text
    first, *rest = text.wrap(_measure(), width)
    if not rest:
        return text
    for piece in rest:
        piece.rstrip()  # a wrapped line keeps its trailing space: joined, it would read "=  0.218771"
    tail = Text(" ").join(rest)
    out = first.copy()
    out.rstrip()
    for line in tail.wrap(_measure(), width - indent):
        line.rstrip()
        out.append("\n" + " " * indent)
        out.append_text(line)
    return out


def rows_of(text: Text, width: int) -> int:
    """How many screen rows ``text`` takes once wrapped at ``width``."""
    if "\n" not in text.plain and text.cell_len <= width:
        return 1  # the common case, without wrapping
    return len(text.wrap(_measure(), max(1, width)))


def step_panel(view: View, width: int = 120, height: int = 40) -> RenderableType:
    """The current step's formulas and numbers, then any worked-example claims and teaching note."""
    step = view.step
    title = Text(step_title(view, width), style="bold underline")
    claims = claims_text(view)
    note = note_text(view, with_description=True)  # at step 1, what the network is, then the note
    # what the worked example states here stays whole (verify --open came for it): the step's glosses,
    # then the note, give way to it first
    room = height - rows_of(title, width)
    if claims is not None and rows_of(claims, width) > max(2, room // 3):
        claims = claims_text(view, compact=True)
    budget = room  # the rows claims may take: at a term, what its least (heading, a factor, the sums) leaves
    if step.kind == "term" and claims is not None:
        # the claims name ∂L/∂O_k and ∂L/∂a_k with their true values: the recursive view need not stay for them
        budget = max(0, room - sum(rows_of(t, width) for t in _term_lines(view, step, width, 1, 1, keep_claimed=False)))
        if 1 + rows_of(claims, width) > budget:
            claims = claims_text(view, compact=True)
    claim_rows = (1 + rows_of(claims, width)) if claims is not None else 0
    note_rows = (1 + rows_of(note, width)) if note is not None else 0
    if step.kind == "term":
        # a note too long for the room is what gives way, not a factor; but it keeps a line for its "more" sign;
        # claims too long even compact are cut (m reads them whole), never the term and its sum
        taken = min(claim_rows, budget)
        lines = _term_lines(view, step, width, max(1, room - taken - min(note_rows, 2)),
                            max(1, room - taken - note_rows), keep_claimed=claims is None)

    else:
        if step.kind == "forward":
            detail = _forward_lines(view, step.t)
        elif step.kind == "output":
            detail = _output_lines(view, step.t)
        elif step.kind == "loss":
            detail = _loss_lines(view)
        else:
            detail = _update_lines(view, step.param)
        raw = list(detail)
        while claim_rows and sum(rows_of(hang(t, width), width) for t in raw) + claim_rows > room:
            gloss = next((n for n in range(len(raw) - 1, -1, -1)
                          if not raw[n].plain.strip() or raw[n].style in ("dim", "italic")), None)
            if gloss is not None:
                del raw[gloss]
                continue
            # then a substitution gives way to its result: "a₁ = x₁·w + … = 0.5·0.8 + … = 0.6" as "a₁ = 0.6"
            long = next((n for n in range(len(raw) - 1, -1, -1) if _collapsible(raw[n].plain)), None)
            if long is None:  # last, a line about a quantity no claim states (f′, the formula): m, p show them
                stated = {r.symbol for r in view.claims.get(view.cursor, ())}
                other = next((n for n in range(len(raw) - 1, 0, -1)
                              if raw[n].plain.split(" = ")[0].strip() not in stated), None)
                if other is None:
                    break
                del raw[other]
                continue
            plain = raw[long].plain
            first, last = plain.index(" = "), max(plain.rindex(" = ") if plain.count(" = ") > 1 else -1,
                                                  plain.rfind(" ≈ "))
            raw[long] = raw[long][:first + 3] + raw[long][last + 3:]
        lines = [hang(t, width) for t in raw]
    free = room - sum(rows_of(t, width) for t in lines)
    extras: list[Text] = []
    if claims is not None:
        if claim_rows <= free:
            extras += [Text(""), claims]
            free -= claim_rows
        elif claim_rows - 1 <= free:  # without the blank line before it
            extras += [claims]
            free -= claim_rows - 1
        else:
            extras += fit_extras([Text(""), claims], free, width, view.more_key, what="claim")
            free = 0
    if note is not None and free > 0:
        extras += fit_extras([Text(""), note], free, width, view.more_key)
    return Group(title, *lines, *extras)


def _collapsible(plain: str) -> bool:
    """A line "a₁ = x₁·w + … = 0.6" (or "… ≈ 0.753758") whose substitution can give way to its result."""
    if " = " not in plain:
        return False
    cut = max(plain.rindex(" = ") if plain.count(" = ") > 1 else -1, plain.rfind(" ≈ "))
    return cut > plain.index(" = ") and bool(_NUMBER.fullmatch(plain[cut + 3:].strip()))


def fit_extras(extras: list[Text], rows: int, width: int, more_key: str | None = None, what: str = "note") -> list[Text]:
    """The claims and note in ``rows`` rows: whole, or cut at a word with a clear sign that there is more.

    Never cut silently: the last line shown ends in "…" and a line says how to read it all
    (``more_key``, the debugger's m, opens the whole note).
    """
    if sum(rows_of(t, width) for t in extras) <= rows:
        return extras
    if rows <= 0:
        return []
    lines = [piece for t in extras for piece in t.wrap(_measure(), max(1, width))]
    if rows < 3:
        while lines and not lines[0].plain.strip():
            lines.pop(0)  # no blank line before the note: its first words are worth more
    keep = lines[:rows - 1]
    while keep and not keep[-1].plain.strip():
        keep.pop()
    key = f"{more_key}: " if more_key else ""
    if keep:
        last = keep[-1]
        last.rstrip()
        cut = last.plain.rfind(" ", 0, max(0, width - 2) + 1) if last.cell_len > width - 2 else len(last.plain)
        keep[-1] = last[:max(0, cut)] + Text(" …", style="bold")
        choices = (f"  ▸ {key}read the whole note", f"▸ {key}more") if key else ("  (cut for room)",)
    else:
        choices = (f"✎ a {what}: {key}read it", f"✎ {key}{what}") if key else (f"✎ a {what} (no room)",)
    sign = next((c for c in choices if len(c) <= width), "…")
    return keep + [Text(sign, style="bold yellow")]


_CLAIM_MARK = {"right": ("✓ right", "bold green"), "rounding": ("≈ off by one in the last digit", "yellow"),
               "slip": ("✗ slip", "bold white on red"), "follows": ("✗ follows", "bold red")}


def claims_text(view: View, compact: bool = False) -> Text | None:
    """What the worked example states at this step, beside the true values.

    ``compact``: the stated value, the verdict and the true value only (what follows from what, and what
    the stated inputs give, are for m), for a panel with no room for more."""
    results = view.claims.get(view.cursor)
    if not results:
        return None
    out = Text("worked example:" if compact else "stated in the worked example:", style="bold")
    symbols = {r.id: r.symbol for step in view.claims.values() for r in step}
    for r in results:
        mark, style = _CLAIM_MARK[r.verdict]
        out.append(f"\n  {r.symbol} = {shown_line(r.stated_text)}  ")
        out.append(mark.split()[0] if compact else mark, style=style)  # "≈" for "≈ off by one in the last digit"
        if r.verdict != "right":
            out.append(f"  true {nt.fmt(r.true, view.digits)}", style="bold")
        if compact:
            continue
        if r.verdict == "follows":
            out.append("  (follows from " + ", ".join(symbols.get(i, i) for i in r.follows_from) + ")", style="dim")
        elif r.verdict == "slip" and r.recomputed is not None:
            out.append(f"  (its stated inputs give {nt.fmt(r.recomputed, view.digits)})", style="dim")
        if r.verdict == "slip" and r.likely_slip:  # SPEC §8: a named slip (slips_gated.py)
            out.append(f"\n    likely slip: {r.likely_slip}", style="dim")
    return out


def note_text(view: View, with_description: bool = False) -> Text | None:
    """The scenario's notes for this step, or its description at the first step.

    ``with_description``: at the first step, the description and then the notes (the vector
    panel and ``m`` show both: a step-1 note must not hide what the scenario is about)."""
    texts = view.notes.get(view.cursor, [])
    description = view.tape.scenario.description if view.cursor == 0 else None
    out = Text()
    if description and (with_description or not texts):
        out.append("✎ " + " ".join(shown(description).split()), style="italic")
    for i, text in enumerate(texts):
        out.append(("\n" if i or out.plain else "") + "✎ note  ", style="bold reverse yellow")
        out.append(" " + shown(text), style="italic")
    return out if out.plain else None


def _shown(view: View, sign: str, vid: str) -> str:
    """The sign before a value, "=" when the value is a drill's "?" (a "≈" there would hint at its last digit)."""
    return "=" if vid in view.hidden else sign


def _forward_lines(view: View, t: int) -> list[Text]:
    tape, s, d = view.tape, view.tape.scenario, view.digits
    n = lambda v: nt.operand(float(v), d)  # noqa: E731
    a, O = float(tape.a[t - 1]), float(tape.O[t - 1])
    derivative = nt.activation_derivative(s.activation, nt.sub(t))  # f′(a₁) = 1 − tanh²(a₁) = 1 − O₁²
    a_is, O_is = nt.forward_relations(tape, t, d)  # "≈" where the printed inputs do not give the printed value
    a_is, O_is = _shown(view, a_is, f"forward.a[{t}]"), _shown(view, O_is, f"forward.O[{t}]")
    lines = [
        Text(nt.forward_equation(t), style="bold"),
        line("  a", nt.sub(t), " = x", nt.sub(t), "·w + O", nt.sub(t - 1), "·w′ + b = ",
             f"{n(tape.x[t - 1])}·{n(s.w)} + {n(tape.O_prev[t - 1])}·{n(s.w_prime)} + {n(s.b)} {a_is} ",
             view.num(a, f"forward.a[{t}]")),
        line(f"  O{nt.sub(t)} = {s.activation}(a{nt.sub(t)}) = {s.activation}(",
             view.num(a, f"forward.a[{t}]"), f") {O_is} ", view.num(O, f"forward.O[{t}]", "bold")),
        Text(""),
        # a constant derivative (identity: 1) is its own value: "f′(a₁) = 1", not "= 1 = 1"
        line(f"  f′(a{nt.sub(t)}) = {derivative}") if derivative == nt.fmt(float(tape.f_prime[t - 1]), d) else
        line(f"  f′(a{nt.sub(t)}) = {derivative} = ",
             view.num(float(tape.f_prime[t - 1]), (f"forward.a[{t}]", f"forward.O[{t}]", f"forward.f_prime[{t}]"))),
        Text("  (kept for the backward pass: every path through O" + nt.sub(t) + " is multiplied by it)", style="dim"),
    ]
    if tape.rtrl is not None and tape.rtrl.history is not None:  # RTRL carries P_t forward (SPEC §9)
        from ...methods.describe import rtrl_forward_lines

        lines += [Text(""), *(Text("  " + text, style="cyan") for text in rtrl_forward_lines(tape, t, d))]
    if t == 1:
        # the gloss once: a teacher's note at this step that speaks of O₀ says it in its own words
        noted = any("O₀" in text for text in view.notes.get(view.cursor, ()))
        gloss = ": the recurrent part vanishes" if s.h0 == 0 and not noted else ""
        lines.insert(1, Text(f"  O₀ = {nt.fmt(s.h0, d)}{gloss}", style="italic"))
    chunk = getattr(tape, "chunk", None)
    if chunk is not None and t == chunk.first:  # TBPTT: where this chunk starts and on which weights
        lines.insert(0, Text(tape.chunk_line(), style="bold yellow"))
    return lines


def _output_lines(view: View, t: int) -> list[Text]:
    tape, s, d = view.tape, view.tape.scenario, view.digits
    i = tape.target_position[t]
    sub = nt.sub(t)
    z, yhat = float(tape.z[i]), float(tape.yhat[i])
    z_is = _shown(view, relation(printed(s.w_out, d) * printed(float(tape.O[t - 1]), d) + printed(s.b_out, d), z, d),
                  f"outputs.z[{t}]")
    yhat_is = _shown(view, relation(activation(s.output_activation).value(printed(z, d)), yhat, d),
                     f"outputs.yhat[{t}]")
    return [
        line(f"z{sub} = w_out·O{sub} + b_out = {nt.operand(s.w_out, d)}·{nt.operand(float(tape.O[t - 1]), d)}"
             f" + {nt.operand(s.b_out, d)} {z_is} ", view.num(z, f"outputs.z[{t}]")),
        line(f"ŷ{sub} = g(z{sub}) = {s.output_activation}(", view.num(z, f"outputs.z[{t}]"), f") {yhat_is} ",
             view.num(yhat, f"outputs.yhat[{t}]", "bold")),
        line(f"ℓ{sub} = {_loss_formula(tape, t)} = " + (f"{_loss_substituted(view, i, f'outputs.loss[{t}]')} "
                                                         if f"outputs.yhat[{t}]" not in view.hidden else ""),
             view.num(float(tape.losses[i]), f"outputs.loss[{t}]", "bold")),
    ] + ([collapsed] if (collapsed := _collapsed_output_gradient(view, t)) is not None and not view.hidden else [])


def _collapsed_output_gradient(view: View, t: int) -> Text | None:
    """For bce after a sigmoid: ∂ℓ/∂ŷ·∂ŷ/∂z = (ŷ − y)/(ŷ(1 − ŷ))·ŷ(1 − ŷ) = ŷ − y, with its numbers."""
    tape, s, d = view.tape, view.tape.scenario, view.digits
    if s.loss != "bce" or s.output_activation != "sigmoid" or tape.vector:
        return None
    i, sub = tape.target_position[t], nt.sub(t)
    yhat, y = float(tape.yhat[i]), float(tape.y[i])
    again = printed(yhat, d) - printed(y, d)
    return Text(f"  ∂ℓ{sub}/∂ŷ{sub}·∂ŷ{sub}/∂z{sub} = (ŷ{sub} − y{sub})/(ŷ{sub}(1 − ŷ{sub}))·ŷ{sub}(1 − ŷ{sub}) = "
                f"ŷ{sub} − y{sub} = {nt.fmt(yhat, d)} − {nt.operand(y, d)} {relation(again, yhat - y, d)} "
                f"{nt.fmt(yhat - y, d)}  (sigmoid and bce are made for each other)", style="dim")


def _loss_formula(tape, t: int) -> str:
    """ℓ's formula with the step's subscript: ½(ŷ₄ − y₄)², −[y₅ ln ŷ₅ + (1 − y₅) ln(1 − ŷ₅)]."""
    return nt.subscripted(tape.loss_fn.value_formula, t)


def _loss_substituted(view: View, i: int, vid: str) -> str:
    """The loss with its numbers and the sign before its value (``vid``): ``−[1·ln 0.631 + 0·ln 0.369] =``
    (``≈`` where the printed numbers do not give the printed loss)."""
    tape, d = view.tape, view.digits
    text, again = nt.loss_substituted(tape.scenario.loss, float(tape.yhat[i]), float(tape.y[i]), d)
    return f"{text} {_shown(view, relation(again, float(tape.losses[i]), d), vid)}"


def _loss_lines(view: View) -> list[Text]:
    tape = view.tape
    chunk = getattr(tape, "chunk", None)
    if chunk is not None:  # TBPTT: this chunk's loss, over its own targets
        return _chunk_loss_lines(view, chunk)
    if tape.single_target:
        T = nt.sub(tape.T)
        hidden = "outputs.yhat[%d]" % tape.T in view.hidden  # the numbers would give ŷ away
        numbers = "= " if hidden else f"= {_loss_substituted(view, 0, 'loss')} "
        first = line(f"L = ℓ(ŷ{T}, y) = {tape.loss_fn.value_formula} {numbers}", view.num(tape.loss, "loss", "bold"))
    else:
        formula = "L = Σₜ ℓₜ = " + " + ".join(nt.operand(float(v), view.digits) for v in tape.losses[:6])
        if len(tape.losses) > 6:
            formula += " + … = "
        else:  # every ℓₜ written: the sum of the printed ones may be off in the last digit
            formula += f" {_shown(view, relation(total(tape.losses.tolist(), view.digits), tape.loss, view.digits), 'loss')} "
        first = line(formula, view.num(tape.loss, "loss", "bold"))
    return [first, Text(""),
            Text("Next: the backward pass. Each gradient is a sum of path products, one path for each step at "
                 "which the weight is used — nearest path first.", style="italic")]


def _detached_lines(view: View, tape, split, symbol: str, chunk, width: int) -> list[Text]:
    """Beside a TBPTT chunk's gradient: full BPTT's terms of the same targets on the starting weights, and
    what the chunk leaves out of them, as a number (methods/detached.py). A narrow panel keeps one line:
    the number left out (or, for a chunk that leaves none out, full BPTT's on the same weights)."""
    lines = _detached_words(view, tape, split, symbol, chunk)
    if sum(rows_of(hang(t, width), width) for t in lines) <= len(lines) + 1:  # wide: one of them may wrap
        return lines
    if split.left_terms:
        short = [line(Text(f"  left out (k < {chunk.reach}, starting weights): ", style="yellow"),
                      view.num(split.left_out, None, "bold yellow")),
                 line(Text(f"  left out (k < {chunk.reach}): ", style="yellow"),
                      view.num(split.left_out, None, "bold yellow"))]
    else:
        weights = "the same weights" if chunk.index == 1 else "starting weights"
        short = [line(Text(f"  full BPTT on {weights}: ", style="yellow"), view.num(split.full, None, "bold yellow")),
                 line(Text("  full BPTT: ", style="yellow"), view.num(split.full, None, "bold yellow"))]
    return [next((t for t in short if rows_of(t, width) == 1), short[-1])]


def _detached_words(view: View, tape, split, symbol: str, chunk) -> list[Text]:
    weights = "the same weights" if chunk.index == 1 else f"the starting weights (chunk {chunk.index} ran on updated ones)"
    lines = [line(Text(f"  full BPTT on {weights}, {tape.target_words()}: {symbol} = ", style="yellow"),
                  view.num(split.full, None, "bold yellow"), Text(f" ({split.full_terms} terms)", style="yellow"))]
    if not split.left_terms:
        lines.append(Text(f"    the same {split.full_terms} terms: this chunk leaves none out", style="yellow"))
        return lines
    sign = relation(printed(split.kept, view.digits) + printed(split.left_out, view.digits), split.full, view.digits)
    lines.append(line(Text(f"    {sign} k ≥ {chunk.reach}: ", style="yellow"), view.num(split.kept, None, "yellow"),
                      Text(f" + left out (k < {chunk.reach}, {split.left_terms} terms): ", style="yellow"),
                      view.num(split.left_out, None, "bold yellow")))
    return lines


def _chunk_loss_lines(view: View, chunk) -> list[Text]:
    """L of one TBPTT chunk: Σ ℓ_t over its targets (none: nothing to learn from in this chunk)."""
    d, c = view.digits, chunk.index
    if not chunk.targets:
        return [Text(f"chunk {c} (steps {chunk.first}–{chunk.last}) has no target: its loss is 0, it adds no term "
                     "and its update leaves the weights as they are", style="bold"),
                Text(f"the state O{nt.sub(chunk.last)} is carried into the next chunk", style="italic")]
    terms = " + ".join(f"ℓ{nt.sub(t)}" for t in chunk.targets[:4]) + (" + …" if len(chunk.targets) > 4 else "")
    values = " + ".join(nt.operand(v, d) for v in chunk.losses[:4]) + (" + …" if len(chunk.losses) > 4 else "")
    sign = "=" if len(chunk.losses) > 4 else relation(total(chunk.losses, d), chunk.loss, d)
    return [line(f"L of chunk {c} = {terms} = {values} {_shown(view, sign, 'loss')} ", view.num(chunk.loss, "loss", "bold")),
            Text(""),
            Text(f"Next: chunk {c}'s backward pass: the terms of its targets {chunk.targets[0]}…{chunk.targets[-1]}, "
                 f"back to k = {chunk.reach}" + (f" ({chunk.reason})" if chunk.reach > 1 else "") + ".",
                 style="italic")]


def _update_lines(view: View, param: str) -> list[Text]:
    tape, s, d = view.tape, view.tape.scenario, view.digits
    u = tape.updates[param]
    p = nt.param(param)
    rule = f"{p}_new = {p}_old − η·" + (f"clip({nt.gradient_symbol(param)})" if s.clip else nt.gradient_symbol(param))
    numbers = nt.update_substituted(u.old, s.learning_rate, u.grad, u.clipped, u.new, s.clip, d)  # ends in = or ≈
    lines = [
        Text(rule, style="bold"),
        line(f"  = {numbers[:-1]}{_shown(view, numbers[-1], f'update.{param}.new')} ",
             view.num(u.new, f"update.{param}.new", "bold green")),
    ]
    if s.clip and u.clipped != u.grad:
        lines.append(Text(f"  the gradient was clipped to ±{nt.fmt(s.clip, d)}", style="yellow"))
    if tape.norm_clip is not None:  # SPEC §9: one scale for every parameter
        from ...methods.clipping import direction_text, norm_clip_text

        lines[1] = line(f"  = {nt.fmt(u.old, d)} − {nt.fmt(s.learning_rate, d)}·{nt.fmt(tape.norm_clip.scale, d)}·"
                        f"{nt.operand(u.grad, d)} = ", view.num(u.new, f"update.{param}.new", "bold green"))
        lines.append(Text("  " + norm_clip_text(tape.norm_clip, lambda v: nt.fmt(v, d)), style="yellow"))
        turn = direction_text(tape, lambda v: nt.fmt(v, d))
        if turn:
            lines.append(Text("  " + turn, style="yellow"))
    if tape.chunks:  # TBPTT updated chunk by chunk (SPEC §9): the next epoch starts from its last weights
        lines.append(Text(f"  this is full BPTT's update; TBPTT updated {len(tape.chunks)} times, one per chunk, "
                          f"ending at {p} = {nt.fmt(tape.chunks[-1].updates[param].new, d)}", style="yellow"))
    chunk = getattr(tape, "chunk", None)
    if chunk is not None and chunk.index < tape.chunk_count:  # TBPTT: the next chunk runs on these weights
        lines.append(Text(f"  chunk {chunk.index + 1} runs forward on these weights from O{nt.sub(chunk.last)}, "
                          "the state carried over", style="yellow"))
    elif view.update_key:
        lines.append(Text(f"  press {view.update_key} to apply {nt.all_params(tape)} updates and run the next epoch", style="dim"))
    return lines


# ----------------------------------------------------------------------------- a backward term

MAX_FACTOR_ROWS = 16  # a longer chain scrolls: each row shown costs a factor fetched and formatted per step


def factor_window(count: int, room: int, offset: int) -> tuple[int, int]:
    """(first, end) of the factor rows shown when ``room`` rows are free; ``offset`` scrolls."""
    if count <= room:
        return 0, count
    shown = max(1, room)
    first = max(0, min(offset, count - shown))
    return first, first + shown


def _term_lines(view: View, step: Step, width: int, room: int, room_with_extras: int,
                keep_claimed: bool = True) -> list[Text]:
    tape, d = view.tape, view.digits
    param, i = step.param, step.term
    table = tape.gradients[param]
    count = tape.factor_count(param, i)
    symbol = nt.gradient_symbol(param)
    where = term_where(table, i)
    term_id = f"gradients.{param}.term{where}"

    # the head: the path product in symbols (long chains shortened), fetched without the middle factors
    ends = list(range(count)) if count <= 8 else [0, 1, 2, count - 2, count - 1]
    head = Text(f"term {where} of {symbol} = [", style="bold")
    head.append(nt.term_symbol_compact([tape.factor(param, i, j) for j in ends], keep=8,
                                       hidden=count - len(ends)), style=PATH)
    head.append("]", style="bold")

    product = line("  term = product of the factors = ", view.num(float(table.value[i]), term_id, "bold"))
    if product.cell_len > width:  # a narrow panel: the term's value on one line rather than three
        product = line("  term = ", view.num(float(table.value[i]), term_id, "bold"))
    underflow = None
    if term_id not in view.hidden and underflowed(tape, param, i):  # 0 with no zero factor: the arithmetic's
        size = decade(math.floor(term_log10(tape, param, i)))
        underflow = Text(f"  underflow: no factor is 0; their product (about {size}) is below the smallest "
                         "double, so it is stored as 0", style="bold yellow")
        if width < 60:
            underflow = Text(f"  underflow (≈ {size}), not a zero factor", style="bold yellow")
    if rows_of(head, width) > 2:  # a narrow panel: the factors are listed below, the heading counts them
        head = Text(f"term {where} of {symbol} = product of {count} factors", style="bold")
    previous = float(table.running_sum[i - 1]) if i > 0 else 0.0
    last = i == len(table) - 1
    sum_id = sum_ids(table, param, i)
    after: list[Text] = [product] + ([underflow] if underflow is not None else [])
    tbptt_line = None
    chunk = getattr(tape, "chunk", None)  # a TBPTT chunk as its own tape (methods/chunk_tape.py)
    if chunk is not None and step.k is not None and (said := tape.left_out_line(step.t, step.k)):
        after.append(Text("  " + said, style="bold yellow"))
    elif chunk is None and step.k is not None and tape.scenario.method == "tbptt":  # full BPTT's term under TBPTT
        said_tbptt = left_out(tape.scenario, step.t, step.k) or used_in(tape.scenario, step.t, step.k)
        style = "bold yellow" if left_out(tape.scenario, step.t, step.k) else "dim"
        if rows_of(hang(Text("  " + said_tbptt), width), width) > 1:  # a narrow panel: the first clause
            said_tbptt = said_tbptt.split(" (")[0].split(":")[0]
        tbptt_line = Text("  " + said_tbptt, style=style)
        if left_out(tape.scenario, step.t, step.k):
            after.append(tbptt_line)  # why it is left out stays; where it is added gives way when short
    if table.truncated[i]:  # why it is left out: truncate = K or a coin (methods/selection.py)
        said = "  " + left_out_text(tape, param, i)
        stays = line("  running sum stays ", view.num(float(table.running_sum[i]), sum_id, "bold"))
        if width < 40:  # a narrow panel: the same two facts in two lines
            said = "  left out: NOT added"
            stays = line("  sum stays ", view.num(float(table.running_sum[i]), sum_id, "bold"))
        after.append(Text(said, style="bold yellow"))
        after.append(stays)
    else:
        term_text = view.num(float(table.value[i]), term_id)
        if term_text.plain.startswith("-"):
            term_text = Text.assemble("(", term_text, ")")
        weight = weight_of(tape, param, i) if step.k is not None else None
        added = printed(float(table.value[i]), d)
        if weight is not None:  # randomized truncation adds weight·term (SPEC §9); a drill may hide the weight
            weight_id = f"gradients.{param}.weight[{step.t},{step.k}]"
            term_text = Text.assemble(view.num(weight, weight_id), "·", term_text)
            crossed = (f"the coin at step {step.t} let the gradient through" if step.t - step.k == 1 else
                       f"no coin at steps {step.k + 1}…{step.t} stopped the gradient")
            said = line(f"  weight π^−{step.t - step.k} = ", view.num(weight, weight_id, "yellow"),
                        Text(f": {crossed}", style="yellow"))
            if rows_of(hang(said, width), width) > 1:  # a narrow panel: the weight itself (m: the note says why)
                said = line(f"  weight π^−{step.t - step.k} = ", view.num(weight, weight_id, "yellow"))
            after.append(said)
            added = printed(weight, d) * added
        elif step.k is not None and step.t == step.k and table.weight is not None:  # randomized: no step crossed
            said = Text(f"  weight 1: term [{step.t},{step.k}] crosses no step, so no coin applies", style="yellow")
            after.append(said if rows_of(hang(said, width), width) == 1 else Text("  weight 1 (t = k: no coin)",
                                                                                   style="yellow"))
        again = total((previous,), d) + added
        sum_is = relation(again, float(table.running_sum[i]), d) if term_text.plain != "?" else "="
        sum_is = "=" if any(v in view.hidden for v in sum_id) else sum_is  # a "≈" would hint at a hidden sum
        running = line(f"  running sum = {nt.operand(previous, d)} + ", term_text, f" {sum_is} ",
                       view.num(float(table.running_sum[i]), sum_id, "bold"))
        if rows_of(hang(running, width), width) > (1 if width < 60 else 2):  # narrow: the sum itself (the sums panel adds up)
            running = line("  running sum = ", view.num(float(table.running_sum[i]), sum_id, "bold"))
        after.append(running)
    if last:
        said = "  " + (tally_text(tape, param) if chunk is None else
                       f"(chunk {chunk.index}'s {len(table)} terms added" + (f"; k < {chunk.reach} left out)"
                                                                              if chunk.reach > 1 and table.k is not None
                                                                              else ")"))
        total_line = line(f"  {symbol} = ", view.num(table.total, sum_id, "bold green"), Text(said, style="dim"))
        if total_line.cell_len > width:  # a narrow panel: the total on its own line, the remark gives way
            total_line = line(f"  {symbol} = ", view.num(table.total, sum_id, "bold green"))
        after.append(total_line)
        split = tape.detached.get(param) if chunk is not None else None
        if split is not None:  # like for like: full BPTT's terms of the same targets, kept + left out
            after += _detached_lines(view, tape, split, symbol, chunk, width)
    optional: list[Text] = [tbptt_line] if tbptt_line is not None and tbptt_line not in after else []
    claimed = keep_claimed and any(r.id.startswith("backward.") for r in view.claims.get(view.cursor, ()))
    if step.k is not None and not view.hidden:  # in a drill it would give the factors away (f′ = ∂L/∂a ÷ ∂L/∂O)
        k = step.k
        # a worked example's ∂L/∂O_k or ∂L/∂a_k stated at this step: the line with the true values stays
        (after if claimed else optional).append(line(
            Text(f"  recursive view: ∂L/∂O{nt.sub(k)} = ", style="dim"),
            view.num(float(tape.dL_dO[k - 1]), f"backward.dL_dO[{k}]", "dim"),
            Text(f" (every path from L to O{nt.sub(k)}), ∂L/∂a{nt.sub(k)} = ∂L/∂O{nt.sub(k)}·f′(a{nt.sub(k)}) = ",
                 style="dim"),
            view.num(float(tape.dL_da[k - 1]), f"backward.dL_da[{k}]", "dim")))
    collapsed = _collapsed_output_gradient(view, step.t)
    if collapsed is not None and not view.hidden:  # in a drill it would give ∂L/∂ŷ·g′(z) away
        optional.append(collapsed)
    fused = tape.fused_output_gradient(step.t)
    if fused is not None:
        after.append(Text(f"  note: ∂L/∂ŷ·∂ŷ/∂z for bce with a sigmoid output is the finite ŷ − y = "
                          f"{nt.fmt(fused, d)}; the separate factors overflow at a saturated ŷ.", style="italic yellow"))

    after = [hang(t, width) for t in after]
    optional = [hang(t, width) for t in optional]
    fixed = rows_of(head, width) + sum(rows_of(t, width) for t in after)
    if room - fixed < 2 and rows_of(head, width) > 1:  # tight (a claim below): the heading counts the factors
        head = Text(f"term {where} of {symbol} = product of {count} factors", style="bold")
        fixed = rows_of(head, width) + sum(rows_of(t, width) for t in after)
    extra = sum(rows_of(t, width) for t in optional)
    if room_with_extras - fixed - 1 - extra >= count:
        room = room_with_extras  # everything fits with the notes below
    header = 1
    free = room - fixed
    if free - header - extra < count:  # tight: the recursive view and the column header give way to factors
        optional, extra = [], 0
        if free - header < count:
            header = 0
    rows_free = min(MAX_FACTOR_ROWS, max(1, (free if room > 0 else count) - header - extra))
    if count > rows_free:
        rows_free = max(1, rows_free - 1)  # one row says which factors are shown
    first, end = factor_window(count, rows_free, view.factor_offset)
    asked = None
    if view.hidden and count <= 4 * MAX_FACTOR_ROWS:  # a drill asking a factor: its row in the window
        fid = (lambda j: f"gradients.{param}.factor[{step.t},{step.k},{j + 1}]" if step.k is not None
               else f"gradients.{param}.factor[{step.t},{j + 1}]")
        asked = next((j for j in range(count) if fid(j) in view.hidden), None)
        if asked is not None and not first <= asked < end:
            first, end = factor_window(count, rows_free, asked - (end - first) + 1)
    # the factor that makes the term 0 (a dead ReLU's f′, O₀) stays in view while the list scrolls
    zero = zero_factor(tape, param, i) if float(table.value[i]) == 0 and term_id not in view.hidden else None
    pinned = zero is not None and not first <= zero < end
    if pinned and rows_free == 1:  # room for one factor: the one that is 0
        first, end, pinned = zero, zero + 1, False
    elif pinned:
        first, end = factor_window(count, rows_free - 1, view.factor_offset)
        pinned = not first <= zero < end
    view.cache["factor_window"] = (first, end, count)  # where the ↓ ↑ keys scroll from
    rows = []
    for j in [*range(first, end), *([zero] if pinned else [])]:
        f = tape.factor(param, i, j)  # only the rows on screen: a path far back has thousands of factors
        fid = f"gradients.{param}.factor[{step.t},{step.k},{j + 1}]" if step.k is not None else \
            f"gradients.{param}.factor[{step.t},{j + 1}]"
        numbers = nt.factor_substituted(f, tape, d)  # a drill's hidden factor: its inputs, its value "?"
        if fid not in view.hidden and relation(factor_again(f, tape, d), float(f.value), d) == "≈":
            numbers += " ≈"  # the printed inputs give another last digit than the value beside them
        rows.append((Text(f.symbol, style=USE if f.kind in ("immediate", "output_input") else ""),
                     f.formula, numbers, f.value, fid))
    grid = _factor_table(view, rows, width, header=bool(header))
    lines = [head, grid]
    if term_id in view.hidden and asked is None and count > end - first and count <= MAX_FACTOR_ROWS:
        # a drill asking the term cannot scroll the factors (keys go to the answer box): every factor's
        # value in one product instead of a window of rows
        every = " × ".join(nt.operand(float(tape.factor(param, i, j).value), d) for j in range(count))
        lines = [head, hang(Text(f"  = {every} = ?"), width)]
        first, end, pinned = 0, count, False
    if count > end - first + pinned:
        which = f"{first + 1}–{end}" if end - first > 1 else f"{first + 1}"
        choices = [f"  factors {which}{f', {zero + 1} (the 0)' if pinned else ''} of {count}{tail}"
                   for tail in ("  (↓ ↑ scroll)", " ↓↑")]
        choices += [f"  factors {which}{f', {zero + 1}' if pinned else ''} of {count} ↓↑",
                    f"  {which}{f', {zero + 1}' if pinned else ''}/{count} ↓↑"]
        lines.append(Text(next((c for c in choices if len(c) <= width), choices[-1]), style="dim"))
    return lines + after + optional


def _factor_table(view: View, rows: list[tuple], width: int, header: bool) -> Text:
    """(symbol, formula, numbers, value) rows in aligned columns, the value right-justified and whole.

    When the row is wider than the panel, the formula column goes first (the numbers show it), then
    the numbers; only if the value still does not fit is it rounded (never cut).
    """
    T = view.tape.T
    sub_w = len(str(T))
    values = [view.num(value, fid) for *_, value, fid in rows]
    symbols = [r[0] for r in rows]
    formulas = [Text(r[1]) for r in rows]
    numbers = [Text(r[2]) for r in rows]
    # fixed minimum widths: rows shared by consecutive terms (∂L/∂ŷ, ∂ŷ/∂O_t) then stay identical on screen
    minimum = (8 + 2 * sub_w, 12 + 2 * sub_w, 2 * (view.digits + 7) + 3, view.digits + 7)
    columns = [symbols, formulas, numbers, values]
    heads = [Text("factor", style="dim"), Text("formula", style="dim"), Text("with numbers", style="dim"),
             Text("value", style="dim")]
    keep = [0, 1, 2, 3]

    natural = [max([minimum[c] if c != 3 else 0] + [t.cell_len for t in columns[c]] +
                   ([heads[c].cell_len] if header else [])) for c in range(4)]

    def widths(keep: list[int]) -> list[int]:
        return [natural[c] for c in keep]

    def total(keep: list[int]) -> int:
        return sum(widths(keep)) + 3 * len(keep) - 1

    for candidate in ([0, 1, 2, 3], [0, 2, 3], [0, 1, 3], [0, 3]):  # the numbers say more than the formula
        keep = candidate
        if total(keep) <= width:
            break
    if 2 not in keep:  # a drill's hidden factor: its substitution beside the "?" when the column went
        asked = [n for n, value in enumerate(values) if value.plain == "?" and rows[n][2] != "?"]
        saved = list(values)
        for n in asked:
            values[n] = Text(f"{rows[n][2]} = ").append_text(values[n])
        natural[3] = max([t.cell_len for t in values] + [heads[3].cell_len if header else 0])
        if asked and total(keep) > width and total([0, 3]) <= width:
            keep = [0, 3]  # the formula gives way to the asked factor's numbers (the question says the formula)
        elif asked and total(keep) > width:  # no room: the question's line says the formula
            values[:] = saved
            natural[3] = max([t.cell_len for t in values] + [heads[3].cell_len if header else 0])
    if total(keep) > width:  # even symbol and value do not fit whole: round the values to what is left
        room = max(1, width - widths([0])[0] - 3)
        columns[3] = values = [view.num(value, fid, width=room) for *_, value, fid in rows]
        natural[3] = max([t.cell_len for t in values] + [heads[3].cell_len if header else 0])
    w = dict(zip(keep, widths(keep)))
    out = Text(no_wrap=True, overflow="crop")
    table = ([heads] if header else []) + [[c[n] for c in columns] for n in range(len(rows))]
    for n, row in enumerate(table):
        if n:
            out.append("\n")
        for c in keep:
            out.append(" ")
            out.append_text(pad(row[c], w[c], right=(c == 3)))
            if c != keep[-1]:
                out.append("  ")
    return out
