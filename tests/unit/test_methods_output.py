"""SPEC §9 in the printed trace: JSON chunks, weights, norm and scale, --samples; Markdown and LaTeX."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest

from test_methods import SCALAR, my_coins, naive_tbptt, with_keys
from vector_scenarios import vector_toml
from rnnstep.cli import main
from rnnstep.ids import PARAMS
from rnnstep.render.json import write_json
from rnnstep.render.markdown import render_markdown
from rnnstep.render.latex import render_latex
from rnnstep.scenario import parse_scenario
from rnnstep.build import build_tape


def trace(text: str, **keys) -> dict:
    out = io.StringIO()
    write_json(build_tape(parse_scenario(with_keys(text, **keys))), out)
    return json.loads(out.getvalue())


@pytest.mark.parametrize("vector", [False, True])
def test_json_chunks_are_tbptt(vector):
    text = vector_toml(n=2, m=1, q=1, T=7, every_step=True, seed=2) if vector else SCALAR
    data = trace(text, method="tbptt", k1=3, k2=4)
    assert data["scenario"]["method"] == "tbptt" and data["scenario"]["k1"] == 3 and data["scenario"]["k2"] == 4
    expected = naive_tbptt(parse_scenario(text), 3, 4)
    assert [c["steps"] for c in data["chunks"]] == [[1, 3], [4, 6], [7, 7]]
    for chunk, grads in zip(data["chunks"], expected, strict=True):
        for p in PARAMS:
            got = np.array(chunk["gradients"][p]["total"], dtype=float).reshape(np.shape(grads[p]))
            np.testing.assert_allclose(got, grads[p], rtol=1e-9, atol=1e-12)
            terms = chunk["gradients"][p]["terms"]
            np.testing.assert_allclose(np.array(terms[-1]["running_sum"], dtype=float).reshape(np.shape(grads[p])),
                                       grads[p], rtol=1e-9, atol=1e-12)
        assert {"old", "grad", "new"} <= set(chunk["update"]["params"]["w"])
    second = data["chunks"][1]
    assert second["reach"] == 3
    assert second["excluded"][0] == {"t": 4, "k": [1, 2], "reason":
                                    "before step 3: chunk 2's backward pass from its end (step 6) stops at step 3 = 4 − (k2 − k1)"}
    assert second["excluded"][-1] == {"t": 6, "k": [1, 2], "reason": "before step 3: k2 = 4 steps back from step 6 reach steps 6…3"}
    assert {(term["t"], term["k"]) for term in second["gradients"]["b"]["terms"]} == {
        (t, k) for t in (4, 5, 6) for k in range(3, t + 1)}


def test_json_weights_are_the_coins():
    data = trace(SCALAR, method="randomized", keep=0.55, seed=12)
    xi = my_coins(7, 0.55, 12)
    assert [c["xi"] for c in data["randomized"]["coins"]] == pytest.approx([xi[j] for j in range(2, 8)])
    total = 0.0
    for term in data["gradients"]["w"]["terms"]:
        t, k = term["t"], term["k"]
        weight = float(np.prod([xi[j] for j in range(k + 1, t + 1)]))
        assert term["weight"] == pytest.approx(weight) and term["truncated"] == (weight == 0)
        total += weight * term["value"]
        assert term["running_sum"] == pytest.approx(total, rel=1e-12, abs=1e-15)
    assert data["gradients"]["w"]["total"] == pytest.approx(total, rel=1e-12)


def test_json_update_norm_and_scale():
    data = trace(SCALAR, clip_norm=0.2)
    grads = [data["gradients"][p]["total"] for p in PARAMS]
    norm = float(np.linalg.norm(grads))
    assert data["update"]["norm"] == pytest.approx(norm, rel=1e-14)
    assert data["update"]["scale"] == pytest.approx(0.2 / norm, rel=1e-14)
    plain = trace(SCALAR)
    assert "norm" not in plain["update"] and "chunks" not in plain and "weight" not in plain["gradients"]["w"]["terms"][0]


def test_json_rtrl_totals_and_cost():
    data = trace(SCALAR, method="rtrl")
    for p in PARAMS:
        assert data["rtrl"]["totals"][p] == pytest.approx(data["gradients"][p]["total"], rel=1e-10)
    assert data["rtrl"]["cost"]["rtrl"] == {"held": 4, "multiplies_per_step": 1 * 3 + 1 * 3 + 3}
    assert data["rtrl"]["cost"]["bptt"] == {"held": 2 * 7 + 1, "multiplies_per_step": 1 + 1 + 3}


def test_samples_json_and_table(tmp_path, capsys):
    path = tmp_path / "r.toml"
    path.write_text(with_keys(SCALAR, method="randomized", keep=0.5, seed=3))
    assert main(["trace", str(path), "--samples", "400", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["samples"] == 400 and set(data["gradients"]) == set(PARAMS)
    full = build_tape(parse_scenario(SCALAR))
    for p in PARAMS:
        entry = data["gradients"][p]
        assert set(entry) == {"mean", "stderr", "full"}
        assert entry["full"] == pytest.approx(full.gradients[p].total, rel=1e-12)
    assert main(["trace", str(path), "--samples", "400"]) == 0
    table = capsys.readouterr().out
    assert "400 seeds (3 … 402)" in table and "std. error" in table
    plain = tmp_path / "p.toml"
    plain.write_text(SCALAR)
    assert main(["trace", str(plain), "--samples", "4"]) == 2
    assert 'goes with [train] method = "randomized"' in capsys.readouterr().err


def test_markdown_and_latex_show_what_the_method_decided():
    tape = build_tape(parse_scenario(with_keys(SCALAR, method="tbptt", k1=3, k2=5)))
    text = render_markdown(tape)
    assert "## Chunk 2: steps 4 … 6" in text and "before step 2: k2 = 5 steps back from step 6 reach steps 6…2" in text
    assert "\\subsection*{Chunk 3: steps 7 \\dots{} 7}" in render_latex(tape) or "Chunk 3" in render_latex(tape)
    randomized = build_tape(parse_scenario(with_keys(SCALAR, method="randomized", keep=0.5, seed=1)))
    md = render_markdown(randomized)
    assert "weight π^−1 = 2" in md and "stopped the gradient" in md
    clipped = render_markdown(build_tape(parse_scenario(with_keys(SCALAR, clip_norm=0.1))))
    assert "## Clip by norm" in clipped and "turns it by" in clipped


@pytest.mark.parametrize("vector", [False, True])
def test_json_left_out_is_full_bptts_terms_of_the_chunks_targets_summed(vector):
    """Each chunk's ``left_out`` against the top-level (full BPTT, starting weights) terms summed here over
    the chunk's targets and k < reach; ``full`` over every k; the existing chunk fields stay as they were."""
    text = vector_toml(n=2, m=1, q=1, T=7, every_step=True, seed=2) if vector else SCALAR
    data = trace(text, method="tbptt", k1=3, k2=4)
    for chunk in data["chunks"]:
        assert {"chunk", "steps", "reach", "targets", "forward", "loss", "gradients", "excluded", "update"} < set(chunk)
        targets, reach = set(chunk["targets"]), chunk["reach"]
        for p in PARAMS:
            terms = [term for term in data["gradients"][p]["terms"] if term["t"] in targets]
            shape = np.shape(np.array(terms[0]["value"], dtype=float))
            gone = [np.array(term["value"], dtype=float) for term in terms if term.get("k", reach) < reach]
            every = [np.array(term["value"], dtype=float) for term in terms]
            got = chunk["left_out"][p]
            assert got["terms"] == len(gone) and got["full_terms"] == len(every)
            np.testing.assert_allclose(np.array(got["sum"], dtype=float).reshape(shape),
                                       np.sum(gone, axis=0) if gone else np.zeros(shape), rtol=1e-10, atol=1e-14)
            np.testing.assert_allclose(np.array(got["full"], dtype=float).reshape(shape), np.sum(every, axis=0),
                                       rtol=1e-10, atol=1e-14)
            np.testing.assert_allclose(np.array(got["kept"], dtype=float) + np.array(got["sum"], dtype=float),
                                       np.array(got["full"], dtype=float), rtol=1e-10, atol=1e-14)
    assert data["chunks"][1]["left_out"]["w"]["terms"] == 2 + 2 + 2  # t = 4, 5, 6 each leave out k = 1, 2


