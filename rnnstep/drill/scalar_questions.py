"""Drill questions of the notes' one-unit network (plain numbers), in tape order: questions.py asks here.

Each question carries the quantity's symbol and formula, a first hint (what the
formula means here) and a second hint (the formula with numbers). All numbers
are read off the tape; nothing is computed here.
"""

from __future__ import annotations

from typing import Iterator

from .. import notation as nt
from ..ids import PARAMS, RECURRENT_PARAMS
from ..model import activation
from ..printed import factor_again, printed, product, relation, total
from ..tape import Tape
from ..terms import Factor
from .question import Question, asked_terms


def scalar_questions(tape: Tape, d: int, paths: int | None = None):
    """Every question of a one-unit tape in order; ``paths`` limits each target step to its nearest paths."""
    s = tape.scenario
    n = lambda v: nt.operand(float(v), d)  # noqa: E731
    sub = nt.sub
    steps = tape.steps
    for t in range(1, tape.T + 1):
        step = steps.phase_start("forward") + t - 1
        prev = f"O{sub(t - 1)}" + (" = h0" if t == 1 else "")
        yield Question(
            f"forward.a[{t}]", "forward.a", step, f"a{sub(t)}", f"x{sub(t)}·w + O{sub(t - 1)}·w′ + b",
            f"x{sub(t)} is the input at step {t}, {prev} the previous state; w, w′, b are the same at every step",
            f"{n(tape.x[t - 1])}·{n(s.w)} + {n(tape.O_prev[t - 1])}·{n(s.w_prime)} + {n(s.b)}",
            float(tape.a[t - 1]), sign=nt.forward_relations(tape, t, d)[0])
        yield Question(
            f"forward.O[{t}]", "forward.O", step, f"O{sub(t)}", f"f(a{sub(t)})", f"f = {s.activation}",
            f"{s.activation}({nt.fmt(float(tape.a[t - 1]), d)})", float(tape.O[t - 1]),
            sign=nt.forward_relations(tape, t, d)[1])
        if s.activation != "identity":  # identity's f′ is the constant 1: nothing to find
            fp = float(tape.f_prime[t - 1])
            numbers, again = f_prime_numbers(s.activation, float(tape.a[t - 1]), float(tape.O[t - 1]), d,
                                             s.leaky_slope)
            yield Question(
                f"forward.f_prime[{t}]", "forward.f_prime", step, f"f′(a{sub(t)})",
                nt.activation_derivative(s.activation, sub(t)),
                f"f = {s.activation}; f′(a{sub(t)}) is kept for the backward pass: every path back through "
                f"O{sub(t)} is multiplied by it", numbers, fp, sign=relation(again, fp, d))
    for i, t in enumerate(int(t) for t in tape.targets):
        step = steps.phase_start("loss") + i
        yield Question(
            f"outputs.z[{t}]", "outputs.z", step, f"z{sub(t)}", f"w_out·O{sub(t)} + b_out", "the output layer",
            f"{n(s.w_out)}·{n(tape.O[t - 1])} + {n(s.b_out)}", float(tape.z[i]),
            sign=relation(printed(s.w_out, d) * printed(float(tape.O[t - 1]), d) + printed(s.b_out, d),
                          float(tape.z[i]), d))
        g = s.output_activation
        yield Question(
            f"outputs.yhat[{t}]", "outputs.yhat", step, f"ŷ{sub(t)}", f"g(z{sub(t)})",
            f"g = {g}: ŷ{sub(t)} = {nt.activation_formula(g, sub(t), 'z')}",
            f"{g}({nt.fmt(float(tape.z[i]), d)})", float(tape.yhat[i]),
            sign=relation(activation(g).value(printed(float(tape.z[i]), d)), float(tape.yhat[i]), d))
        numbers, again = nt.loss_substituted(s.loss, float(tape.yhat[i]), float(tape.y[i]), d)
        yield Question(
            f"outputs.loss[{t}]", "outputs.loss", step, f"ℓ{sub(t)}", f"ℓ(ŷ{sub(t)}, y{sub(t)})",
            f"ℓ{sub(t)} = {nt.subscripted(tape.loss_fn.value_formula, t)} ({s.loss}), "
            f"y{sub(t)} = {nt.fmt(float(tape.y[i]), d)}",
            numbers, float(tape.losses[i]), sign=relation(again, float(tape.losses[i]), d))
    loss_step = steps.phase_start("loss") + len(tape.targets)
    if tape.single_target:
        yield Question("loss", "loss", loss_step, "L", f"ℓ{sub(tape.T)}", "one target: L is the last step's loss",
                       n(tape.losses[0]), tape.loss)
    else:
        yield Question("loss", "loss", loss_step, "L", "Σₜ ℓₜ", "a loss at every step: add them",
                       " + ".join(n(v) for v in tape.losses), tape.loss,
                       sign=relation(total(tape.losses.tolist(), d), tape.loss, d))
    yield from _backward_questions(tape, d, paths)
    for i, (param, u) in enumerate(tape.updates.items()):
        p = nt.param(param)
        rule = f"{p} − η·clip(∂L/∂{p})" if s.clip else f"{p} − η·∂L/∂{p}"
        numbers = nt.update_substituted(u.old, s.learning_rate, u.grad, u.clipped, u.new, s.clip, d)
        numbers, sign = numbers[:-2], numbers[-1]  # "… = 1.5 − 0.01·5 =": the sign goes before the value
        yield Question(f"update.{param}.new", "update", steps.phase_start("update") + i, f"{p}_new", rule,
                       f"gradient descent with η = {nt.fmt(s.learning_rate, d)}"
                       + (f", the gradient clipped to ±{nt.fmt(s.clip, d)}" if s.clip else ""),
                       numbers, u.new, sign=sign)


