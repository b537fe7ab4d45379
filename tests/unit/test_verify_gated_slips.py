"""`rnnstep verify` on a gated cell's gradient claims (SPEC §8): a wrong δ, carry, rest, ∂L/∂O, ∂L/∂a, term or
update is traced like a plain cell's, and where the stated number is what a common slip gives it is named
(slips_gated.py). Every slipped number is worked here, in numpy, from the scenario's weights and the state
rows of tests/gated_reference.py (torch autograd) — never with rnnstep's rules."""

from __future__ import annotations

import numpy as np
import pytest

import rnnstep
from rnnstep.scenario import GATED_SCENARIO_DIR, parse_scenario
from rnnstep.verify import verify

pytest.importorskip("torch")
from gated_reference import loss_rows, states, step_jacobians  # noqa: E402  (needs torch)
from gated_scenarios import gated_toml  # noqa: E402


def sig(a):
    return 1 / (1 + np.exp(-a))


class Worked:
    """A gated scenario worked by hand: every gate, c, and the state rows r(t,k) = ∂ℓ_t/∂s_k (torch)."""

    def __init__(self, text: str) -> None:
        self.text = text
        s = self.s = parse_scenario(text, "<worked>")
        a = s.arrays()
        W, Wp, b, bp, x, h = (np.asarray(a[key], float) for key in ("w", "w_prime", "b", "b_prime", "x", "h0"))
        n = self.n = s.sizes[0]
        c = np.asarray(a["c0"], float) if s.cell == "lstm" else None
        self.lstm = s.cell == "lstm"
        self.g, self.O, self.c, self.ap = {}, {0: h}, {0: c}, {}
        for t in range(1, s.T + 1):
            if self.lstm:
                pre = W @ x[t - 1] + b + Wp @ h + bp
                i, f, g, o = sig(pre[:n]), sig(pre[n:2 * n]), np.tanh(pre[2 * n:3 * n]), sig(pre[3 * n:])
                c = f * c + i * g
                h = o * np.tanh(c)
                self.g[t] = {"i": i, "f": f, "g": g, "o": o}
                self.c[t] = c
            else:
                ax, ah = W @ x[t - 1] + b, Wp @ h + bp
                r, u = sig(ax[:n] + ah[:n]), sig(ax[n:2 * n] + ah[n:2 * n])
                new = np.tanh(ax[2 * n:] + r * ah[2 * n:])
                h = (1 - u) * new + u * h
                self.g[t] = {"r": r, "u": u, "n": new}
                self.ap[t] = ah
            self.O[t] = h
        self.Wp = Wp
        J, rows = step_jacobians(s), loss_rows(s)
        self.rows = {}  # r(t,k): the state row ∂ℓ_t/∂s_k (O part, then the LSTM's c part)
        for t in s.targets:
            r = rows[t] if not self.lstm else np.concatenate((rows[t], np.zeros(n)))
            for k in range(t, 0, -1):
                self.rows[t, k] = r
                r = r @ J[k - 1]
        assert np.allclose(states(s)[-1][:n].numpy(), h)

    def row(self, t: int | None, k: int) -> np.ndarray:
        """r(t,k); t None: the recursive view, Σ over the targets t ≥ k."""
        if t is None:
            return sum(self.rows[tt, k] for tt in self.s.targets if tt >= k)
        return self.rows[t, k]

    def lstm_delta(self, dO, lane, k, into="right", prime=lambda s: s * (1 - s), swap=False):
        """δ's 4n rows at step k from ∂ℓ/∂O_k and the lane's ∂ℓ/∂c_k (through c_{k+1})."""
        G, c, cp = self.g[k], self.c[k], self.c[k - 1]
        th = np.tanh(c)
        into_c = {"right": dO * G["o"] * (1 - th ** 2) + lane, "no o·tanh′": dO + lane,
                  "no lane": dO * G["o"] * (1 - th ** 2)}[into]
        i_row = into_c * (cp if swap else G["g"]) * prime(G["i"])
        f_row = into_c * (G["g"] if swap else cp) * prime(G["f"])
        return np.concatenate((i_row, f_row, into_c * G["i"] * (1 - G["g"] ** 2), dO * th * prime(G["o"])))

    def gru_delta(self, dO, k, recurrent=False, prime=lambda s: s * (1 - s), swap_u=False):
        G, n = self.g[k], self.n
        keep = G["u"] if swap_u else 1 - G["u"]
        into_n = dO * keep * (1 - G["n"] ** 2)
        r_row = into_n * self.ap[k][2 * n:] * prime(G["r"])
        u_row = dO * (self.O[k - 1] - G["n"]) * prime(G["u"]) * (-1 if swap_u else 1)
        return np.concatenate((r_row, u_row, into_n * G["r"] if recurrent else into_n))

    def delta(self, t, k, **slip):
        r = self.row(t, k)
        if self.lstm:
            return self.lstm_delta(r[:self.n], r[self.n:], k, **slip)
        return self.gru_delta(r, k, **slip)

    def carry(self, t, k, **slip):
        """κ(t,k) through ∂c_k/∂a_k (LSTM; o rows 0) or ∂O_k/∂a_k (GRU), κ by its own product (along 1 − u
        and the rows with u for 1 − u: the GRU's swap_u)."""
        up, n = self.rows[t, t][:self.n], self.n
        if self.lstm:
            kappa = up * self.g[t]["o"] * (1 - np.tanh(self.c[t]) ** 2)
            for j in range(t, k, -1):
                kappa = kappa * self.g[j]["f"]
            out = self.lstm_delta(np.zeros(n), kappa, k, **slip)
            out[3 * n:] = 0
            return out
        kappa = up.copy()
        for j in range(t, k, -1):
            kappa = kappa * (1 - self.g[j]["u"] if slip.get("swap_u") else self.g[j]["u"])
        return self.gru_delta(kappa, k, **slip)

    def verified(self, tmp_path, claims: dict[str, float], digits: int = 5):
        lines = [f'"{i}" = "{v:.{digits}g}"' for i, v in claims.items()]
        text = self.text if "[claims]" in self.text else self.text + "\n[claims]\n"
        for i in claims:  # the file's own claim on the same vector makes way
            whole = i[:i.index("]") + 1]
            text = "\n".join(line for line in text.split("\n") if not line.startswith(f'"{whole}" ='))
        path = tmp_path / "claims.toml"
        path.write_text(text.rstrip("\n") + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
        report = verify(rnnstep.build_tape(rnnstep.load_scenario(path)))
        return {r.id: r for r in report.results}


@pytest.fixture(scope="module")
def by_hand():
    return Worked((GATED_SCENARIO_DIR / "lstm-two-steps-by-hand.toml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def gru():
    return Worked((GATED_SCENARIO_DIR / "gru-two-steps.toml").read_text(encoding="utf-8"))


def assert_slip(results, vid: str, name: str):
    r = results[vid]
    assert r.verdict == "slip", (vid, r.verdict, r.stated_text, r.true, r.recomputed)
    assert name in r.likely_slip, (vid, r.likely_slip, r.stated_text, r.recomputed)


def assert_right(results, vid: str):
    r = results[vid]
    assert r.verdict in ("right", "rounding") and not r.likely_slip, (vid, r.verdict, r.stated_text, r.true)


# ------------------------------------------------------------------------------------- the LSTM worked by hand

def test_right_gradient_claims_on_the_worked_lstm_are_accepted(tmp_path, by_hand):
    w = by_hand
    delta21, carry21 = w.delta(2, 1), w.carry(2, 1)
    claims = {f"gradients.w.delta[2,1][{r}]": delta21[r - 1] for r in range(1, 5)}
    claims |= {f"gradients.w.carry[2,1][{r}]": carry21[r - 1] for r in (1, 2, 3)}
    claims |= {f"gradients.w.rest[2,1][{r}]": (delta21 - carry21)[r - 1] for r in range(1, 5)}
    claims |= {f"backward.dL_da[1][{r}]": w.delta(None, 1)[r - 1] for r in range(1, 5)}
    claims |= {"backward.dL_dO[1][1]": w.row(None, 1)[0], "gradients.w_prime.term[2,2][3,1]": w.delta(2, 2)[2] * w.O[1][0]}
    results = w.verified(tmp_path, claims)
    for vid in claims:
        assert_right(results, vid)


@pytest.mark.parametrize("vid, slip, name", [
    ("backward.dL_da[1][1]", dict(into="no o·tanh′"), "o ⊙ tanh′(c) left out"),
    ("backward.dL_da[1][3]", dict(into="no lane"), "the carry lane left out"),
    ("backward.dL_da[2][2]", dict(swap=True), "i and f swapped"),
    ("backward.dL_da[1][1]", dict(prime=lambda s: s), "σ′ taken as σ"),
    ("backward.dL_da[1][4]", dict(prime=lambda s: s), "σ′ taken as σ"),
])
def test_a_slipped_dL_da_of_the_worked_lstm_is_named(tmp_path, by_hand, vid, slip, name):
    r = int(vid[-2])
    k = int(vid[vid.index("[") + 1])
    stated = by_hand.delta(None, k, **slip)[r - 1]
    assert abs(stated - by_hand.delta(None, k)[r - 1]) > 1e-4  # the slip shows at five digits
    assert_slip(by_hand.verified(tmp_path, {vid: stated}), vid, name)


@pytest.mark.parametrize("k, row, slip, name", [
    (1, 3, dict(into="no o·tanh′"), "o ⊙ tanh′(c) left out"),
    (1, 3, dict(into="no lane"), "the carry lane left out"),
    (1, 1, dict(prime=lambda s: s), "σ′ taken as σ"),
    (2, 1, dict(swap=True), "i and f swapped"),
    (2, 2, dict(swap=True), "i and f swapped"),
])
def test_a_slipped_delta_of_the_worked_lstm_is_named(tmp_path, by_hand, k, row, slip, name):
    vid = f"gradients.w.delta[2,{k}][{row}]"
    assert_named(by_hand, tmp_path, vid, by_hand.delta(2, k, **slip)[row - 1], name)


def assert_named(w: Worked, tmp_path, vid: str, stated: float, name: str, digits: int = 5):
    """One slipped claim, alone in the file (a slip elsewhere would make it follow instead)."""
    assert_slip(w.verified(tmp_path, {vid: stated}, digits), vid, name)


def test_carry_and_rest_slips_of_the_worked_lstm_are_named(tmp_path, by_hand):
    w = by_hand
    delta, carry = w.delta(2, 1), w.carry(2, 1)
    bare = carry / (w.g[2]["o"][0] * (1 - np.tanh(w.c[2][0]) ** 2))  # κ started at ∂ℓ₂/∂O₂ alone
    assert_named(w, tmp_path, "gradients.w.rest[2,1][1]", delta[0], "the carry not taken out")
    assert_named(w, tmp_path, "gradients.b.rest[2,1][3]", delta[2] + carry[2], "the carry added, not taken out")
    assert_named(w, tmp_path, "gradients.w.carry[2,1][4]", delta[3], "the o rows put on the carry")
    assert_named(w, tmp_path, "gradients.w_prime.carry[2,1][3]", bare[2], "o ⊙ tanh′(c) left out")
    assert_named(w, tmp_path, "gradients.w.carry[2,1][1]", w.carry(2, 1, prime=lambda s: s)[0], "σ′ taken as σ")
    assert_named(w, tmp_path, "gradients.b_prime.delta[2,1][1]", delta[0] + carry[0], "the carry added twice")


def test_dL_dO_term_update_and_c_slips_of_the_worked_lstm_are_named(tmp_path, by_hand):
    w = by_hand
    s = w.s
    terms = {(t, k): w.delta(t, k) * w.O[k - 1][0] for t, k in w.rows}  # ∂L/∂W′'s terms (a column)
    G = w.g[2]
    assert_named(w, tmp_path, "backward.dL_dO[1][1]", w.row(None, 1)[0] - w.rows[1, 1][0], "∂ℓ_t/∂O_t left out")
    assert_named(w, tmp_path, "backward.dL_dO[1][1]", w.rows[1, 1][0], "what comes back from step t+1 left out")
    assert_named(w, tmp_path, "gradients.w_prime.term[2,2][2,1]", w.delta(2, 2)[1] * w.O[2][0], "O_k for O_{k−1}")
    assert_named(w, tmp_path, "update.w_prime.new[4,1]", 0.25 + s.learning_rate * sum(terms.values())[3],
                 "the sign of the step")
    assert_named(w, tmp_path, "update.w_prime.new[3,1]", 0.15 - sum(terms.values())[2], "η left out")
    assert_named(w, tmp_path, "forward.c[2][1]", G["i"][0] * w.c[1][0] + G["f"][0] * G["g"][0], "i and f swapped")


# ------------------------------------------------------------------------------------------------ the GRU

def test_right_gradient_claims_on_the_worked_gru_are_accepted(tmp_path, gru):
    d, dh, carry = gru.delta(2, 1), gru.delta(2, 1, recurrent=True), gru.carry(2, 1)
    claims = {f"gradients.w.delta[2,1][{r}]": d[r - 1] for r in (1, 2, 3)}
    claims |= {f"gradients.w_prime.delta[2,1][{r}]": dh[r - 1] for r in (1, 2, 3)}
    claims |= {f"gradients.b.carry[2,1][{r}]": carry[r - 1] for r in (1, 2, 3)}
    claims |= {"backward.dL_dO[1][1]": gru.row(None, 1)[0], "backward.dL_da[1][2]": gru.delta(None, 1)[1]}
    results = gru.verified(tmp_path, claims)
    for vid in claims:
        assert_right(results, vid)


def test_gru_slips_are_named(tmp_path, gru):
    w = gru
    dO2, u2 = w.row(None, 2), w.g[2]["u"]
    dx_for_dh = w.rows[1, 1][0] + dO2[0] * u2[0] + w.delta(None, 2) @ w.Wp[:, 0]  # ∂L/∂a₂ where ∂L/∂ã₂ belongs
    assert_named(w, tmp_path, "backward.dL_da[1][3]", w.delta(None, 1, swap_u=True)[2], "u and 1 − u swapped")
    assert_named(w, tmp_path, "backward.dL_da[2][2]", w.delta(None, 2, swap_u=True)[1], "u and 1 − u swapped")
    assert_named(w, tmp_path, "backward.dL_da[1][1]", w.delta(None, 1, prime=lambda s: s)[0], "σ′ taken as σ")
    assert_named(w, tmp_path, "gradients.w_prime.delta[2,1][3]", w.delta(2, 1)[2], "δₓ for δₕ")
    assert_named(w, tmp_path, "gradients.w.carry[2,1][3]", w.carry(2, 1, swap_u=True)[2], "u and 1 − u swapped")
    assert_named(w, tmp_path, "backward.dL_dO[1][1]", w.row(None, 1)[0] - dO2[0] * u2[0], "the carry lane left out")
    assert_named(w, tmp_path, "backward.dL_dO[1][1]", dx_for_dh, "δₓ for δₕ")
    assert_named(w, tmp_path, "forward.O[1][1]",
                 w.g[1]["u"][0] * w.g[1]["n"][0] + (1 - w.g[1]["u"][0]) * w.O[0][0], "u and 1 − u swapped")


# ------------------------------------------------------------------------------------ random cells, n = 2

@pytest.mark.parametrize("cell, seed", [("lstm", 3), ("lstm", 8), ("gru", 5), ("gru", 11)])
def test_slips_on_random_gated_cells_with_a_target_at_every_step(tmp_path, cell, seed):
    w = Worked(gated_toml(cell, n=2, m=2, q=2, T=4, every_step=True, seed=seed))
    t, k, n = 4, 2, 2
    right = w.delta(t, k)
    claims = {f"gradients.w.delta[{t},{k}][{r}]": right[r - 1] for r in range(1, len(right) + 1)}
    results = w.verified(tmp_path, claims, digits=6)
    for vid in claims:
        assert_right(results, vid)
    if cell == "lstm":
        cases = [(1, dict(into="no o·tanh′"), "o ⊙ tanh′(c) left out"), (6, dict(into="no lane"), "carry lane"),
                 (2, dict(prime=lambda s: s), "σ′ taken as σ"), (3, dict(swap=True), "i and f swapped")]
    else:
        cases = [(5, dict(swap_u=True), "u and 1 − u swapped"), (2, dict(prime=lambda s: s), "σ′ taken as σ"),
                 (4, dict(swap_u=True), "u and 1 − u swapped")]
    checked = 0
    for row, slip, name in cases:
        slipped = w.delta(t, k, **slip)[row - 1]
        if abs(slipped - right[row - 1]) < 1e-5 * max(1.0, abs(right[row - 1])):
            continue  # the slip does not change this number: nothing to see
        checked += 1
        vid = f"gradients.w.delta[{t},{k}][{row}]"
        assert_slip(w.verified(tmp_path, {vid: slipped}, digits=6), vid, name)
    assert checked >= 2
    carry = w.carry(t, k)
    assert_named(w, tmp_path, f"gradients.b.rest[{t},{k}][1]", right[0], "the carry not taken out", digits=6)
    assert abs(carry[0]) > 1e-5


def test_a_claim_with_a_bad_id_or_shape_is_still_one_line(tmp_path, by_hand):
    from rnnstep.scenario_error import ScenarioError

    for bad in ('"gradients.w.carry[3,1][1]" = "0.1"', '"gradients.w.rest[2,1]" = ["0.1"]',
                '"backward.dL_dc[1]" = "0.1"'):
        path = tmp_path / "bad.toml"
        path.write_text(by_hand.text.rstrip("\n") + "\n" + bad + "\n", encoding="utf-8")
        with pytest.raises(ScenarioError) as caught:
            rnnstep.load_scenario(path)
        assert "\n" not in str(caught.value).strip(), str(caught.value)


def test_a_delta_worked_from_a_slipped_later_delta_follows_from_it(tmp_path, by_hand):
    """δ(2,1) worked from a stated δ(2,2) whose i row has i and f swapped: ∂ℓ₂/∂O₁ = Σ_r δ(2,2)[r]·W′[r] is wrong,
    the lane ∂ℓ₂/∂c₂·f₂ is not; every row of δ(2,1) follows from δ(2,2)'s i row, which is the slip."""
    w = by_hand
    slipped = w.delta(2, 2).copy()
    slipped[0] = w.delta(2, 2, swap=True)[0]
    dO = slipped @ w.Wp[:, 0]
    after = w.lstm_delta(np.array([dO]), w.rows[2, 1][1:], 1)
    claims = {f"gradients.w.delta[2,2][{r}]": slipped[r - 1] for r in range(1, 5)}
    claims |= {f"gradients.b.delta[2,1][{r}]": after[r - 1] for r in range(1, 5)}
    results = w.verified(tmp_path, claims)
    assert_slip(results, "gradients.w.delta[2,2][1]", "i and f swapped")
    for r in (1, 3, 4):  # the f row is 0 at k = 1 (c₀ = 0), whatever ∂ℓ/∂c₁ is
        got = results[f"gradients.b.delta[2,1][{r}]"]
        assert got.verdict == "follows" and got.follows_from == ("gradients.w.delta[2,2][1]",), (r, got)


def test_the_named_slip_is_in_every_report_and_user_text_stays_text(tmp_path, by_hand):
    import io
    import json

    from rich.console import Console

    from rnnstep.render.verify import report_json, report_markdown
    from rnnstep.render.verify_table import print_report_table
    from rnnstep.tui.panels.step import claims_text

    w = by_hand
    text = w.text.replace('title = "The two-step LSTM worked by hand"', 'title = "[bold red]LSTM[/] sheet"')
    path = tmp_path / "sheet.toml"
    path.write_text(text.rstrip("\n") + f'\n"gradients.w.rest[2,1][1]" = "{w.delta(2, 1)[0]:.5g}"\n', encoding="utf-8")
    report = verify(rnnstep.build_tape(rnnstep.load_scenario(path)))
    out = io.StringIO()
    print_report_table(report, out, Console(file=out, width=200, color_system=None))
    table = out.getvalue()
    assert "[bold red]LSTM[/] sheet" in table
    assert "likely slip: the carry not taken out (rest = δ)" in table
    claim = next(c for c in json.loads(report_json(report))["claims"] if c["id"] == "gradients.w.rest[2,1][1]")
    assert claim["verdict"] == "slip" and claim["likely_slip"] == "the carry not taken out (rest = δ)"
    assert all("likely_slip" not in c for c in json.loads(report_json(report))["claims"] if c["verdict"] != "slip")
    assert "likely slip: the carry not taken out (rest = δ) |" in report_markdown(report)

    class View:  # what claims_text reads
        cursor, digits = 0, 6
        claims = {0: [r for r in report.results if r.id == "gradients.w.rest[2,1][1]"]}

    shown = claims_text(View()).plain
    assert "\n    likely slip: the carry not taken out (rest = δ)" in shown


@pytest.mark.parametrize("source", ["lstm-two-steps-by-hand", "gru-two-steps", "lstm-forgets", "gru-carry",
                                    ("lstm", 2), ("gru", 4), ("lstm", 6), ("gru", 7)])
def test_every_gated_backward_entry_is_worked_out_by_its_rules_from_the_tapes_inputs(source):
    """With nothing stated, the author's tape works every gradient entry out by the local rules alone, down from
    the weights: each must be the tape's (every target, or one; h0, c0, softmax, bce; truncation and clip)."""
    from rnnstep.author_tape import AuthorTape
    from rnnstep.rules import parsed_id

    if isinstance(source, tuple):
        cell, seed = source
        heads = [("identity", "half_squared"), ("softmax", "cross_entropy"), ("sigmoid", "bce"), ("tanh", "squared")]
        scenario = parse_scenario(gated_toml(cell, n=2, m=2, q=2, T=4, every_step=seed % 3 != 1, seed=seed,
                                             head=heads[seed % 4], truncate=2 if seed == 6 else None,
                                             clip=0.05 if seed == 7 else None), "<random>")
    else:
        scenario = rnnstep.load_scenario(source)
    tape = rnnstep.build_tape(scenario)
    author = AuthorTape(tape, [])
    checked = 0
    for vid in tape.value_ids():
        if vid.startswith("forward.") or ".factor[" in vid:  # the forward rules: test_verify_gated.py
            continue
        whole = np.asarray(tape.value(parsed_id(vid)), dtype=float)
        for c in np.ndindex(whole.shape):
            entry = vid + ("[" + ",".join(str(x + 1) for x in c) + "]" if c else "")
            got = author.values(entry)
            assert got, entry
            assert got[0].value == pytest.approx(float(whole[c]), rel=1e-9, abs=1e-13), (entry, got[0].formula)
            checked += 1
    assert checked > 10 * tape.T


def test_term_slips_are_named(tmp_path, by_hand, gru):
    w = by_hand
    x1 = np.array([1.0, 2.0])  # the file's x₁
    assert_named(w, tmp_path, "gradients.w.term[2,1][1,2]", (w.delta(2, 1)[0] + w.carry(2, 1)[0]) * x1[1],
                 "the carry added twice")
    assert_named(w, tmp_path, "gradients.w.term[2,1][3,2]", w.carry(2, 1)[2] * x1[1], "the carry share alone")
    assert_named(gru, tmp_path, "gradients.b.term[2,1][2]", gru.carry(2, 1)[1], "the carry share alone")


def test_a_wrong_stacked_pre_activation_is_a_plain_slip(tmp_path, by_hand):
    """forward.a[1][3] is a row of the stacked 4n (n = 1): no slip is named for it, and naming none must not fail."""
    results = by_hand.verified(tmp_path, {"forward.a[1][3]": 1.3 * (0.45 + 0.25 * 2 + 0.2)})
    assert results["forward.a[1][3]"].verdict == "slip" and not results["forward.a[1][3]"].likely_slip


@pytest.mark.parametrize("seed", range(6))
def test_a_number_off_by_a_factor_among_right_claims_is_a_slip_with_no_name(tmp_path, seed):
    """Random cells, random claims on every kind of entry stated to 6 digits, one of them ×1.3: it alone is a slip,
    and no named slip's formula happens to give it."""
    import random

    from rnnstep.rules import parsed_id

    rnd = random.Random(seed)
    cell = ("lstm", "gru")[seed % 2]
    text = gated_toml(cell, n=1 + seed % 2, m=2, q=2, T=3, every_step=seed < 4, seed=seed)
    tape = rnnstep.build_tape(parse_scenario(text, "<random>"))
    entries = []
    for vid in tape.value_ids():
        if vid.startswith(("outputs", "loss")) or ".factor[" in vid:
            continue
        whole = np.asarray(tape.value(parsed_id(vid)), dtype=float)
        entries += [(vid + "[" + ",".join(str(x + 1) for x in c) + "]", float(whole[c])) for c in np.ndindex(whole.shape)]
    chosen = dict(rnd.sample(entries, 40))
    wrong = rnd.choice([i for i, v in chosen.items() if abs(v) > 1e-3])
    chosen[wrong] *= 1.3
    w = Worked.__new__(Worked)
    w.text = text
    results = w.verified(tmp_path, chosen, digits=6)
    assert results[wrong].verdict == "slip" and not results[wrong].likely_slip, results[wrong]
    assert all(r.verdict == "right" for i, r in results.items() if i != wrong), \
        [(i, r.verdict) for i, r in results.items() if r.verdict != "right"]