def test_markdown_latex_and_table_say_how_much_each_chunk_leaves_out(capsys):
    from rnnstep import load_scenario
    from rnnstep.scenario import shipped_scenarios

    tape = build_tape(load_scenario("tbptt-detach"))
    text = render_markdown(tape)
    table = tape.gradients["w"]
    terms = [(int(table.t[i]), int(table.k[i]), float(table.term(i))) for i in range(len(table))]
    import math
    from rnnstep import notation as nt

    gone = nt.fmt(math.fsum(v for t, k, v in terms if t >= 5 and k <= 4))
    kept = nt.fmt(math.fsum(v for t, k, v in terms if t >= 5 and k >= 5))
    every = nt.fmt(math.fsum(v for t, k, v in terms if t >= 5))
    assert gone == "0.198369"  # the try-out's 0.198, added by hand
    line = f"∂L/∂w: all 26 terms {every} = k ≥ 5 (10 terms) {kept} + left out (k < 5, 16 terms) {gone}"
    assert f"- {line}\n" in text
    assert "on the starting weights (chunk 2 ran on the weights chunk 1 updated)" in text
    assert "on the same starting weights: the same terms, none left out." in text
    assert f"left out (k < 5, 16 terms) {gone}" in render_latex(tape)
    path = next(p for p in shipped_scenarios() if p.stem == "tbptt-detach")
    assert main(["trace", str(path)]) == 0
    assert f"left out (k < 5, 16 terms) {gone}" in " ".join(capsys.readouterr().out.split())
