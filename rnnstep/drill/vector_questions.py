"""Drill questions on a vector scenario (SPEC §7): whole vectors and matrices, a humane number of them.

In tape order: a_t and O_t; z_t, ŷ_t and ℓ_t at each target step; L; the
recursive view ∂L/∂O_t, ∂L/∂a_t (t = T … 1); then, for each path t → k asked,
δ(t,k), the term of ∂L/∂W′ (the outer product δᵀ·O_{k−1}ᵀ) and the running sum
after it; the totals of ∂L/∂W and ∂L/∂b (whose terms are δᵀ·x_kᵀ and δᵀ itself:
the same δ); each target step's term of ∂L/∂W_out and its total, the total of
∂L/∂b_out; and the five updates. No factor of a term is asked on its own: with
n > 1 each is an n×n matrix, and δ's recursion asks for the product directly.

With a target at every step there are T(T+1)/2 paths, so the default asks every
path only when there are at most ``ALL_PATHS_UP_TO`` of them, and otherwise each
target step's ``NEAREST`` nearest paths (k = t, t−1, …): the question list grows
linearly with T unless every path is asked for (``paths="all"``).

Each question names its shape and how to type it; the second hint writes the
formula with the numbers (an array of more than ``SHOWN`` entries by its name).
Every number is read off the tape.
"""

from __future__ import annotations

from functools import partial
from typing import Iterator

import numpy as np

from .. import notation as nt
from ..tape import Tape
from .arrays import bracketed, how_to_type
from .question import Question, asked_terms

ALL_PATHS_UP_TO = 30
NEAREST = 3
SHOWN = 36  # entries written out in a hint; a bigger array is named instead

SYMBOL = {"w_prime": "W′", "w": "W", "b": "b", "w_out": "W_out", "b_out": "b_out", "b_prime": "b′"}


def path_depth(tape: Tape, paths: int | str | None) -> int | None:
    """How many paths back from each target step to ask (None: every path)."""
    if paths == "all":
        return None
    if paths is not None:
        return int(paths)
    count = len(tape.gradients["w_prime"])
    return None if count <= ALL_PATHS_UP_TO else NEAREST


def vector_questions(tape: Tape, d: int, paths: int | str | None = None) -> Iterator[Question]:
    yield from _forward(tape, d)
    yield from _recursive(tape, d)
    yield from _paths(tape, d, path_depth(tape, paths))
    yield from _other_recurrent(tape, d)
    yield from _output_layer(tape, d)
    yield from _updates(tape, d)


def _b(value, d: int, name: str = "") -> str:
    return bracketed(value, d, SHOWN, name)


class Later:
    """A hint's numbers, written out only when the hint is asked for: a long tape has tens of
    thousands of questions, and formatting every array up front would cost seconds.

    ``template`` is a str.format template; each part is a string, an array, an (array, name) pair
    (the name stands in for an array too big to write out), or a callable giving one of those."""

    def __init__(self, d: int, template: str, *parts):
        self._d, self._template, self._parts, self._text = d, template, parts, None

    def _part(self, part) -> str:
        part = part() if callable(part) else part
        if isinstance(part, str):
            return part
        value, name = part if isinstance(part, tuple) else (part, "")
        return _b(value, self._d, name)

    def __str__(self) -> str:
        if self._text is None:
            self._text = self._template.format(*(self._part(p) for p in self._parts))
        return self._text

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def __eq__(self, other: object) -> bool:
        return str(self) == str(other)

    def __hash__(self) -> int:
        return hash(str(self))

    def __getattr__(self, name: str):  # startswith, split, …: a str in every other way
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(str(self), name)


def _q(qid: str, kind: str, step: int, symbol: str, formula: str, hint: str, numbers: str, value,
       context: str = "", hides: tuple[str, ...] = ()) -> Question:
    value = float(value) if np.ndim(value) == 0 else np.array(value, dtype=np.float64)
    shape = () if isinstance(value, float) else value.shape
    where = "; ".join(c for c in (context, how_to_type(shape) if shape else "") if c)
    return Question(qid, kind, step, symbol, formula, hint, numbers, value, where, shape, hides)


