"""Load and validate a TOML scenario (SPEC §4) into a frozen ``Scenario``.

Every mistake a user can make in a file is a ``ScenarioError`` whose text is one
line naming the file, the key (with its table) and what was expected. Loading
only parses TOML: nothing in the file is ever executed.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Callable

from . import ids
from .model import ACTIVATIONS, LOSSES

DEFAULT_NAME = "notes-four-steps"
SCENARIO_DIR = Path(__file__).parent / "scenarios"


class ScenarioError(ValueError):
    """A scenario that cannot be used; ``str()`` is the one-line message for the user."""

    def __init__(self, source: str, key: str | None, message: str):
        self.source, self.key, self.message = source, key, message
        super().__init__(f"{source}: {key}: {message}" if key else f"{source}: {message}")


@dataclass(frozen=True)
class Note:
    at: str
    text: str


@dataclass(frozen=True)
class Claim:
    """A number stated by a worked example: ``text`` keeps its printed digits."""

    id: str
    value: float
    text: str


@dataclass(frozen=True)
class Scenario:
    w: float
    w_prime: float
    b: float
    x: tuple[float, ...]
    y: float | tuple[float, ...]
    w_out: float = 1.0
    b_out: float = 0.0
    title: str = ""
    description: str = ""
    activation: str = "tanh"
    h0: float = 0.0
    leaky_slope: float = 0.01
    output_activation: str = "identity"
    loss: str = "half_squared"
    learning_rate: float = 0.1
    truncate: int | None = None
    clip: float | None = None
    breakpoints: tuple[str, ...] = ()
    notes: tuple[Note, ...] = ()
    claims: tuple[Claim, ...] = ()
    source: str = field(default="<scenario>", compare=False)

    @property
    def T(self) -> int:
        return len(self.x)

    @property
    def target_at_every_step(self) -> bool:
        return isinstance(self.y, tuple)

    @property
    def targets(self) -> tuple[int, ...]:
        """The steps t that carry a loss: (T,) or (1, …, T)."""
        return tuple(range(1, self.T + 1)) if self.target_at_every_step else (self.T,)

    @property
    def name(self) -> str:
        return self.title or Path(self.source).stem

    def weights(self) -> dict[str, float]:
        return {p: getattr(self, p) for p in ids.PARAMS}

    def with_weights(self, **weights: float) -> "Scenario":
        return replace(self, **weights)

    def to_dict(self) -> dict[str, Any]:
        """The normalised scenario, as the JSON trace shows it."""
        data = asdict(self)
        data.pop("source")
        data["x"] = list(self.x)
        data["y"] = list(self.y) if self.target_at_every_step else self.y
        data["breakpoints"] = list(self.breakpoints)
        data["claims"] = {c.id: c.text for c in self.claims}
        data["T"] = self.T
        return data


# ----------------------------------------------------------------------------- reading

def load_scenario(source: str | Path) -> Scenario:
    """A scenario from a path, or from TOML text (a ``str`` with a newline or ``=``)."""
    if isinstance(source, str) and ("\n" in source or "=" in source):
        return parse_scenario(source, "<text>")
    return load_scenario_file(Path(source))


def load_scenario_file(path: Path) -> Scenario:
    name = str(path)
    if not path.exists():
        shipped = SCENARIO_DIR / f"{path.name}.toml"
        if path.parent == Path(".") and path.suffix == "" and shipped.is_file():
            return load_scenario_file(shipped)  # a shipped scenario by name
        raise ScenarioError(name, None, "no such file")
    if path.is_dir():
        raise ScenarioError(name, None, "is a directory, expected a .toml scenario file")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ScenarioError(name, None, f"cannot read: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(name, None, f"not UTF-8 text (bad byte at offset {exc.start})") from None
    return parse_scenario(text, name)


def default_scenario() -> Scenario:
    """The built-in default: the lecture notes' four steps."""
    return load_scenario_file(SCENARIO_DIR / f"{DEFAULT_NAME}.toml")


def shipped_scenarios() -> list[Path]:
    return sorted(SCENARIO_DIR.glob("*.toml"))


# ----------------------------------------------------------------------------- validating

def _nearest(word: str, choices: tuple[str, ...]) -> str | None:
    import difflib  # only on an error: keeps start-up fast

    guess = difflib.get_close_matches(word, choices, n=1, cutoff=0.5)
    return guess[0] if guess else None


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, str):
        shown = value if len(value) <= 30 else value[:27] + "…"
        return f"the string {shown!r}"
    if isinstance(value, (int, float)):
        return f"{value!r}"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return f"a {type(value).__name__}"


