"""A gated TBPTT file (SPEC §8, §9) in trace (every --format), check, drill, chunk ids and the debugger's
chunk tapes: each number against the hand chunk loop of test_gated_tbptt.py (torch autograd, one copy of
the weights per step as it was run), each mistake one line."""

from __future__ import annotations

import io
import json
from dataclasses import fields

import numpy as np
import pytest

from gated_scenarios import gated_toml
from vector_scenarios import vector_toml
from rnnstep.cli import main
from rnnstep.ids import IdError
from rnnstep.methods.chunk_ids import chunk_value
from rnnstep.methods.chunk_tape import ChunkedTape, GatedChunkTape
from rnnstep.scenario import parse_scenario
from rnnstep.build import build_tape

torch = pytest.importorskip("torch")
from test_gated_tbptt import PARAMS, RECURRENT, _close, hand_chunk_loop  # noqa: E402  (needs torch)

FORMATS = ("table", "json", "markdown", "latex")


def _text(cell: str, k1: int = 3, k2: int = 5, every_step: bool = True, **kw) -> str:
    kw = dict(n=2, m=2, q=1, T=7, seed=11, scale=1.0) | kw
    return gated_toml(cell, every_step=every_step, **kw) + f'method = "tbptt"\nk1 = {k1}\nk2 = {k2}\n'


def _file(tmp_path, cell: str, **kw):
    path = tmp_path / f"{cell}-tbptt.toml"
    path.write_text(_text(cell, **kw), encoding="utf-8")
    return path


