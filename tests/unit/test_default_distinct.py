"""The default scenario (what `rnnstep` opens without arguments) shows no coincidences (issue 18 item 3).

At each step, the quantities the step panel prints — the factors and their inputs, the term, the
running sums, the recursive view, the forward and output formulas' numbers — print as pairwise
different numbers unless they are the same quantity by definition (∂⁺O_k/∂b is f′(a_k); with one
target, term(b, T, k) is ∂L/∂a_k; a running sum after a zero term is the sum before it)."""

from __future__ import annotations

import itertools

import rnnstep
from rnnstep import notation as nt
from rnnstep.scenario import SCENARIO_DIR

DEFAULT = SCENARIO_DIR / "notes-four-steps.toml"


def shown_at_each_step(tape) -> list[tuple[str, dict[str, float], set[frozenset[str]]]]:
    """(step name, {quantity: value}, pairs that are one quantity by definition) for every step."""
    s = tape.scenario
    out = []
    weights = {"w": s.w, "w′": s.w_prime, "b": s.b}
    for t in range(1, tape.T + 1):
        q = {f"x{t}": tape.x[t - 1], f"O{t - 1}": tape.O_prev[t - 1], f"a{t}": tape.a[t - 1], f"O{t}": tape.O[t - 1],
             f"f′(a{t})": tape.f_prime[t - 1], **weights}
        out.append((f"forward t={t}", q, set()))
    for i, t in enumerate(tape.targets):
        t = int(t)
        q = {"w_out": s.w_out, "b_out": s.b_out, f"O{t}": tape.O[t - 1], f"z{t}": tape.z[i], f"ŷ{t}": tape.yhat[i],
             f"y{t}": tape.y[i], f"ℓ{t}": tape.losses[i]}
        same = {frozenset((f"z{t}", f"ŷ{t}"))} if s.output_activation == "identity" else set()
        out.append((f"output t={t}", q, same))
    for param, table in tape.gradients.items():
        for i in range(len(table)):
            t = int(table.t[i])
            k = int(table.k[i]) if table.k is not None else None
            q, same = {}, set()
            for j, f in enumerate(tape.factors(param, i)):
                q[f.symbol] = f.value
            # the inputs the factors' "with numbers" column prints
            pos = tape.target_position[t]
            q.update({"ŷ": tape.yhat[pos], "y": tape.y[pos], "g′(z)": tape.g_prime[pos], "w_out": s.w_out})
            for f in tape.factors(param, i):
                if f.kind in ("backprop", "immediate"):
                    q[f"f′(a{f.step})"] = tape.f_prime[f.step - 1]
                    if f.kind == "backprop":
                        q["w′"] = s.w_prime
                    elif f.param == "w":
                        q[f"x{f.step}"] = tape.x[f.step - 1]
                    elif f.param == "w_prime":
                        q[f"O{f.step - 1}"] = tape.O_prev[f.step - 1]
                    if f.kind == "immediate" and f.param == "b":
                        same.add(frozenset((f.symbol, f"f′(a{f.step})")))
                if f.kind == "output_grad" and s.output_activation == "identity":  # g′(z)·w_out with g′ = 1
                    same.add(frozenset((f.symbol, "w_out")))
                if f.kind == "output_act":
                    same.add(frozenset((f.symbol, "g′(z)")))
                if f.kind == "output_input" and f.param == "w_out":
                    q[f"O{t}"] = tape.O[t - 1]
                    same.add(frozenset((f.symbol, f"O{t}")))
            if param == "b_out" and s.output_activation == "identity":  # ∂L/∂ŷ·g′(z)·1 with g′ = 1
                same.add(frozenset(("term", [f.symbol for f in tape.factors(param, i)][0])))
            previous = float(table.running_sum[i - 1]) if i else 0.0
            q.update({"term": table.value[i], "sum before": previous, "running sum": table.running_sum[i]})
            if i == 0 or previous == 0:
                same.add(frozenset(("term", "running sum")))
            if table.value[i] == 0 or table.truncated[i]:
                same.add(frozenset(("sum before", "running sum")))
            if k is not None:  # the recursive view
                q.update({f"∂L/∂O{k}": tape.dL_dO[k - 1], f"∂L/∂a{k}": tape.dL_da[k - 1]})
                if param == "b" and tape.single_target:
                    same.add(frozenset(("term", f"∂L/∂a{k}")))
                if k == t and tape.single_target and s.w_out == 1 and s.output_activation == "identity":
                    pass  # (no exemption: ∂L/∂O_T = ∂L/∂ŷ only because w_out = 1 — a coincidence)
            out.append((f"{param} term {i + 1}", q, same))
    for param, u in tape.updates.items():
        out.append((f"update {param}", {"old": u.old, "η": s.learning_rate, "grad": u.grad, "new": u.new}, set()))
    return out


