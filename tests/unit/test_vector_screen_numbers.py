"""The vector screen check itself (tests/vector_screen_numbers.py): its sorted-array lookup accepts
exactly the spellings a brute-force set of every value's every rounding holds, so a cut number
(-0.13 for -0.137632) fails the tmux test unless some other tape value rounds to it."""

from __future__ import annotations

import numpy as np

import rnnstep
from rnnstep.numbers import fit
from rnnstep.scenario import shipped_vector_scenarios

from vector_screen_numbers import TapeNumbers, short_exponent, spellings


def test_the_lookup_agrees_with_every_spelling_of_every_value():
    path = next(p for p in shipped_vector_scenarios() if p.stem == "hello-char-rnn")
    tape = rnnstep.build_tape(rnnstep.load_scenario(path))
    numbers = TapeNumbers(tape)
    brute = set().union(*(spellings(float(v)) for v in numbers.values)) | numbers.written
    candidates = set()
    for v in numbers.values:
        whole = f"{v:.6g}"
        candidates |= {whole[:i] for i in range(2, len(whole))}  # every cut
        candidates |= {f"{v * 1.01:.3g}", f"{-v:.4g}", f"{v:.7g}"}  # near misses
    candidates = {c for c in candidates if c not in ("-", "-0", "0", "-0.", "0.") and not c.endswith("e")}
    disagree = [c for c in candidates if (c in numbers) != (c in brute)]
    assert not disagree
    assert any(c not in numbers for c in candidates)  # cuts exist that no value rounds to
    # δ[1,1] of ∂L/∂W (min-char-rnn's first term), whole and rounded
    assert "-0.14" in numbers and "-0.137632" in numbers


def test_the_short_exponent_spelling_is_the_formatters():
    """The test's own spelling of the compact form agrees with numbers.fit wherever fit picks it."""
    rng = np.random.default_rng(0)
    for v in rng.normal(size=300) * 10.0 ** rng.integers(-9, 9, size=300):
        for width in range(3, 10):
            text = fit(float(v), 6, width, compact=True)
            if text is not None:
                assert text in spellings(float(v)), (v, width, text)
    assert short_exponent(-7.2539e-4, 3) == "-7.25e-4" and short_exponent(31000.0, 2) == "3.1e4"
