"""Verifying a claimed total with a target at every step: the recursive view (rules_totals.py) instead of
Σ over every term (t, k), with the same verdicts, and linear in T."""

from __future__ import annotations

import math

import numpy as np
import pytest

import rnnstep
from rnnstep import author_tape as author_module
from rnnstep import rules_totals
from rnnstep.author_tape import AuthorTape
from rnnstep.ids import parse_id
from rnnstep.verify import verify

HEADS = {
    "scalar": "[weights]\nw = {w}\nw_prime = {wp}\nb = {b}\n",
    "vector": "[rnn]\nhidden_size = 2\n[weights]\nw = {W}\nw_prime = {WP}\nb = {B}\n",
    "lstm": "[rnn]\ncell = \"lstm\"\nhidden_size = 2\n[weights]\nw = {W}\nw_prime = {WP}\nb = {B}\n",
    "gru": "[rnn]\ncell = \"gru\"\nhidden_size = 2\n[weights]\nw = {W}\nw_prime = {WP}\nb = {B}\nb_prime = {BP}\n",
}
ROWS = {"vector": 2, "lstm": 8, "gru": 6}


def _array(a) -> str:
    return "[" + ", ".join(_array(e) for e in a) + "]" if np.ndim(a) else repr(float(a))


def scenario_text(kind: str, T: int, rng, every: bool = True) -> str:
    rows = ROWS.get(kind, 1)
    weights = dict(w=round(rng.uniform(-1, 1), 2), wp=round(rng.uniform(-1, 1), 2),
                   b=round(rng.uniform(-.5, .5), 2), W=_array(np.round(rng.uniform(-1, 1, (rows, 1)), 2)),
                   WP=_array(np.round(rng.uniform(-.8, .8, (rows, 2)), 2)),
                   B=_array(np.round(rng.uniform(-.5, .5, rows), 2)),
                   BP=_array(np.round(rng.uniform(-.3, .3, rows), 2)))
    x = np.round(rng.uniform(-1, 1, T), 2).tolist()
    x[int(rng.integers(T))] = 0.0  # an input of 0: a term that is 0 whatever δ is
    y = np.round(rng.uniform(-.5, .5, T), 2).tolist() if every else 0.2
    return f'title = "totals {kind}"\n' + HEADS[kind].format(**weights) + f"[data]\nx = {x}\ny = {y}\n"


def _stated(value, rng) -> str:
    """A printed number: the true value at 6 significant digits, or now and then ×1.3 (a slip)."""
    return f'"{value * (1.3 if rng.uniform() < 0.12 else 1.0):.6g}"'


def claims_text(tape, rng, terms: bool = True) -> str:
    """Random claims: some forward values, outputs, ∂L/∂O and ∂L/∂a, every total and update, some terms."""
    lines = []
    for vid in tape.value_ids():
        v = parse_id(vid)
        if v.group == "gradients":
            keep = v.name == "total" or v.name == "term" and terms and rng.uniform() < 0.15
        else:
            keep = v.group in ("loss", "update") or rng.uniform() < 0.5
        if not keep:
            continue
        value = np.asarray(tape.value(vid), dtype=float)
        stated = np.vectorize(lambda e: _stated(e, rng), otypes=[object])(value) if value.ndim else \
            _stated(float(value), rng)
        lines.append(f'"{vid}" = {_printed(stated)}')
    return "[claims]\n" + "\n".join(lines) + "\n"


def _printed(stated) -> str:
    if isinstance(stated, str):
        return stated
    return "[" + ", ".join(_printed(e) for e in stated) + "]"


def by_term_sum(monkeypatch, tape):
    """The report as every total was verified before: Σ over every term (t, k)."""
    with monkeypatch.context() as m:
        m.setattr(author_module.rules_totals, "applies", lambda tape, claims: False)
        return verify(tape)


def seen(report):
    return [(r.id, r.verdict, r.follows_from, r.note, r.formula, r.worked_from, r.likely_slip, r.digits)
            for r in report.results]


