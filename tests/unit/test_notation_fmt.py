"""notation.fmt, the one text every printed number goes through, against its definition."""

import math

from hypothesis import given
from hypothesis import strategies as st

from rnnstep import notation as nt


def defined(x: float, digits: int) -> str:
    """The definition, spelt out: significant digits, non-finite by name, never -0."""
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    rounded = float(f"{x:.{digits - 1}e}")  # digits significant digits
    if rounded == 0:
        return "0"
    text = f"{x:.{digits}g}"
    assert float(text) == rounded
    return text


@given(st.floats(allow_nan=True, allow_infinity=True), st.integers(1, 17))
def test_fmt_is_its_definition_for_every_float(x, digits):
    assert nt.fmt(x, digits) == defined(x, digits)


def test_signed_zero_and_negative_nan():
    assert nt.fmt(-0.0) == "0" and nt.fmt(-1e-400) == "0"
    assert nt.fmt(-math.nan) == "nan" and nt.fmt(float("-inf")) == "-inf"