def _factor_key(f: Factor, t: int) -> tuple:
    """Factors equal by construction share a key: ∂O₄/∂O₃ is the same in every term that crosses it."""
    if f.kind in ("loss_grad", "output_grad", "output_act"):
        return (f.kind, t)
    if f.kind == "backprop":
        return (f.kind, f.step)
    return (f.kind, f.step, f.param, t)


def f_prime_numbers(name: str, a: float, O: float, d: int, slope: float = 0.01) -> tuple[str, float]:
    """f′(a_t) with its numbers, and what those printed numbers give: 1 − 0.50052² for tanh."""
    if name == "tanh":
        return f"1 − {nt.operand(O, d)}²", 1 - printed(O, d) ** 2
    if name == "sigmoid":
        return f"{nt.fmt(O, d)}·(1 − {nt.fmt(O, d)})", printed(O, d) * (1 - printed(O, d))
    if name in ("relu", "leaky_relu"):  # which side of the kink a_t is on
        value = 1.0 if a > 0 else (0.0 if name == "relu" else slope)
        return nt.fmt(value, d), value
    return "1", 1.0


def _factor_hint(tape: Tape, f: Factor) -> str:
    """What the factor's formula means, written with the variables of its own step (g′(z₄), f′(a₃))."""
    s, t = tape.scenario, nt.sub(f.step)
    if f.kind == "loss_grad":
        target = "" if f.single_target else t
        return (f"the derivative of ℓ = {nt.subscripted(tape.loss_fn.value_formula, target)} with respect to "
                f"ŷ{target}: {nt.loss_derivative_formula(s.loss, f.step if not f.single_target else '')}")
    if f.kind in ("output_grad", "output_act"):
        g = s.output_activation
        return (f"g = {g}: ŷ{t} = {nt.activation_formula(g, t, 'z')}, "
                f"g′(z{t}) = {nt.activation_derivative(g, t, 'z', 'ŷ')}")
    if f.kind == "output_input":
        return f"z{t} = w_out·O{t} + b_out"
    fprime = f"f = {s.activation}, f′(a{t}) = {nt.activation_derivative(s.activation, t)}"
    if f.kind == "backprop":
        return f"one step back along the recurrence: {fprime}"
    return f"the immediate partial holds O{nt.sub(f.step - 1)} fixed; {fprime}"