def verdicts(report):
    """What each claim is judged, and for a wrong one where it comes from or which slip it is."""
    return [(r.id, r.verdict, r.follows_from, r.likely_slip) + ((r.formula,) if r.wrong else ())
            for r in report.results]


@pytest.mark.parametrize("seed", range(24))
def test_the_verdicts_on_random_files_with_totals_are_those_of_the_term_sum(monkeypatch, seed):
    rng = np.random.default_rng(seed)
    kind = ("scalar", "vector", "lstm", "gru")[seed % 4]
    text = scenario_text(kind, int(rng.integers(3, 9)), rng)
    tape = rnnstep.build_tape(rnnstep.load_scenario(text))
    tape = rnnstep.build_tape(rnnstep.load_scenario(text + claims_text(tape, rng, terms=seed % 8 < 4)))
    assert rules_totals.applies(tape, tape.scenario.claims)
    new, old = verify(tape), by_term_sum(monkeypatch, tape)
    assert verdicts(new) == verdicts(old)
    assert new.roots == old.roots
    for a, b in zip(new.results, old.results):
        if a.wrong:
            assert a.recomputed == pytest.approx(b.recomputed, rel=1e-9, abs=1e-12)


def _author_total_w(text: str, slip: float) -> tuple[list[float], list[float], float]:
    """The one-unit author's a_t, O_t (a₂ off by ``slip``, O₂ = tanh of it) and ∂L/∂w worked back from them
    by hand: ½(ŷ − y)² with ŷ = w_out·O + b_out (the defaults), ∂L/∂O_k = (ŷ_k − y_k)·w_out + ∂L/∂a_{k+1}·w′,
    ∂L/∂a_k = ∂L/∂O_k·(1 − O_k²), ∂L/∂w = Σ_k ∂L/∂a_k·x_k."""
    s = rnnstep.load_scenario(text)
    a, O, prev = [], [], s.h0
    for t in range(1, s.T + 1):
        a.append(s.w * s.x[t - 1] + s.w_prime * prev + s.b + (slip if t == 2 else 0.0))
        prev = math.tanh(a[-1])
        O.append(prev)
    total, later = 0.0, 0.0
    for k in range(s.T, 0, -1):
        dO = (s.w_out * O[k - 1] + s.b_out - s.y[k - 1]) * s.w_out + later * s.w_prime
        da = dO * (1 - O[k - 1] ** 2)
        total += da * s.x[k - 1]
        later = da
    return a, O, total


def test_a_total_worked_from_a_slip_follows_from_it_and_a_slip_in_a_total_is_named(monkeypatch):
    text = scenario_text("scalar", 12, np.random.default_rng(7))
    a, O, total = _author_total_w(text, 0.05)
    tape = rnnstep.build_tape(rnnstep.load_scenario(text))
    lines = [f'"forward.a[{t}]" = "{a[t - 1]:.6g}"\n"forward.O[{t}]" = "{O[t - 1]:.6g}"' for t in range(1, 13)]
    lines.append(f'"gradients.w.total" = "{total:.6g}"')
    lines.append(f'"gradients.b.total" = "{tape.value("gradients.b.total") * 1.3:.6g}"')  # a slip of its own
    tape = rnnstep.build_tape(rnnstep.load_scenario(text + "[claims]\n" + "\n".join(lines) + "\n"))
    report = verify(tape)
    results = {r.id: r for r in report.results}
    assert [r.id for r in report.slips] == ["forward.a[2]", "gradients.b.total"]
    assert results["gradients.w.total"].verdict == "follows"
    assert report.roots["gradients.w.total"] == ("forward.a[2]",)
    assert results["gradients.b.total"].formula == "the last running sum"
    assert seen(report) == seen(by_term_sum(monkeypatch, tape))


