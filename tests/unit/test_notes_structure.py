"""The notes' structure: T = 4, one final target, the path products of SPEC §1."""

import rnnstep
from rnnstep.ids import PARAMS, parse_id
from rnnstep.scenario import SCENARIO_DIR


def test_four_terms_per_parameter_with_T_minus_k_plus_3_factors():
    tape = rnnstep.build_tape(rnnstep.default_scenario())
    T = tape.T
    assert T == 4
    for param in ("w_prime", "w", "b"):
        table = tape.gradients[param]
        assert len(table) == 4
        assert [int(k) for k in table.k] == [4, 3, 2, 1]  # nearest path first
        for i, k in enumerate(table.k):
            assert len(tape.factors(param, i)) == T - int(k) + 3


def test_factor_symbols_follow_the_notes():
    tape = rnnstep.build_tape(rnnstep.default_scenario())
    symbols = [f.symbol for f in tape.factors("w_prime", 3)]  # k = 1
    assert symbols == ["∂L/∂ŷ", "∂ŷ/∂O₄", "∂O₄/∂O₃", "∂O₃/∂O₂", "∂O₂/∂O₁", "∂⁺O₁/∂w′"]
    formulas = [f.formula for f in tape.factors("w", 1)]
    assert formulas == ["ŷ − y", "g′(z₄)·w_out", "f′(a₄)·w′", "f′(a₃)·x₃"]


def test_first_w_prime_path_is_exactly_zero_when_h0_is_zero():
    tape = rnnstep.build_tape(rnnstep.default_scenario())
    assert tape.scenario.h0 == 0.0
    assert tape.value("gradients.w_prime.term[4,1]") == 0.0
    assert tape.value("gradients.w.term[4,1]") != 0.0


def test_steps_walk_forward_loss_backward_update_in_order():
    tape = rnnstep.build_tape(rnnstep.default_scenario())
    phases = [s.phase for s in tape.steps]
    expected = ["forward"] * 4 + ["loss"] * 2
    expected += [f"backward.{p}" for p in ("w_prime", "w", "b") for _ in range(4)]
    expected += ["backward.w_out", "backward.b_out"] + ["update"] * 5
    assert phases == expected
    for step in tape.steps:  # every step's id leads back to the step
        assert tape.step_of(parse_id(step.id)) == step.index
    assert tape.steps.index_of("loss") == 4  # as a breakpoint, a phase name means the phase's first step
    assert tape.steps.index_of("backward.w") == 10
    assert tape.steps.index_of("gradients.w.total") == 13
    assert tape.steps[-1].id == "update.b_out.new"


def test_target_every_step_orders_blocks_by_t_then_k_descending():
    tape = rnnstep.build_tape(rnnstep.load_scenario(SCENARIO_DIR / "target-every-step.toml"))
    table = tape.gradients["w_prime"]
    pairs = list(zip(table.t.tolist(), table.k.tolist()))
    assert pairs == [(1, 1), (2, 2), (2, 1), (3, 3), (3, 2), (3, 1), (4, 4), (4, 3), (4, 2), (4, 1)]
    assert [f.symbol for f in tape.factors("w", 2)] == ["∂L/∂ŷ₂", "∂ŷ₂/∂O₂", "∂O₂/∂O₁", "∂⁺O₁/∂w"]
    for param in PARAMS:
        for i in range(len(tape.gradients[param])):
            step = tape.steps[tape.steps.phase_start(f"backward.{param}") + i]
            assert step.term == i and step.param == param