def _forward(tape: Tape, d: int) -> Iterator[Question]:
    s, w, sub = tape.scenario, tape.weights, nt.sub
    for t in range(1, tape.T + 1):
        step = tape.steps.phase_start("forward") + t - 1
        prev = f"O{sub(t - 1)}" + (" = h0" if t == 1 else "")
        yield _q(f"forward.a[{t}]", "vector.forward.a", step, f"a{sub(t)}", f"W·x{sub(t)} + W′·O{sub(t - 1)} + b",
                 f"x{sub(t)} is the input at step {t}, {prev} the previous state; W, W′, b are the same at every "
                 f"step; entry i is row i of W times x{sub(t)}, plus row i of W′ times O{sub(t - 1)}, plus bᵢ",
                 Later(d, "{}·{} + {}·{} + {}", (w["w"], "W"), tape.x[t - 1], (w["w_prime"], "W′"),
                       tape.O_prev[t - 1], (w["b"], "b")), tape.a[t - 1])
        yield _q(f"forward.O[{t}]", "vector.forward.O", step, f"O{sub(t)}", f"f(a{sub(t)})",
                 f"f = {s.activation}, entry by entry", Later(d, s.activation + "({})", tape.a[t - 1]),
                 tape.O[t - 1])
        if s.activation != "identity":  # identity's f′ is the constant 1: nothing to find
            yield _q(f"forward.f_prime[{t}]", "vector.forward.f_prime", step, f"f′(a{sub(t)})",
                     nt.activation_derivative(s.activation, sub(t)),
                     f"f = {s.activation}, entry by entry; f′(a{sub(t)}) is kept for the backward pass",
                     {"tanh": Later(d, "1 − {}² (entry by entry)", tape.O[t - 1]),
                      "sigmoid": Later(d, "{} ⊙ (1 − {})", tape.O[t - 1], tape.O[t - 1])}.get(
                         s.activation, Later(d, "f′({})", tape.a[t - 1])), tape.f_prime[t - 1])
    yield from _outputs(tape, d)


def _outputs(tape: Tape, d: int) -> Iterator[Question]:
    """z_t, ŷ_t and ℓ_t at each target step, and L (every cell's output layer is the same)."""
    s, w, sub = tape.scenario, tape.weights, nt.sub
    for i, t in enumerate(int(t) for t in tape.targets):
        step = tape.steps.phase_start("loss") + i
        yield _q(f"outputs.z[{t}]", "vector.outputs.z", step, f"z{sub(t)}", f"W_out·O{sub(t)} + b_out",
                 "the output layer: entry i is row i of W_out times O, plus b_outᵢ",
                 Later(d, "{}·{} + {}", (w["w_out"], "W_out"), tape.O[t - 1], (w["b_out"], "b_out")), tape.z[i])
        g = s.output_activation
        meaning = ("softmax over the q outputs: ŷᵢ = e^zᵢ / Σⱼ e^zⱼ" if g == "softmax" else
                   f"g = {g}, entry by entry: ŷ{sub(t)} = {nt.activation_formula(g, sub(t), 'z')}")
        yield _q(f"outputs.yhat[{t}]", "vector.outputs.yhat", step, f"ŷ{sub(t)}", f"g(z{sub(t)})", meaning,
                 Later(d, g + "({})", tape.z[i]), tape.yhat[i])
        yield _q(f"outputs.loss[{t}]", "vector.outputs.loss", step, f"ℓ{sub(t)}", f"ℓ(ŷ{sub(t)}, y{sub(t)})",
                 f"ℓ{sub(t)} = {nt.subscripted(tape.loss_fn.value_formula, t)} ({s.loss}), summed over the "
                 f"{tape.q} outputs; y{sub(t)} = {_b(tape.y[i], d)}",
                 Later(d, "{}", lambda i=i: nt.loss_substituted(s.loss, tape.yhat[i], tape.y[i], d)[0]),
                 tape.losses[i])
    loss_step = tape.steps.phase_start("loss") + len(tape.targets)
    if tape.single_target:
        yield _q("loss", "vector.loss", loss_step, "L", f"ℓ{sub(tape.T)}", "one target: L is the last step's loss",
                 nt.operand(float(tape.losses[0]), d), tape.loss)
    else:
        shown = " + ".join(nt.operand(float(v), d) for v in tape.losses[:8]) + (" + …" if len(tape.losses) > 8 else "")
        yield _q("loss", "vector.loss", loss_step, "L", "Σₜ ℓₜ", "a loss at every step: add them", shown, tape.loss)