def _worked_out(kind: str, T: int, every: bool) -> int:
    """How many values the author's tape works out to judge a file of totals, updates and the loss."""
    rng = np.random.default_rng(T)
    text = scenario_text(kind, T, rng, every)
    tape = rnnstep.build_tape(rnnstep.load_scenario(text))
    ids = ["loss"] + [f"gradients.{q}.total" for q in tape.params] + [f"update.{q}.new" for q in tape.params]
    claims = [f'"{p}" = {_array(np.asarray(tape.value(p), dtype=float))}' for p in ids]
    tape = rnnstep.build_tape(rnnstep.load_scenario(text + "[claims]\n" + "\n".join(claims) + "\n"))
    author = AuthorTape(tape, tape.scenario.claims)
    for claim in tape.scenario.claims:
        author.recompute(claim.id)
    return len(author._memo)


@pytest.mark.parametrize("kind", ["scalar", "vector", "lstm"])
def test_the_work_for_totals_grows_with_T_not_its_square(kind):
    # a target at every step: T²/2 terms; the values worked out grow with T, as with one target
    small, large = _worked_out(kind, 30, True), _worked_out(kind, 60, True)
    assert large < 2.2 * small
    assert large < 2.5 * _worked_out(kind, 60, False)


def test_a_total_worked_from_a_wrong_stated_term_follows_from_it(monkeypatch):
    text = scenario_text("scalar", 10, np.random.default_rng(3))
    tape = rnnstep.build_tape(rnnstep.load_scenario(text))
    term, true_total = tape.value("gradients.w.term[10,1]"), tape.value("gradients.w.total")
    wrong = round(term * 1.3 + 0.01, 6)
    lines = [f'"gradients.w.term[10,1]" = "{wrong:.6f}"', f'"gradients.w.term[6,6]" = '
             f'"{tape.value("gradients.w.term[6,6]"):.6g}"',
             f'"gradients.w.total" = "{true_total - term + wrong:.6g}"',  # the author added the wrong term
             f'"gradients.b.total" = "{tape.value("gradients.b.total"):.6g}"']
    tape = rnnstep.build_tape(rnnstep.load_scenario(text + "[claims]\n" + "\n".join(lines) + "\n"))
    report = verify(tape)
    results = {r.id: r for r in report.results}
    assert [r.id for r in report.slips] == ["gradients.w.term[10,1]"]
    assert results["gradients.w.total"].follows_from == ("gradients.w.term[10,1]",)
    assert results["gradients.b.total"].verdict == "right" and not results["gradients.b.total"].note
    assert seen(report) == seen(by_term_sum(monkeypatch, tape))


def _calls(kind: str, T: int) -> int:
    """Python function calls (cProfile's count: the same on a loaded machine) of verifying totals and terms."""
    import cProfile
    import pstats

    rng = np.random.default_rng(T)
    text = scenario_text(kind, T, rng)
    tape = rnnstep.build_tape(rnnstep.load_scenario(text))
    ids = ["loss"] + [f"gradients.{q}.total" for q in tape.params] + [f"update.{q}.new" for q in tape.params]
    ids += [f"gradients.w_prime.term[{T},1]", f"gradients.w_prime.term[{T // 2},2]"]
    claims = [f'"{p}" = {_array(np.asarray(tape.value(p), dtype=float))}' for p in ids]
    tape = rnnstep.build_tape(rnnstep.load_scenario(text + "[claims]\n" + "\n".join(claims) + "\n"))
    profile = cProfile.Profile()
    profile.runcall(verify, tape)
    return pstats.Stats(profile).total_calls


@pytest.mark.parametrize("kind", ["scalar", "lstm"])
def test_verifying_totals_and_a_few_terms_takes_calls_that_grow_with_T(kind):
    assert _calls(kind, 80) < 2.3 * _calls(kind, 40)


def test_a_scenarios_target_steps_are_made_once():
    # verify asks for them per value (a factor's shared quantity, a claim's id check): T numbers each time
    # made T² numbers in all with a target at every step (5 of 33 s at T = 4,000)
    scenario = rnnstep.load_scenario(scenario_text("scalar", 50, np.random.default_rng(1)))
    assert scenario.targets == tuple(range(1, 51)) and scenario.targets is scenario.targets
