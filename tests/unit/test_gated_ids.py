"""Ids of gated cells (SPEC §8): forward.c, forward.gate.<x>, forward.a_prime, .carry, .rest, b_prime —
in breakpoints, notes, claims and tape.value; `check` covers b_prime; ids another cell lacks are one line."""

from __future__ import annotations

import numpy as np
import pytest

from gated_scenarios import gated_scenario, gated_toml
from rnnstep import build_tape, ids
from rnnstep.check import check_tape
from rnnstep.scenario import ScenarioError, parse_scenario


def test_gated_ids_name_the_tapes_values():
    s = gated_scenario("lstm", n=2, m=1, q=1, T=3, every_step=True)
    tape = build_tape(s)
    np.testing.assert_array_equal(tape.value("forward.c[2]"), tape.c[1])
    assert tape.value("forward.gate.f[3][2]") == tape.gates["f"][2, 1]
    table = tape.gradients["b_prime"]
    i = table.index_of(3, 1)
    np.testing.assert_array_equal(tape.value("gradients.b_prime.carry[3,1]"), table.carry(i))
    np.testing.assert_array_equal(tape.value("gradients.w.rest[3,1]"), tape.gradients["w"].rest(i))
    assert tape.value("gradients.b_prime.rest[3,1][8]") == table.rest(i)[7]
    gru = build_tape(gated_scenario("gru", n=2, m=1, q=1, T=2))
    np.testing.assert_array_equal(gru.value("forward.a_prime[2]"), gru.a_prime[1])
    assert gru.value("forward.gate.u[1][1]") == gru.gates["u"][0, 0]


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_every_value_id_of_a_gated_tape_resolves_and_has_a_step(cell):
    tape = build_tape(gated_scenario(cell, n=2, m=2, q=2, T=3, every_step=True))
    seen = list(tape.value_ids())
    assert any(".carry[" in v for v in seen) and any(".gate." in v for v in seen)
    for vid in seen:
        value = tape.value(vid)
        shape = ids.value_shape(ids.parse_id(vid), tape.sizes)
        assert np.shape(value) == shape, vid
        assert 0 <= tape.steps.index_of(vid) < len(tape.steps)


def test_breakpoints_notes_and_claims_take_gated_ids():
    text = gated_toml("lstm", n=2, T=3).replace("[train]\n", "[train]\nbreakpoints = [\"backward.b_prime\", \"forward.gate.f[2]\"]\n")
    text += '[[notes]]\nat = "gradients.w.carry[3,1]"\ntext = "the carry"\n[claims]\n"forward.c[1][2]" = "0.5"\n'
    s = parse_scenario(text, "f.toml")
    assert s.breakpoints == ("backward.b_prime", "forward.gate.f[2]")
    assert s.notes[0].at == "gradients.w.carry[3,1]" and s.claims[0].id == "forward.c[1][2]"
    tape = build_tape(s)
    assert tape.steps.index_of("backward.b_prime") == tape.steps.phase_start("backward.b_prime")


@pytest.mark.parametrize("cell, at, message", [
    ("gru", "forward.c[1]", "f.toml: notes[1].at: forward.c[1]: c_t is an LSTM's cell state; a GRU has none"),
    ("lstm", "forward.gate.u[1]", "f.toml: notes[1].at: forward.gate.u[1]: an LSTM has gates i, f, g, o"),
    ("lstm", "forward.a_prime[1]",
     "f.toml: notes[1].at: forward.a_prime[1]: a_prime[t] is a GRU's recurrent side ã_t; an LSTM has none"),
])
def test_an_id_the_cell_lacks_is_one_line(cell, at, message):
    text = gated_toml(cell, n=2, T=2) + f'[[notes]]\nat = "{at}"\ntext = "x"\n'
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, "f.toml")
    assert str(info.value).startswith(message + "; or a phase: forward, loss, backward.w_prime")
    assert "backward.b_prime" in str(info.value)


def test_the_plain_cell_refuses_gated_ids():
    plain = "[weights]\nw = 0.5\nw_prime = -0.3\nb = 0.1\n[data]\nx = [1.0, 2.0]\ny = 0.2\n"
    for at, message in (("gradients.b_prime.total", "b_prime is a gated cell's (LSTM, GRU); the plain cell has one b"),
                        ("forward.gate.f[1]", "the plain cell has no gates")):
        with pytest.raises(ScenarioError) as info:
            parse_scenario(plain + f'[[notes]]\nat = "{at}"\ntext = "x"\n', "f.toml")
        assert message + "; or a phase" in str(info.value)
    with pytest.raises(ScenarioError):
        parse_scenario(plain.replace("[data]", "[train]\nbreakpoints = [\"backward.b_prime\"]\n[data]"), "f.toml")
    # the plain cell has no carry: carry 0, rest δ (SPEC §8)
    tape = build_tape(parse_scenario(plain, "f.toml"))
    assert tape.value("gradients.w.carry[2,1]") == 0.0


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_check_covers_every_entry_including_b_prime(cell):
    tape = build_tape(gated_scenario(cell, n=2, m=2, q=1, T=4, every_step=True, seed=2))
    rows = check_tape(tape)
    G = 4 if cell == "lstm" else 3
    assert sum(r.param == "b_prime" for r in rows) == 2 * G
    assert sum(r.param == "w_prime" for r in rows) == 2 * G * 2
    assert all(r.ok for r in rows)
    # the check fails when a gradient is wrong: a b′ total off by one part in 10³
    tape.gradients["b_prime"]._total = tape.gradients["b_prime"]._total * 1.001
    assert not all(r.ok for r in check_tape(tape) if r.param == "b_prime")