def _classes(same: set[frozenset[str]]) -> dict[str, str]:
    """Each quantity's representative: quantities equal by definition (transitively) share one."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    for pair in same:
        a, b = sorted(pair)
        parent[find(a)] = find(b)
    return {x: find(x) for pair in same for x in pair}


def coincidences(tape, digits: int = 6) -> list[str]:
    found = []
    for step, q, same in shown_at_each_step(tape):
        cls = _classes(same)
        for (a, va), (b, vb) in itertools.combinations(q.items(), 2):
            if cls.get(a, a) == cls.get(b, b):
                continue
            pa, pb = nt.fmt(abs(float(va)), digits), nt.fmt(abs(float(vb)), digits)
            if pa == pb and pa not in ("0", "1"):  # 0 and 1 are the notes' own constants (O₀ = 0, g′ = 1)
                found.append(f"{step}: {a} = {nt.fmt(float(va), digits)} and {b} = {nt.fmt(float(vb), digits)}")
    return found


def test_the_default_scenario_shows_no_coincidence():
    tape = rnnstep.build_tape(rnnstep.load_scenario(DEFAULT))
    found = coincidences(tape)
    assert not found, "\n".join(found[:20])


def test_the_check_finds_the_issues_coincidence():
    """x₃ = w′ = −0.3 put the same number in ∂⁺O₃/∂w's and ∂O₄/∂O₃'s formulas in one factor table."""
    old = """[weights]\nw = 0.5\nw_prime = -0.3\nb = 0.1\n[data]\nx = [1.0, 0.5, -0.3, 0.8]\ny = 0.2\n"""
    found = coincidences(rnnstep.build_tape(rnnstep.load_scenario(old)))
    assert any("x3 = -0.3" in f and "w′ = -0.3" in f for f in found), found  # both in w's term [4,3]
    assert any("∂⁺O₁/∂w = 0.711578" in f and "f′(a1) = 0.711578" in f for f in found), found  # x₁ = 1


def test_the_default_scenario_is_the_one_rnnstep_opens():
    from rnnstep.scenario import DEFAULT_NAME

    assert DEFAULT.stem == DEFAULT_NAME


def test_the_template_is_the_default_network():
    """`rnnstep new`'s template says it loads as the notes' four steps: the same numbers, so the same
    (coincidence-free) tape, and its commented claims are right for it."""
    from rnnstep.template import TEMPLATE
    from rnnstep.verify import verify

    default = rnnstep.load_scenario(DEFAULT)
    text = TEMPLATE.replace('# [claims]', '[claims]').replace('# "forward.O[2]"', '"forward.O[2]"') \
        .replace('# "gradients.w.total"', '"gradients.w.total"')
    template = rnnstep.load_scenario(text)
    assert template.weights() == default.weights() and template.x == default.x and template.y == default.y
    assert template.learning_rate == default.learning_rate
    report = verify(rnnstep.build_tape(template))
    assert len(report.results) == 2 and all(r.verdict == "right" for r in report.results)