class _Reader:
    """Reads keys out of the parsed TOML, naming file and key in every error."""

    def __init__(self, source: str):
        self.source = source

    def fail(self, key: str, message: str) -> ScenarioError:
        return ScenarioError(self.source, key, message)

    def table(self, data: dict, name: str, allowed: tuple[str, ...]) -> dict:
        value = data.get(name, {})
        if not isinstance(value, dict):
            raise self.fail(name, f"expected a table [{name}], found {_describe(value)}")
        self.no_unknown(value, allowed, prefix=f"{name}.")
        return value

    def no_unknown(self, table: dict, allowed: tuple[str, ...], prefix: str = "") -> None:
        for key in table:
            if key not in allowed:
                guess = _nearest(key, allowed)
                hint = f"; did you mean `{guess}`?" if guess else f" (known keys: {', '.join(allowed)})"
                raise self.fail(f"{prefix}{key}", f"unknown key{hint}")

    def number(self, table: dict, key: str, where: str, default: float | None = None,
               check: Callable[[float], bool] | None = None, expected: str = "a finite number") -> float:
        if key not in table:
            if default is None:
                raise self.fail(where, f"missing; expected {expected}")
            return default
        value = table[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(where, f"expected {expected}, found {_describe(value)}")
        value = float(value)
        if not math.isfinite(value) or (check is not None and not check(value)):
            raise self.fail(where, f"expected {expected}, found {value!r}")
        return value

    def string(self, table: dict, key: str, where: str, default: str,
               choices: tuple[str, ...] | None = None) -> str:
        value = table.get(key, default)
        if not isinstance(value, str):
            raise self.fail(where, f"expected a string, found {_describe(value)}")
        if choices is not None and value not in choices:
            guess = _nearest(value, choices)
            hint = f"; did you mean {guess!r}?" if guess else ""
            raise self.fail(where, f"expected one of {', '.join(choices)}, found {value!r}{hint}")
        return value

    def numbers(self, value: Any, where: str) -> tuple[float, ...]:
        if not isinstance(value, list):
            raise self.fail(where, f"expected an array of numbers, found {_describe(value)}")
        out = []
        for i, item in enumerate(value):
            out.append(self.number({"v": item}, "v", f"{where}[{i}]"))
        return tuple(out)


_TOP = ("title", "description", "rnn", "output", "weights", "data", "train", "breakpoints", "notes", "claims")
_RNN = ("activation", "h0", "leaky_slope")
_OUTPUT = ("activation", "loss")
_WEIGHTS = ("w", "w_prime", "b", "w_out", "b_out")
_DATA = ("x", "y")
_TRAIN = ("learning_rate", "truncate", "clip", "breakpoints")


def parse_scenario(text: str, source: str = "<text>") -> Scenario:
    """Validate TOML text as a scenario; ``source`` names it in errors."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(source, None, f"TOML syntax error: {exc}") from None
    r = _Reader(source)
    r.no_unknown(data, _TOP)
    title = r.string(data, "title", "title", "")
    description = r.string(data, "description", "description", "")

    rnn = r.table(data, "rnn", _RNN)
    activation = r.string(rnn, "activation", "rnn.activation", "tanh", ACTIVATIONS)
    h0 = r.number(rnn, "h0", "rnn.h0", 0.0)
    leaky_slope = r.number(rnn, "leaky_slope", "rnn.leaky_slope", 0.01)

    output = r.table(data, "output", _OUTPUT)
    output_activation = r.string(output, "activation", "output.activation", "identity", ACTIVATIONS)
    loss = r.string(output, "loss", "output.loss", "half_squared", LOSSES)
    if loss == "bce" and output_activation != "sigmoid":
        raise r.fail("output.loss", f"bce needs output.activation = \"sigmoid\", found {output_activation!r}")

    weights_table = r.table(data, "weights", _WEIGHTS)
    if "weights" not in data:
        raise r.fail("weights", "missing; expected a [weights] table with w, w_prime and b")
    weights = {
        key: r.number(weights_table, key, f"weights.{key}", {"w_out": 1.0, "b_out": 0.0}.get(key))
        for key in _WEIGHTS
    }

    data_table = r.table(data, "data", _DATA)
    if "data" not in data:
        raise r.fail("data", "missing; expected a [data] table with x and y")
    if "x" not in data_table:
        raise r.fail("data.x", "missing; expected an array of at least one number")
    x = r.numbers(data_table["x"], "data.x")
    if not x:
        raise r.fail("data.x", "expected at least one number, found an empty array")
    if "y" not in data_table:
        raise r.fail("data.y", f"missing; expected a number or an array of {len(x)} numbers")
    raw_y = data_table["y"]
    y: float | tuple[float, ...]
    if isinstance(raw_y, list):
        y = r.numbers(raw_y, "data.y")
        if len(y) != len(x):
            raise r.fail("data.y", f"expected {len(x)} numbers (one per x), found {len(y)}")
    else:
        y = r.number(data_table, "y", "data.y", expected=f"a number or an array of {len(x)} numbers")
    if loss == "bce":
        for i, value in enumerate(y if isinstance(y, tuple) else (y,)):
            if not 0.0 <= value <= 1.0:
                where = f"data.y[{i}]" if isinstance(y, tuple) else "data.y"
                raise r.fail(where, f"bce needs 0 ≤ y ≤ 1, found {value!r}")

    train = r.table(data, "train", _TRAIN)
    learning_rate = r.number(train, "learning_rate", "train.learning_rate", 0.1,
                             lambda v: v >= 0, "a finite number ≥ 0")
    truncate = None
    if "truncate" in train:
        value = train["truncate"]
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise r.fail("train.truncate", f"expected a whole number ≥ 1, found {_describe(value)}")
        truncate = value
    clip = None
    if "clip" in train:
        clip = r.number(train, "clip", "train.clip", check=lambda v: v > 0, expected="a finite number > 0")

    scenario = Scenario(
        title=title, description=description, activation=activation, h0=h0, leaky_slope=leaky_slope,
        output_activation=output_activation, loss=loss, x=x, y=y, learning_rate=learning_rate,
        truncate=truncate, clip=clip, source=source, **weights,
    )
    T, targets = scenario.T, scenario.targets
    breakpoints = _breakpoints(r, data, train, T, targets)
    notes = _notes(r, data, T, targets)
    claims = _claims(r, data, T, targets)
    return replace(scenario, breakpoints=breakpoints, notes=notes, claims=claims)


def _step_id(r: _Reader, value: Any, where: str, T: int, targets: tuple[int, ...],
             phases: bool) -> str:
    if not isinstance(value, str):
        raise r.fail(where, f"expected a step id string, found {_describe(value)}")
    if phases and ids.is_phase(value):
        return value
    try:
        vid = ids.parse_id(value)
        ids.check_id(vid, T, targets)
    except ids.IdError as exc:
        also = f"; or a phase: {', '.join(ids.PHASES)}" if phases else ""
        raise r.fail(where, f"{exc}{also}") from None
    return str(vid)


def _breakpoints(r: _Reader, data: dict, train: dict, T: int, targets: tuple[int, ...]) -> tuple[str, ...]:
    if "breakpoints" in data and "breakpoints" in train:
        raise r.fail("train.breakpoints", "given twice (also at the top level); keep one")
    where = "breakpoints" if "breakpoints" in data else "train.breakpoints"
    raw = data.get("breakpoints", train.get("breakpoints", []))
    if not isinstance(raw, list):
        raise r.fail(where, f"expected an array of step ids or phases, found {_describe(raw)}")
    return tuple(_step_id(r, item, f"{where}[{i}]", T, targets, phases=True) for i, item in enumerate(raw))


def _notes(r: _Reader, data: dict, T: int, targets: tuple[int, ...]) -> tuple[Note, ...]:
    raw = data.get("notes", [])
    if not isinstance(raw, list) or not all(isinstance(n, dict) for n in raw):
        raise r.fail("notes", "expected [[notes]] tables, each with `at` and `text`")
    notes = []
    for i, table in enumerate(raw):
        r.no_unknown(table, ("at", "text"), prefix=f"notes[{i}].")
        if "at" not in table:
            raise r.fail(f"notes[{i}].at", "missing; expected a step id such as \"forward.O[2]\"")
        if "text" not in table:
            raise r.fail(f"notes[{i}].text", "missing; expected the note's text")
        at = _step_id(r, table["at"], f"notes[{i}].at", T, targets, phases=True)
        text = r.string(table, "text", f"notes[{i}].text", "")
        notes.append(Note(at, text))
    return tuple(notes)


def _claims(r: _Reader, data: dict, T: int, targets: tuple[int, ...]) -> tuple[Claim, ...]:
    raw = data.get("claims", {})
    if not isinstance(raw, dict):
        raise r.fail("claims", f"expected a [claims] table of id = \"number\", found {_describe(raw)}")
    claims = []
    for key, value in raw.items():
        where = f"claims.{key}" if "." not in key else f'claims."{key}"'
        canonical = _step_id(r, key, where, T, targets, phases=False)
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise r.fail(where, f"expected a number or a number written as a string, found {_describe(value)}")
        text = value.strip() if isinstance(value, str) else repr(float(value))
        try:
            number = float(text.replace("−", "-"))
        except ValueError:
            raise r.fail(where, f"expected a number, found {_describe(value)}") from None
        if not math.isfinite(number):
            raise r.fail(where, f"expected a finite number, found {text!r}")
        claims.append(Claim(canonical, number, text))
    return tuple(claims)