def _recursive(tape: Tape, d: int) -> Iterator[Question]:
    """∂L/∂O_t = ∂ℓ_t/∂O_t + ∂L/∂a_{t+1}·W′ and ∂L/∂a_t = ∂L/∂O_t ⊙ f′(a_t), from t = T down (asked at L's step)."""
    sub, w = nt.sub, tape.weights
    step = tape.steps.phase_start("loss") + len(tape.targets)
    for t in range(tape.T, 0, -1):
        target = t in tape.target_position
        parts, numbers, arrays = [], [], []
        if target:
            i = tape.target_position[t]
            parts.append(f"∂ℓ{sub(t)}/∂z{sub(t)}·W_out")
            numbers.append("{}·{}")
            arrays += [tape.to_z[i], (w["w_out"], "W_out")]
        if t < tape.T:
            parts.append(f"∂L/∂a{sub(t + 1)}·W′")
            numbers.append("{}·{}")
            arrays += [tape.dL_da[t], (w["w_prime"], "W′")]
        meaning = ("every path from the loss to O" + sub(t) + ": "
                   + ("its own loss ℓ" + sub(t) + " through z" + sub(t) + " (∂ℓ/∂z = ∂ℓ/∂ŷ·∂ŷ/∂z" +
                      (", = ŷ − y for softmax with cross-entropy" if tape.g.name == "softmax"
                       and tape.scenario.loss == "cross_entropy" else "") + ")" if target else "")
                   + (" and " if target and t < tape.T else "")
                   + (f"everything later, back through a{sub(t + 1)} = W′·O{sub(t)} + …" if t < tape.T else ""))
        yield _q(f"backward.dL_dO[{t}]", "vector.backward.dL_dO", step, f"∂L/∂O{sub(t)}", " + ".join(parts),
                 meaning, Later(d, " + ".join(numbers), *arrays), tape.dL_dO[t - 1], "the recursive view")
        yield _q(f"backward.dL_da[{t}]", "vector.backward.dL_da", step, f"∂L/∂a{sub(t)}",
                 f"∂L/∂O{sub(t)}·diag(f′(a{sub(t)}))",
                 f"O{sub(t)} = f(a{sub(t)}) entry by entry, so ·diag(f′) multiplies entry i by f′(a{sub(t)})ᵢ; "
                 f"f = {tape.scenario.activation}, f′(a{sub(t)}) = "
                 f"{nt.activation_derivative(tape.scenario.activation, sub(t))}",
                 Later(d, "{} ⊙ {}", tape.dL_dO[t - 1], tape.f_prime[t - 1]), tape.dL_da[t - 1], "the recursive view")