def _backward_questions(tape: Tape, d: int, paths: int | None = None):
    asked: set[tuple] = set()
    for param in PARAMS:
        table = tape.gradients[param]
        start = tape.steps.phase_start(f"backward.{param}")
        symbol = nt.gradient_symbol(param)
        recurrent = param in RECURRENT_PARAMS
        indices = range(len(table)) if paths is None or not recurrent else _with_last(asked_terms(tape, paths),
                                                                                        len(table) - 1)
        for i in indices:
            t = int(table.t[i])
            k = int(table.k[i]) if recurrent else None
            where = f"[{t},{k}]" if recurrent else f"[{t}]"
            step = start + i
            last = i == len(table) - 1
            if recurrent and paths is not None and t - k >= paths:  # a path not asked (--paths N)
                yield _sum_question(tape, param, i, d, symbol, where, step, last)  # but the total is
                continue
            factors = tape.factors(param, i)
            for j, f in enumerate(factors, start=1):
                key = _factor_key(f, t)
                if key in asked:
                    continue
                asked.add(key)
                fid = f"gradients.{param}.factor[{t},{k},{j}]" if recurrent else f"gradients.{param}.factor[{t},{j}]"
                yield Question(fid, f"factor.{f.kind}", step, f.symbol, f.formula, _factor_hint(tape, f),
                               nt.factor_substituted(f, tape, d), f.value,
                               f"factor {j} of term {where} of {symbol}",
                               sign=relation(factor_again(f, tape, d), float(f.value), d))
            yield Question(
                f"gradients.{param}.term{where}", "term", step, f"term {where} of {symbol}",
                nt.term_symbol_compact(factors), "the product of its factors",
                " × ".join(nt.operand(f.value, d) for f in factors), float(table.value[i]),
                sign=relation(product((f.value for f in factors), d), float(table.value[i]), d))
            if i == 0 and not last:
                continue  # the first running sum is the first term itself
            yield _sum_question(tape, param, i, d, symbol, where, step, last)


def _with_last(indices: Iterator[int], last: int) -> Iterator[int]:
    i = -1
    for i in indices:
        yield i
    if i != last:
        yield last


def _sum_question(tape: Tape, param: str, i: int, d: int, symbol: str, where: str, step: int, last: bool) -> Question:
    table = tape.gradients[param]
    previous = nt.fmt(float(table.running_sum[i - 1]), d) if i else "0"
    before = float(table.running_sum[i - 1]) if i else 0.0
    if table.truncated[i]:
        formula, numbers = "previous sum (this term is truncated: not added)", previous
        sign = relation(printed(before, d), float(table.running_sum[i]), d)
    elif table.weight is not None:  # randomized truncation adds weight·term (SPEC §9)
        weight = float(table.weight[i])
        formula = "previous sum + weight·this term"
        numbers = f"{previous} + {nt.operand(weight, d)}·{nt.operand(float(table.value[i]), d)}"
        again = printed(before, d) + printed(weight, d) * printed(float(table.value[i]), d)
        sign = relation(again, float(table.running_sum[i]), d)
    else:
        formula = "previous sum + this term"
        numbers = f"{previous} + {nt.operand(float(table.value[i]), d)}"
        sign = relation(total((before, float(table.value[i])), d), float(table.running_sum[i]), d)
    if last:
        return Question(f"gradients.{param}.total", "total", step, symbol, "the sum of all its terms",
                        formula, numbers, table.total, sign=sign)
    return Question(f"gradients.{param}.running_sum{where}", "running_sum", step,
                    f"running sum of {symbol} after {where}", formula, formula, numbers,
                    float(table.running_sum[i]), sign=sign)