@pytest.mark.parametrize("cell", ["lstm", "gru"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_trace_prints_a_gated_tbptt_file_in_every_format(tmp_path, capsys, cell, fmt):
    path = _file(tmp_path, cell)
    assert main(["trace", str(path), "--format", fmt]) == 0
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err and err == ""
    if fmt in ("markdown", "latex", "table"):
        assert "Chunk 3" in out or "chunk 3" in out.lower()
    if fmt == "markdown":  # the chunks' sums list b′ too (SPEC §8's fourth recurrent parameter)
        chunks = out[out.index("chunk by chunk"):]
        assert chunks.count("∂L/∂b′ =") == 3


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_json_chunks_of_a_gated_file_are_the_hand_loops(tmp_path, capsys, cell):
    path = _file(tmp_path, cell)
    assert main(["trace", str(path), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    scenario = parse_scenario(path.read_text(encoding="utf-8"), str(path))
    expected = hand_chunk_loop(scenario, 3, 5)
    assert [c["steps"] for c in data["chunks"]] == [[1, 3], [4, 6], [7, 7]]
    for chunk, ref in zip(data["chunks"], expected, strict=True):
        assert list(chunk["gradients"]) == list(PARAMS)  # b_prime too
        for step in chunk["forward"]:  # the chunk's steps as run: from the carried state on its weights
            t = step["t"]
            _close(step["O"], ref["states"][t][0], rtol=1e-12, atol=1e-14)
            assert set(step["gates"]) == ({"i", "f", "g", "o"} if cell == "lstm" else {"r", "u", "n"})
            if cell == "lstm":
                _close(step["c"], ref["states"][t][1], rtol=1e-12, atol=1e-14)
            else:
                assert "a_prime" in step and "c" not in step
        for p in PARAMS:
            shape = np.shape(np.asarray(chunk["update"]["params"][p]["old"]))
            _close(np.asarray(chunk["gradients"][p]["total"]), ref["totals"][p].reshape(shape))
            _close(np.asarray(chunk["update"]["params"][p]["new"]), ref["new"][p].reshape(shape))
        for p in RECURRENT:
            for term in chunk["gradients"][p]["terms"]:
                _close(np.asarray(term["value"]), ref["terms"][(p, term["t"], term["k"])].reshape(
                    np.shape(term["value"])))
                _close(np.add(term["carry"], term["rest"]), term["delta"], rtol=1e-12, atol=1e-15)
                assert term["k"] >= chunk["reach"] == ref["reach"]


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_chunk_ids_name_a_gated_chunks_values(cell):
    tape = build_tape(parse_scenario(_text(cell), f"<{cell}>"))
    ref = hand_chunk_loop(tape.scenario, 3, 5)
    second = tape.chunks[1]
    O5 = ref[1]["states"][5][0]
    _close(chunk_value(tape, "chunk[2].forward.O[5]"), O5, rtol=1e-12, atol=1e-14)
    gate = "f" if cell == "lstm" else "u"
    _close(chunk_value(tape, f"chunk[2].forward.gate.{gate}[5]"), second.run["gates"][gate][4])
    if cell == "lstm":
        _close(chunk_value(tape, "chunk[2].forward.c[5]"), ref[1]["states"][5][1], rtol=1e-12, atol=1e-14)
    else:
        assert np.shape(chunk_value(tape, "chunk[2].forward.a_prime[5]")) == (6,)
    _close(chunk_value(tape, "chunk[2].gradients.b_prime.term[6,2]"), ref[1]["terms"][("b_prime", 6, 2)])
    table = second.gradients["b"]
    i = table.index_of(5, 3)
    _close(chunk_value(tape, "chunk[2].gradients.b.carry[5,3]"), table.carry(i))
    _close(chunk_value(tape, "chunk[2].gradients.b.rest[5,3]") + table.carry(i), ref[1]["terms"][("b", 5, 3)])
    with pytest.raises(IdError, match=r"^chunk\[2\]\.gradients\.b_prime\.term\[6,1\]: chunk 2 has no such term; "
                                      r"before step 2: k2 = 5 steps back from step 6 reach steps 6…2$"):
        chunk_value(tape, "chunk[2].gradients.b_prime.term[6,1]")


def test_a_gated_tbptt_files_mistakes_are_one_line(tmp_path, capsys):
    text = _text("lstm") + '\n[[notes]]\nat = "chunk[2].gradients.b_prime.term[6,1]"\ntext = "x"\n'
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    assert main(["trace", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "bad.toml" in err and "leaves this term out" in err and "Traceback" not in err
    path.write_text(_text("gru").replace('method = "tbptt"', 'method = "rtrl"').replace("k1 = 3\nk2 = 5\n", ""),
                    encoding="utf-8")
    assert main(["trace", str(path)]) == 0  # RTRL runs on a gated cell too (methods/rtrl.py)
    assert "Traceback" not in capsys.readouterr().err


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_check_and_the_plain_drill_run_a_gated_tbptt_file(tmp_path, capsys, monkeypatch, cell):
    path = _file(tmp_path, cell)
    assert main(["check", str(path)]) == 0
    assert "all gradients agree" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", io.StringIO("skip\n" * 2000))
    assert main(["drill", "--plain", str(path), "--history", str(tmp_path / "h.json")]) == 0
    out = capsys.readouterr().out
    assert "Traceback" not in out
    assert "chunk[1].terms" in out and "chunk[3].terms" in out  # which terms each chunk's update keeps


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_the_debuggers_chunk_tape_factors_use_the_w_prime_each_step_was_run_with(cell):
    """The step panel's factors of a chunk term: ∂ℓ_t/∂s_t, J_t … J_{k+1}, ∂s_k/∂a_k multiply out to δ, each J_j
    on the weights step j was run with (a chunk-1 step's J in chunk 2's terms); the chunk's recursive view
    ∂L_chunk/∂a_k is its b-terms summed (b's term is δₓ), against the hand loop."""
    tape = build_tape(parse_scenario(_text(cell), "<x>"))
    ref = hand_chunk_loop(tape.scenario, 3, 5)
    chunked = ChunkedTape(tape)
    reached_back = 0
    for c in range(1, len(tape.chunks) + 1):
        chunk = chunked.chunk_tape(c)
        assert isinstance(chunk, GatedChunkTape)
        for p in ("w", "b_prime"):
            table = chunk.gradients[p]
            for i in range(len(table)):
                t, k = int(table.t[i]), int(table.k[i])
                product = np.ones((1, 1))
                for f in chunk.factors(p, i):
                    product = product @ np.atleast_2d(f.value)
                _close(product.ravel(), table.delta(i))
                reached_back += k < chunk.first
        for k in range(chunk.chunk.reach, chunk.last + 1):
            summed = sum(ref[c - 1]["terms"][("b", t, k)] for t in chunk.chunk.targets if t >= k)
            _close(chunk.dL_da[k - 1], summed)
        for j in range(1, chunk.last + 1):  # J_j as step j was run: with the W′ in force then
            used = ref[c - 1]["run_with"][j - 1]["w_prime"].numpy()
            _close(chunk.recurrent_weight(j), used, rtol=1e-14, atol=1e-16)
    assert reached_back > 0


def test_the_chunk_view_keeps_every_field_of_the_debuggers_view():
    from rnnstep.tui.chunk_view import panel_view
    from rnnstep.tui.panels.base import View

    tape = ChunkedTape(build_tape(parse_scenario(_text("lstm"), "<x>")))
    view = View(tape, 5, digits=4, factor_offset=2, grid_row=3, flow_paged=True, more_key="m", update_key="u",
                triangle_split="carry")
    shown = panel_view(view)
    for f in fields(View):
        if f.name not in ("tape", "cursor", "notes", "claims", "cache"):
            assert getattr(shown, f.name) == getattr(view, f.name), f.name


PLAIN_ONE_TARGET = vector_toml(n=2, m=1, q=1, T=7, every_step=False, seed=1) + 'method = "tbptt"\nk1 = 3\n'


@pytest.mark.parametrize("text", [_text("lstm", every_step=False), _text("gru", every_step=False, k1=2, k2=2),
                                  PLAIN_ONE_TARGET], ids=["lstm", "gru", "plain-vector"])
def test_a_chunk_without_a_target_adds_zero(text):
    tape = build_tape(parse_scenario(text, "<x>"))
    chunked = ChunkedTape(tape)
    empty = [c for c in range(1, len(tape.chunks) + 1) if not tape.chunks[c - 1].targets]
    assert empty
    for c in empty:
        chunk = chunked.chunk_tape(c)
        for p in tape.params:
            assert len(chunk.gradients[p]) == 0
            assert np.array_equal(chunk.gradients[p].total, np.zeros(tape.param_shape(p)))
        assert not np.any(chunk.dL_da) and not np.any(chunk.dL_dO)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_the_documents_clip_by_norm_section_takes_b_prime_too(tmp_path, capsys, cell):
    """‖g‖ is over every parameter (torch's clip_grad_norm_ over the module's parameters): the document's
    angle between the two clips is the one of all six gradients, and ∂L/∂b′ has its line."""
    text = _text(cell).replace('method = "tbptt"\nk1 = 3\nk2 = 5\n', "clip_norm = 0.05\n")
    path = tmp_path / "clip.toml"
    path.write_text(text, encoding="utf-8")
    tape = build_tape(parse_scenario(text, "<x>"))
    assert main(["trace", str(path), "--format", "markdown"]) == 0
    out = capsys.readouterr().out
    section = out[out.index("Clip by norm"):]
    assert "∂L/∂b′: by norm" in section
    g = np.concatenate([np.ravel(tape.gradients[p].total) for p in PARAMS])
    v = np.clip(g, -0.05, 0.05)
    angle = np.degrees(np.arccos(g @ v / (np.linalg.norm(g) * np.linalg.norm(v))))
    assert f"turns it by {nt_fmt(angle)}°" in section


def nt_fmt(value: float) -> str:
    from rnnstep.notation import fmt

    return fmt(float(value))