def _paths(tape: Tape, d: int, depth: int | None) -> Iterator[Question]:
    """For each path asked: δ(t,k), the term of ∂L/∂W′ and the running sum after it (the total at the last)."""
    sub, w = nt.sub, tape.weights
    table = tape.gradients["w_prime"]
    start = tape.steps.phase_start("backward.w_prime")
    def fprime(j: int) -> str:  # at the step meant: f′(a₂) = 1 − tanh²(a₂) = 1 − O₂²
        return f"f′(a{sub(j)}) = {nt.activation_derivative(tape.scenario.activation, sub(j))}"

    last_asked = -1
    for i in asked_terms(tape, depth):
        t, k = int(table.t[i]), int(table.k[i])
        at, step = f"[{t},{k}]", start + i
        delta = table.delta(i)
        if k == t:
            pos = tape.target_position[t]
            formula = f"∂ℓ{sub(t)}/∂z{sub(t)}·W_out·diag(f′(a{sub(t)}))"
            meaning = (f"∂ℓ{sub(t)}/∂a{sub(t)} along the shortest path: ∂ℓ{sub(t)}/∂ŷ{sub(t)}·∂ŷ{sub(t)}/∂z{sub(t)}"
                       f"·∂z{sub(t)}/∂O{sub(t)}·∂O{sub(t)}/∂a{sub(t)} with ∂z{sub(t)}/∂O{sub(t)} = W_out and "
                       f"∂O{sub(t)}/∂a{sub(t)} = diag(f′(a{sub(t)})); ·diag(f′) multiplies entry i by "
                       f"f′(a{sub(t)})ᵢ; {fprime(t)}")
            numbers = Later(d, "{}·{} ⊙ {}", tape.to_z[pos], (w["w_out"], "W_out"), tape.f_prime[t - 1])
        else:
            formula = f"δ[{t},{k + 1}]·W′·diag(f′(a{sub(k)}))"
            meaning = (f"∂ℓ{sub(t)}/∂a{sub(k)} along the one path {t} → {k}: one step further back than δ[{t},{k + 1}], "
                       f"as ∂O{sub(k + 1)}/∂O{sub(k)} = diag(f′(a{sub(k + 1)}))·W′ (its diag(f′(a{sub(k + 1)})) "
                       f"is already in δ[{t},{k + 1}]); ·diag(f′) multiplies entry i by f′(a{sub(k)})ᵢ; {fprime(k)}")
            numbers = Later(d, "{}·{} ⊙ {}", partial(table.delta, i - 1), (w["w_prime"], "W′"), tape.f_prime[k - 1])
        # the term δᵀ·O_{k−1}ᵀ and the running sum after it would give δ away: hidden with it (--only backward)
        after = ("gradients.w_prime.total",) if i == len(table) - 1 else (f"gradients.w_prime.running_sum{at}",)
        yield _q(f"gradients.w_prime.delta{at}", "vector.delta", step, f"δ{at}", formula, meaning, numbers, delta,
                 f"path {t} → {k}", (f"gradients.w_prime.term{at}",) + after)
        truncated = bool(table.truncated[i])
        note = " (truncated: computed, not added)" if truncated else ""
        yield _q(f"gradients.w_prime.term{at}", "vector.term", step, f"term{at} of ∂L/∂W′", f"δ{at}ᵀ·O{sub(k - 1)}ᵀ",
                 f"an outer product (rank one): entry [i,j] is δᵢ·(O{sub(k - 1)})ⱼ, so row i is δᵢ times "
                 f"O{sub(k - 1)}; O{sub(k - 1)} is what W′ multiplied at step {k}",
                 # δ written as a row then ᵀ (a column), the input as a row: column·row, an outer product;
                 # an array too big to write out is named instead
                 Later(d, "{}ᵀ·{}", (delta, f"δ{at}"), lambda i=i, k=k: (table.input(i), f"O{sub(k - 1)}ᵀ")),
                 table.value[i], note.strip(" ()"), after)
        last = i == len(table) - 1
        if i or last:  # the first running sum is the first term itself
            yield _running_sum(tape, "w_prime", i, d, last)
        last_asked = i
    if last_asked != len(table) - 1:
        yield _running_sum(tape, "w_prime", len(table) - 1, d, True)


def _running_sum(tape: Tape, param: str, i: int, d: int, total: bool) -> Question:
    table = tape.gradients[param]
    p = SYMBOL[param]
    step = tape.steps.phase_start(f"backward.{param}") + i
    at = f"[{int(table.t[i])},{int(table.k[i])}]" if table.k is not None else f"[{int(table.t[i])}]"
    name = "the running sum before"
    previous = (lambda: (table.running_sum[i - 1], name)) if i else (np.zeros(table.shape), name)
    if table.truncated[i]:
        formula, numbers = "previous sum (this term is truncated: not added)", Later(d, "{}", previous)
    else:
        formula = "previous sum + this term"
        numbers = Later(d, "{} + {}", previous, lambda: (table.value[i], f"term{at}"))
    if total:
        return _q(f"gradients.{param}.total", "vector.total", step, f"∂L/∂{p}", f"the sum of all its terms",
                  _total_meaning(tape, param) + f"; the last is term{at}: {formula}", numbers, table.total)
    return _q(f"gradients.{param}.running_sum{at}", "vector.running_sum", step, f"Σ after {at} of ∂L/∂{p}",
              formula.replace("previous sum", "Σ before").replace("this term", f"term{at}"),
              "the running sum: add the terms in order, nearest path first, entry by entry", numbers,
              table.running_sum[i])


