"""Go-to: what an entry names, what tab completes to, and errors in one sentence."""

from __future__ import annotations

import pytest

import rnnstep
from rnnstep.navigation import completion, completions, goto_target, matching

TAPE = rnnstep.build_tape(rnnstep.default_scenario())


def test_tab_completes_to_the_common_prefix_of_the_matching_ids():
    words = completions(TAPE)
    assert completion(words, "gradients.b.ter") == "gradients.b.term[4,"  # four terms share it
    assert completion(words, "gradients.b.term[4,") is None  # nothing more in common
    assert completion(words, "gradients.b.term[4,2") == "gradients.b.term[4,2]"  # one match: whole
    assert completion(words, "grad") == "gradients."
    assert completion(words, "nothing") is None
    assert completion(words, "Upd") == "update"  # case aside, the ids' own spelling (the phase, and update.…)
    assert matching(words, "gradients.b.term[4,") == [f"gradients.b.term[4,{k}]" for k in (4, 3, 2, 1)]


def test_loss_is_the_step_showing_L_and_the_phase_is_still_reached_by_its_outputs():
    index = goto_target(TAPE, "loss")
    assert TAPE.steps[index].kind == "loss"
    assert goto_target(TAPE, "outputs.yhat[4]") == TAPE.steps.phase_start("loss")


@pytest.mark.parametrize("text,says", [
    ("foo", "'foo' is not a step number (1 … 25), a phase or a value id such as forward.O[1], loss, "
            "gradients.w.term[4,4] or update.w.new"),
    ("forward.O[9]", "forward.O[9]: step 9 is outside 1…4"),
    ("gradients.q.term[1,1]", "'gradients.q.term[1,1]' is not a step number (1 … 25), a phase or a value id: "
                              "expected gradients.<param>"),
    ("", "type a step number (1 … 25), a phase or a value id"),
    ("99", "there are steps 1 to 25"),
])
def test_a_goto_error_is_one_sentence_that_says_it_once(text, says):
    with pytest.raises(ValueError) as error:
        goto_target(TAPE, text)
    message = str(error.value)
    assert message.startswith(says), message
    assert message.count("is not") <= 1 and "(" not in message.replace("(1 … 25)", "")  # nothing said twice
    if text and not text.isdigit():
        assert message.count(text) == 1


def test_a_reload_follows_the_step_id_and_loss_is_the_step_showing_L():
    from rnnstep.navigation import follow, step_in

    again = rnnstep.build_tape(rnnstep.default_scenario())
    for step_id in ("loss", "outputs.yhat[4]", "gradients.b.term[4,2]", "update.b_out.new", "forward.O[1]"):
        index = step_in(TAPE, step_id)
        assert TAPE.steps[index].id == step_id
        assert follow(TAPE, again, index) == (index, True)
    assert step_in(TAPE, "backward.w") is None  # a phase is not a step id
    assert step_in(TAPE, "forward.O[9]") is None


def test_watch_is_a_flag_of_the_debugger():
    from rnnstep.cli import build_parser

    assert build_parser().parse_args(["open", "x.toml", "--watch"]).watch is True
    assert build_parser().parse_args(["open", "x.toml"]).watch is False
