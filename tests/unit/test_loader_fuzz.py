"""Random and malformed arrays, types and nesting fed to the loader (issue 20): every outcome is a
Scenario or a ScenarioError of one line naming the file — never another exception — and a scenario
that loads builds a tape."""

import json
import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rnnstep import ScenarioError, build_tape
from rnnstep.scenario import parse_scenario


def _float_text(f: float) -> str:
    if math.isnan(f):
        return "nan"
    if math.isinf(f):
        return "inf" if f > 0 else "-inf"
    return repr(f)


# a TOML value as text: numbers (huge integers, tiny and huge floats), strings (full-width digits,
# markup, escapes), booleans, dates, inline tables, and arrays of any of these nested a few levels deep
scalars = st.one_of(
    st.integers(-10**20, 10**20).map(str),
    st.sampled_from(["1" + "0" * 400, "-1" + "0" * 400, "1e-400", "5e-324", "1e308", "1.7976931348623157e308",
                     "0x10", "1_000", "+0.5", "-0.0"]),
    st.floats(allow_nan=True, allow_infinity=True).map(_float_text),
    st.floats(-3, 3).map(_float_text),
    st.booleans().map(lambda b: str(b).lower()),
    st.text(max_size=10).map(lambda s: json.dumps(s)),
    st.sampled_from(['"０.５"', '"0_5"', '"1e-400"', '"[/]"', '"forward.O[1]"', '"  0.5 "', '""', "1979-05-27",
                     "{ a = 1 }", "{}"]),
)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4).map(lambda xs: "[" + ", ".join(xs) + "]"),
                      max_leaves=12)
shaped = st.one_of(  # well-formed shapes with a bad entry here and there: reach the shape checks, not just types
    st.lists(st.lists(st.one_of(st.floats(-2, 2).map(_float_text), scalars), min_size=1, max_size=3),
             min_size=1, max_size=3).map(lambda rows: "[" + ", ".join("[" + ", ".join(r) + "]" for r in rows) + "]"),
    st.lists(st.floats(-2, 2).map(_float_text), min_size=1, max_size=4).map(lambda xs: "[" + ", ".join(xs) + "]"),
)
deep = st.integers(1, 3000).map(lambda d: "[" * d + "1.0" + "]" * d)
any_value = st.one_of(values, shaped, shaped, shaped, deep)

KEYS = {"weights": ["w", "w_prime", "b", "w_out", "b_out"], "rnn": ["h0", "hidden_size", "activation", "leaky_slope"],
        "data": ["x", "y"], "train": ["learning_rate", "truncate", "clip", "breakpoints"],
        "output": ["activation", "loss"]}
BASES = {
    "scalar": {"weights": {"w": "0.5", "w_prime": "-0.3", "b": "0.1"}, "data": {"x": "[1.0, 0.5]", "y": "0.2"}},
    "vector": {"weights": {"w": "[[0.5], [0.1]]", "w_prime": "[[-0.3, 0.1], [0.2, 0.1]]", "b": "[0.1, 0.0]"},
               "data": {"x": "[1.0, 0.5]", "y": "0.2"}},
}
CLAIM_IDS = ["forward.O[1]", "forward.O[ 1 ]", "forward.O[１]", "loss", "gradients.w.total", "gradients.w.total[1,1]",
             "outputs.yhat[2]", "forward.O[1][2]"]


def toml_text(base: str, edits: list, claims: list) -> str:
    tables = {name: dict(keys) for name, keys in BASES[base].items()}
    for table, key, value in edits:
        tables.setdefault(table, {})[key] = value
    lines = []
    for name, keys in tables.items():
        lines.append(f"[{name}]")
        lines += [f"{key} = {value}" for key, value in keys.items()]
    if claims:
        lines.append("[claims]")
        lines += [f"{json.dumps(cid)} = {value}" for cid, value in dict(claims).items()]
    return "\n".join(lines) + "\n"


NAMES = st.sampled_from(['"tanh"', '"sigmoid"', '"relu"', '"identity"', '"softmax"', '"half_squared"', '"squared"',
                         '"bce"', '"cross_entropy"'])


def _value_for(table: str, key: str):
    if key in ("activation", "loss"):  # mostly a real name, so the file gets as far as its arrays
        return st.one_of(NAMES, NAMES, NAMES, any_value)
    if key in ("hidden_size", "truncate"):
        return st.one_of(st.integers(-2, 4).map(str), any_value)
    return any_value


edits = st.lists(st.sampled_from(sorted((t, k) for t, ks in KEYS.items() for k in ks)).flatmap(
    lambda tk: _value_for(*tk).map(lambda v: (tk[0], tk[1], v))), max_size=4)
claim_values = st.one_of(st.floats(-2, 2).map(lambda f: json.dumps(repr(f))), any_value)
claims = st.one_of(st.just([]), st.lists(st.tuples(st.sampled_from(CLAIM_IDS), claim_values), max_size=2))


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(BASES)), edits, claims)
def test_malformed_arrays_types_and_nesting_give_a_scenario_or_one_clean_line(base, edits, claims):
    text = toml_text(base, edits, claims)
    try:
        scenario = parse_scenario(text, "fuzz.toml")
    except ScenarioError as exc:
        message = str(exc)
        assert message.startswith("fuzz.toml: ") and "\n" not in message and len(message) < 2000, message
        return
    if scenario.T * max(scenario.sizes) <= 64:  # what loads must also run (softmax over one output did not)
        build_tape(scenario)