def _total_meaning(tape: Tape, param: str) -> str:
    truncate = tape.scenario.truncate
    if param == "w":
        text = "every path's δ[t,k]ᵀ·x_kᵀ added up"
        return text + ("" if truncate else " = Σₖ ∂L/∂a_kᵀ·x_kᵀ (the recursive view gives the same sum)")
    if param == "b":
        return "every path's δ[t,k]ᵀ added up" + ("" if truncate else " = Σₖ ∂L/∂a_k (the recursive view)")
    if param == "b_prime":  # a gated cell (SPEC §8): δₕ, the recurrent side's δ
        return "every path's δₕ[t,k]ᵀ added up (δₕ = δ but for a GRU's n rows, times r_k)"
    if param == "w_prime":
        return "every path's δ[t,k]ᵀ·O_{k−1}ᵀ added up"
    if param == "w_out":
        return "every target step's (∂ℓ_t/∂z_t)ᵀ·O_tᵀ added up"
    return "every target step's ∂ℓ_t/∂z_t added up"


def _other_recurrent(tape: Tape, d: int) -> Iterator[Question]:
    """∂L/∂W and ∂L/∂b: their terms are δᵀ·x_kᵀ and δᵀ (the δ already asked), so only the totals."""
    for param in ("w", "b"):
        yield _running_sum(tape, param, len(tape.gradients[param]) - 1, d, True)


def _output_layer(tape: Tape, d: int) -> Iterator[Question]:
    sub = nt.sub
    table = tape.gradients["w_out"]
    start = tape.steps.phase_start("backward.w_out")
    softmax_ce = tape.g.name == "softmax" and tape.scenario.loss == "cross_entropy"
    for i in range(len(table)):
        t = int(table.t[i])
        delta = table.delta(i)
        yield _q(f"gradients.w_out.term[{t}]", "vector.term", start + i, f"term[{t}] of ∂L/∂W_out",
                 f"(∂ℓ{sub(t)}/∂z{sub(t)})ᵀ·O{sub(t)}ᵀ",
                 f"an outer product: ∂ℓ{sub(t)}/∂z{sub(t)} = ∂ℓ{sub(t)}/∂ŷ{sub(t)}·∂ŷ{sub(t)}/∂z{sub(t)}"
                 + (f" = ŷ{sub(t)} − y{sub(t)} (softmax with cross-entropy)" if softmax_ce else "")
                 + f"; entry [i,j] is (∂ℓ/∂z)ᵢ·(O{sub(t)})ⱼ",
                 Later(d, "{}ᵀ·{}", (delta, f"(∂ℓ{sub(t)}/∂z{sub(t)})"),
                       lambda i=i, t=t: (table.input(i), f"O{sub(t)}ᵀ")), table.value[i], "",
                 # ∂ℓ/∂z is not asked on its own: finding it is part of this question, so the panel hides it
                 (f"gradients.w_out.delta[{t}]",)
                 + (("gradients.w_out.total",) if i == len(table) - 1 else (f"gradients.w_out.running_sum[{t}]",)))
    yield _running_sum(tape, "w_out", len(table) - 1, d, True)
    yield _running_sum(tape, "b_out", len(tape.gradients["b_out"]) - 1, d, True)


def _updates(tape: Tape, d: int) -> Iterator[Question]:
    s = tape.scenario
    for i, (param, u) in enumerate(tape.updates.items()):
        p = SYMBOL[param]
        rule = f"{p} − η·clip(∂L/∂{p})" if s.clip else f"{p} − η·∂L/∂{p}"
        grad = (Later(d, "clip({}) = {}", (u.grad, f"∂L/∂{p}"), (u.clipped, "clipped")) if s.clip
                else Later(d, "{}", (u.grad, f"∂L/∂{p}")))
        yield _q(f"update.{param}.new", "vector.update", tape.steps.phase_start("update") + i, f"{p}_new", rule,
                 f"gradient descent with η = {nt.fmt(s.learning_rate, d)}, entry by entry"
                 + (f", each entry of the gradient clipped to ±{nt.fmt(s.clip, d)}" if s.clip else ""),
                 Later(d, "{} − " + nt.operand(s.learning_rate, d) + "·{}", (u.old, p), grad.__str__), u.new)
