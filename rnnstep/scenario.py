"""Load and validate a TOML scenario (SPEC §4) into a frozen ``Scenario``.

Every mistake a user can make in a file is a ``ScenarioError`` whose text is one
line naming the file, the key (with its table) and what was expected. Loading
only parses TOML: nothing in the file is ever executed.
"""

from __future__ import annotations

import functools
import math
import tomllib
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Callable

import numpy as np

from . import ids, shapes
from .methods.keys import KEYS as METHOD_KEYS, check_sizes, read_method_keys
from .model import ACTIVATIONS, LOSSES, OUTPUT_ACTIVATIONS
from .scenario_error import ScenarioError, describe as _describe
from .user_files import PathProblem, name_problem, os_problem, read_user_file, typed_path

DEFAULT_NAME = "notes-four-steps"
SCENARIO_DIR = Path(__file__).parent / "scenarios"
#: hidden-vector scenarios (SPEC §7), kept apart until every view shows vectors
VECTOR_SCENARIO_DIR = SCENARIO_DIR / "vector"
#: LSTM and GRU scenarios (SPEC §8)
GATED_SCENARIO_DIR = SCENARIO_DIR / "gated"


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
    whole: str = ""  # the whole vector or matrix a claim of all its entries stated (SPEC §7); else ""


@dataclass(frozen=True)
class Scenario:
    """A scenario file, validated. In a vector scenario (SPEC §7, ``shape`` set) the
    weights, h0, x and y are nested tuples: matrices as rows, x as T rows of m, y as
    q numbers (a target at the last step) or T rows of q (a target at every step)."""

    w: Any
    w_prime: Any
    b: Any
    x: tuple
    y: Any
    w_out: Any = 1.0
    b_out: Any = 0.0
    title: str = ""
    description: str = ""
    activation: str = "tanh"
    h0: Any = 0.0
    leaky_slope: float = 0.01
    output_activation: str = "identity"
    loss: str = "half_squared"
    learning_rate: float = 0.1
    truncate: int | None = None
    clip: float | None = None
    # SPEC §9, rnnstep/methods/: how the gradient is taken through time, and clip by norm
    method: str = "bptt"
    k1: int | None = None
    k2: int | None = None
    keep: float | None = None
    seed: int | None = None
    clip_norm: float | None = None
    breakpoints: tuple[str, ...] = ()  # step ids, phases, and conditions ("when |term| < 1e-6")
    notes: tuple[Note, ...] = ()
    claims: tuple[Claim, ...] = ()
    watches: tuple[str, ...] = ()  # value ids pinned to the debugger's watch line ([train] watch)
    source: str = field(default="<scenario>", compare=False)
    #: (n, m, q) for a vector scenario (SPEC §7); None for the notes' plain numbers
    shape: tuple[int, int, int] | None = None
    #: the recurrent cell (SPEC §8): "rnn", "lstm" or "gru"; a gated cell also has b_prime (and c0, LSTM)
    cell: str = "rnn"
    b_prime: Any = None
    c0: Any = None

    @property
    def T(self) -> int:
        return len(self.x)

    @property
    def is_vector(self) -> bool:
        return self.shape is not None

    @property
    def sizes(self) -> tuple[int, int, int]:
        """(n, m, q): hidden, input and output sizes; (1, 1, 1) for plain numbers."""
        return self.shape or (1, 1, 1)

    @property
    def target_at_every_step(self) -> bool:
        if self.is_vector:
            return isinstance(self.y[0], tuple)
        return isinstance(self.y, tuple)

    @functools.cached_property  # asked for per value by verify: made once, not T numbers each time
    def targets(self) -> tuple[int, ...]:
        """The steps t that carry a loss: (T,) or (1, …, T)."""
        return tuple(range(1, self.T + 1)) if self.target_at_every_step else (self.T,)

    @property
    def name(self) -> str:
        return self.title or Path(self.source).stem

    def weights(self) -> dict[str, Any]:
        if self.cell != "rnn":
            return {p: getattr(self, p) for p in ("w_prime", "w", "b", "b_prime", "w_out", "b_out")}
        return {p: getattr(self, p) for p in ids.PARAMS}

    def with_weights(self, **weights: Any) -> "Scenario":
        """The same scenario with other weights (numpy arrays welcome in a vector scenario)."""
        if self.is_vector:
            weights = {k: _frozen(v) for k, v in weights.items()}
        return replace(self, **weights)

    def arrays(self) -> dict[str, np.ndarray]:
        """The model's arrays in SPEC §7 shapes, for any scenario (plain numbers are 1×1):
        w n×m, w_prime n×n, b n, w_out q×n, b_out q, h0 n, x T×m, y (targets)×q."""
        if self.cell != "rnn":  # SPEC §8: stacked gates, b′ and (LSTM) c0
            y = self.y if self.target_at_every_step else (self.y,)
            n = self.sizes[0]
            return {"w": _np(self.w), "w_prime": _np(self.w_prime), "b": _np(self.b), "b_prime": _np(self.b_prime),
                    "w_out": _np(self.w_out), "b_out": _np(self.b_out), "h0": _np(self.h0),
                    "c0": _np(self.c0) if self.c0 is not None else np.zeros(n), "x": _np(self.x), "y": _np(y)}
        if self.is_vector:
            y = self.y if self.target_at_every_step else (self.y,)
            return {"w": _np(self.w), "w_prime": _np(self.w_prime), "b": _np(self.b), "w_out": _np(self.w_out),
                    "b_out": _np(self.b_out), "h0": _np(self.h0), "x": _np(self.x), "y": _np(y)}
        y = self.y if self.target_at_every_step else (self.y,)
        return {"w": _np([[self.w]]), "w_prime": _np([[self.w_prime]]), "b": _np([self.b]),
                "w_out": _np([[self.w_out]]), "b_out": _np([self.b_out]), "h0": _np([self.h0]),
                "x": _np(self.x).reshape(-1, 1), "y": _np(y).reshape(-1, 1)}

    def to_dict(self) -> dict[str, Any]:
        """The normalised scenario, as the JSON trace shows it."""
        data = asdict(self)
        data.pop("source")
        data.pop("shape")
        if self.cell == "rnn":  # the plain cell's JSON stays exactly as it was
            for key in ("cell", "b_prime", "c0"):
                data.pop(key)
        else:
            data.pop("activation")
            if self.cell != "lstm":
                data.pop("c0")
        if self.is_vector:
            data = {k: _listed(v) if k in _ARRAY_FIELDS else v for k, v in data.items()}
            data["n"], data["m"], data["q"] = self.sizes
            data["hidden_size"] = self.sizes[0]
        else:
            data["x"] = list(self.x)
            data["y"] = list(self.y) if self.target_at_every_step else self.y
        data["breakpoints"] = list(self.breakpoints)
        if self.watches:
            data["watches"] = list(self.watches)
        else:
            data.pop("watches")
        data["claims"] = {c.id: c.text for c in self.claims}
        data["T"] = self.T
        return data

    def to_toml(self) -> str:
        """The scenario as a TOML file that loads back to an equal scenario."""
        from .scenario_toml import scenario_toml  # only when writing

        return scenario_toml(self)


_ARRAY_FIELDS = ("w", "w_prime", "b", "w_out", "b_out", "h0", "x", "y", "b_prime", "c0")


def _np(value: Any) -> np.ndarray:
    return np.array(value, dtype=np.float64)


def _frozen(value: Any) -> Any:
    """Nested tuples of floats from an array (a frozen scenario stays hashable)."""
    if isinstance(value, (np.ndarray, list, tuple)):
        return tuple(_frozen(v) for v in value)
    return float(value)


def _listed(value: Any) -> Any:
    return [_listed(v) for v in value] if isinstance(value, tuple) else value


# ----------------------------------------------------------------------------- reading

def load_scenario(source: str | Path) -> Scenario:
    """A scenario from a path, or from TOML text (a ``str`` with a newline or ``=``)."""
    if isinstance(source, str) and ("\n" in source or "=" in source):
        return parse_scenario(source, "<text>")
    return load_scenario_file(Path(source))


def load_scenario_file(path: Path) -> Scenario:
    name = str(path)
    _usable_name(path, name)
    if not path.exists():
        for folder in (SCENARIO_DIR, VECTOR_SCENARIO_DIR, GATED_SCENARIO_DIR):
            shipped = folder / f"{path.name}.toml"
            if path.parent == Path(".") and path.suffix == "" and shipped.is_file():
                return load_scenario_file(shipped)  # a shipped scenario by name
        raise ScenarioError(name, None, "no such file")
    if path.is_dir():
        raise ScenarioError(name, None, "is a directory, expected a .toml scenario file")
    try:
        data = read_user_file(path)  # a regular file of at most 4 MiB (user_files.py): never a FIFO or /dev/zero
    except PathProblem as exc:
        raise ScenarioError(name, None, str(exc)) from None
    try:
        text = data.decode("utf-8-sig")  # a byte-order mark (Windows Notepad writes one) is not TOML: drop it
    except UnicodeDecodeError as exc:
        raise ScenarioError(name, None, f"not UTF-8 text (bad byte at offset {exc.start})") from None
    return parse_scenario(text, name)


def _usable_name(path: Path, name: str) -> None:
    """A ScenarioError unless ``path.exists()`` can be asked (a name over 255 bytes or a NUL makes it raise)."""
    problem = name_problem(path)
    if problem:
        raise ScenarioError(name, None, problem)
    try:
        path.exists()
    except OSError as exc:  # a folder on the way that may not be searched
        raise ScenarioError(name, None, f"cannot read: {os_problem(exc)}") from None


def load_typed_scenario(text: str) -> Scenario:
    """A scenario from a path typed by hand (the debugger's open dialog): ``~`` expanded, one-line errors."""
    try:
        path = typed_path(text)
    except PathProblem as exc:
        raise ScenarioError(text, None, str(exc)) from None
    return load_scenario(path)


def default_scenario() -> Scenario:
    """The built-in default: the lecture notes' four steps."""
    return load_scenario_file(SCENARIO_DIR / f"{DEFAULT_NAME}.toml")


def shipped_scenarios() -> list[Path]:
    return sorted(SCENARIO_DIR.glob("*.toml"))


def shipped_gated_scenarios() -> list[Path]:
    """The LSTM and GRU scenarios (SPEC §8); load one by name, e.g. ``lstm-remembers``."""
    return sorted(GATED_SCENARIO_DIR.glob("*.toml"))


def shipped_vector_scenarios() -> list[Path]:
    """The hidden-vector scenarios (SPEC §7); load one by name, e.g. ``hello-char-rnn``."""
    return sorted(VECTOR_SCENARIO_DIR.glob("*.toml"))


# ----------------------------------------------------------------------------- validating

def _nearest(word: str, choices: tuple[str, ...]) -> str | None:
    import difflib  # only on an error: keeps start-up fast

    guess = difflib.get_close_matches(word, choices, n=1, cutoff=0.5)
    return guess[0] if guess else None


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
        if isinstance(value, _Underflowed):
            raise self.fail(where, f"expected {expected}, found {value.text}, too small for a float64 "
                                   "(it would read as 0; the smallest is about 5e-324)")
        try:
            value = float(value)
        except OverflowError:  # w = 1 followed by 400 zeros
            raise self.fail(where, f"expected {expected}, found {_describe(value)}, too large for a float64") from None
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
        for i, item in enumerate(value, start=1):  # indices in messages count from 1, as ids do
            out.append(self.number({"v": item}, "v", f"{where}[{i}]"))
        return tuple(out)


_TOP = ("title", "description", "rnn", "output", "weights", "data", "train", "breakpoints", "notes", "claims")
_RNN = ("activation", "h0", "leaky_slope", "hidden_size", "cell", "c0")
_OUTPUT = ("activation", "loss")
_WEIGHTS = ("w", "w_prime", "b", "w_out", "b_out")
_DATA = ("x", "y")
_TRAIN = ("learning_rate", "truncate", "clip", "breakpoints", "watch", *METHOD_KEYS)


def parse_scenario(text: str, source: str = "<text>") -> Scenario:
    """Validate TOML text as a scenario; ``source`` names it in errors."""
    data = _toml(text, source)
    r = _Reader(source)
    r.no_unknown(data, _TOP)
    title = r.string(data, "title", "title", "")
    description = r.string(data, "description", "description", "")

    rnn = r.table(data, "rnn", _RNN)
    activation = r.string(rnn, "activation", "rnn.activation", "tanh", ACTIVATIONS)
    if not isinstance(rnn.get("h0"), list):
        r.number(rnn, "h0", "rnn.h0", 0.0)  # checked in the notes' order; arrays are SPEC §7's
    leaky_slope = r.number(rnn, "leaky_slope", "rnn.leaky_slope", 0.01)

    output = r.table(data, "output", _OUTPUT)
    output_activation = r.string(output, "activation", "output.activation", "identity", OUTPUT_ACTIVATIONS)
    loss = r.string(output, "loss", "output.loss", "half_squared", LOSSES)
    if loss == "bce" and output_activation != "sigmoid":
        raise r.fail("output.loss", f"bce needs output.activation = \"sigmoid\", found {output_activation!r}")
    if loss == "cross_entropy" and output_activation != "softmax":
        raise r.fail("output.loss", f"cross_entropy needs output.activation = \"softmax\", found {output_activation!r}")

    weights_table = r.table(data, "weights", _WEIGHTS + ("b_prime",))  # b_prime: gated cells (SPEC §8)
    if "weights" not in data:
        raise r.fail("weights", "missing; expected a [weights] table with w, w_prime and b")
    common = dict(title=title, description=description, activation=activation, leaky_slope=leaky_slope,
                  output_activation=output_activation, loss=loss, source=source)
    peek = data.get("data") if isinstance(data.get("data"), dict) else {}
    cell = _cell(r, rnn, weights_table)
    if cell != "rnn":  # SPEC §8: an LSTM or a GRU (stacked gates, b_prime, c0)
        from .shapes_gated import read_gated

        v = read_gated(r, weights_table, rnn, _data_table(r, data), loss, cell)
        scenario = Scenario(w=v.w, w_prime=v.w_prime, b=v.b, w_out=v.w_out, b_out=v.b_out, h0=v.h0, x=v.x, y=v.y,
                            shape=(v.n, v.m, v.q), cell=cell, b_prime=v.b_prime, c0=v.c0, **common)
    elif shapes.is_vector_file(weights_table, rnn, peek):
        v = shapes.read_vector(r, weights_table, rnn, _data_table(r, data), loss)
        scenario = Scenario(w=v.w, w_prime=v.w_prime, b=v.b, w_out=v.w_out, b_out=v.b_out, h0=v.h0, x=v.x, y=v.y,
                            shape=(v.n, v.m, v.q), **common)
    else:
        if output_activation == "softmax":  # ŷ = e^z/e^z: L and every gradient would be a constant 1 and 0
            raise r.fail("output.activation", "softmax over one output is always 1 (so L and every gradient would be "
                                              "0): for one output use sigmoid (with loss bce) or identity; a softmax "
                                              "needs q ≥ 2 outputs, a vector scenario with w_out of q rows (SPEC §7)")
        scenario = _scalar(r, rnn, weights_table, data, loss, common)
    scenario = replace(scenario, **_training(r, data))
    check_sizes(r, scenario.method, scenario.sizes[0], getattr(scenario, "cell", "rnn"))  # gated cells: §8
    T, targets = scenario.T, scenario.targets
    sizes = scenario.sizes if scenario.is_vector else None
    if scenario.cell != "rnn":
        sizes = ids.Sizes(scenario.sizes, scenario.cell)  # ids of gates, c, carry and rest (SPEC §8)
    r.chunks = (scenario.k1, scenario.k2) if scenario.method == "tbptt" else None  # chunk ids in notes, breakpoints
    breakpoints = _breakpoints(r, data, r.table(data, "train", _TRAIN), T, targets, sizes)
    notes = _notes(r, data, T, targets, sizes)
    claims = _claims(r, data, T, targets, sizes)
    watches = _watches(r, r.table(data, "train", _TRAIN), T, targets, sizes)
    return replace(scenario, breakpoints=breakpoints, notes=notes, claims=claims, watches=watches)


def _watches(r: _Reader, train: dict, T: int, targets: tuple[int, ...],
             sizes: tuple[int, int, int] | None) -> tuple[str, ...]:
    from .watches import WatchError, parse_watch

    raw = train.get("watch", [])
    if not isinstance(raw, list):
        raise r.fail("train.watch", f"expected an array of value ids, found {_describe(raw)}")
    out = []
    for i, item in enumerate(raw, start=1):
        try:
            out.append(parse_watch(item, T, targets, sizes).text)
        except WatchError as exc:
            raise r.fail(f"train.watch[{i}]", str(exc)) from None
    return tuple(out)


def _cell(r: _Reader, rnn: dict, weights: dict) -> str:
    """[rnn] cell (SPEC §8), and the keys that belong to one kind of cell only."""
    from .cells import CELLS

    cell = r.string(rnn, "cell", "rnn.cell", "rnn", CELLS)
    if cell == "rnn":
        if "c0" in rnn:
            raise r.fail("rnn.c0", "is an LSTM's starting cell state; set cell = \"lstm\" or remove it")
        if "b_prime" in weights:
            raise r.fail("weights.b_prime", "is a gated cell's recurrent bias; set cell = \"lstm\" or \"gru\", "
                                            "or fold it into b")
        return cell
    if "activation" in rnn:
        raise r.fail("rnn.activation", f"does not apply to cell = {cell!r} (its gates use σ and tanh); remove it")
    if "leaky_slope" in rnn:
        raise r.fail("rnn.leaky_slope", f"does not apply to cell = {cell!r}; remove it")
    if cell == "gru" and "c0" in rnn:
        raise r.fail("rnn.c0", "a GRU has no cell state c; c0 is for cell = \"lstm\"")
    return cell


def _data_table(r: _Reader, data: dict) -> dict:
    data_table = r.table(data, "data", _DATA)
    if "data" not in data:
        raise r.fail("data", "missing; expected a [data] table with x and y")
    return data_table


def _scalar(r: _Reader, rnn: dict, weights_table: dict, data: dict, loss: str, common: dict) -> Scenario:
    """The notes' one-unit network: every weight a plain number (SPEC §4)."""
    h0 = r.number(rnn, "h0", "rnn.h0", 0.0)
    weights = {
        key: r.number(weights_table, key, f"weights.{key}", {"w_out": 1.0, "b_out": 0.0}.get(key))
        for key in _WEIGHTS
    }
    data_table = _data_table(r, data)

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
        for i, value in enumerate(y if isinstance(y, tuple) else (y,), start=1):
            if not 0.0 <= value <= 1.0:
                where = f"data.y[{i}]" if isinstance(y, tuple) else "data.y"
                raise r.fail(where, f"bce needs 0 ≤ y ≤ 1, found {value!r}")

    return Scenario(h0=h0, x=x, y=y, **weights, **common)


def _training(r: _Reader, data: dict) -> dict:
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

    return dict(learning_rate=learning_rate, truncate=truncate, clip=clip, **read_method_keys(r, train))


def _step_id(r: _Reader, value: Any, where: str, T: int, targets: tuple[int, ...],
             phases: bool, sizes: tuple[int, int, int] | None = None) -> str:
    if not isinstance(value, str):
        raise r.fail(where, f"expected a step id string, found {_describe(value)}")
    if value.strip().startswith("chunk["):  # a TBPTT chunk's step (SPEC §9, methods/chunk_ids.py)
        chunks = getattr(r, "chunks", None)
        if chunks is None:
            raise r.fail(where, f"{value!r} names a TBPTT chunk; chunk ids go with method = \"tbptt\"")
        from .methods.chunk_ids import check_chunk_id

        try:
            return check_chunk_id(value, T, targets, sizes, *chunks, phases=phases)
        except ids.IdError as exc:
            raise r.fail(where, str(exc)) from None
    if phases and ids.is_phase(value):
        if value == "backward.b_prime" and ids.cell_of(sizes) == "rnn":
            raise r.fail(where, "b_prime is a gated cell's (LSTM, GRU); the plain cell has one b")
        return value
    try:
        vid = ids.parse_id(value)
        ids.check_id(vid, T, targets, sizes)
    except ids.IdError as exc:
        names = ids.PHASES if ids.cell_of(sizes) == "rnn" else \
            tuple(p for p in ids.PHASES if p != "update") + ("backward.b_prime", "update")
        also = f"; or a phase: {', '.join(names)}" if phases else ""
        raise r.fail(where, f"{exc}{also}") from None
    if str(vid) != value:  # one spelling per id, so one value is never listed twice
        raise r.fail(where, f"write the id as {str(vid)!r}, found {value!r}")
    return str(vid)


def _breakpoints(r: _Reader, data: dict, train: dict, T: int, targets: tuple[int, ...],
                 sizes: tuple[int, int, int] | None = None) -> tuple[str, ...]:
    if "breakpoints" in data and "breakpoints" in train:
        raise r.fail("train.breakpoints", "given twice (also at the top level); keep one")
    where = "breakpoints" if "breakpoints" in data else "train.breakpoints"
    raw = data.get("breakpoints", train.get("breakpoints", []))
    for i, item in enumerate(raw if isinstance(raw, list) else [], start=1):  # ids are canonical (_step_id): equal text
        if isinstance(item, str) and item in raw[:i - 1]:
            raise r.fail(f"{where}[{i}]", f"{item} is listed twice (also {where}[{raw.index(item) + 1}]); keep one")
    if not isinstance(raw, list):
        raise r.fail(where, f"expected an array of step ids or phases, found {_describe(raw)}")
    return tuple(_breakpoint(r, item, f"{where}[{i}]", T, targets, sizes) for i, item in enumerate(raw, start=1))


def _breakpoint(r: _Reader, item: Any, where: str, T: int, targets: tuple[int, ...],
                sizes: tuple[int, int, int] | None) -> str:
    """A step id, a phase, or a condition written "when …" (conditions.py)."""
    if isinstance(item, str) and item.strip().lower().startswith("when "):
        from .conditions import ConditionError, parse_condition

        try:
            return f"when {parse_condition(item)}"
        except ConditionError as exc:
            raise r.fail(where, str(exc)) from None
    return _step_id(r, item, where, T, targets, True, sizes)


def _notes(r: _Reader, data: dict, T: int, targets: tuple[int, ...],
           sizes: tuple[int, int, int] | None = None) -> tuple[Note, ...]:
    raw = data.get("notes", [])
    if not isinstance(raw, list) or not all(isinstance(n, dict) for n in raw):
        raise r.fail("notes", "expected [[notes]] tables, each with `at` and `text`")
    notes = []
    for i, table in enumerate(raw, start=1):  # the first [[notes]] is notes[1]
        r.no_unknown(table, ("at", "text"), prefix=f"notes[{i}].")
        if "at" not in table:
            raise r.fail(f"notes[{i}].at", "missing; expected a step id such as \"forward.O[2]\"")
        if "text" not in table:
            raise r.fail(f"notes[{i}].text", "missing; expected the note's text")
        at = _step_id(r, table["at"], f"notes[{i}].at", T, targets, True, sizes)
        text = r.string(table, "text", f"notes[{i}].text", "")
        notes.append(Note(at, text))
    return tuple(notes)


def _claims(r: _Reader, data: dict, T: int, targets: tuple[int, ...],
            sizes: tuple[int, int, int] | None = None) -> tuple[Claim, ...]:
    raw = data.get("claims", {})
    if not isinstance(raw, dict):
        raise r.fail("claims", f"expected a [claims] table of id = \"number\", found {_describe(raw)}")
    claims = []
    if sizes is not None:  # a vector scenario: one entry, or a whole vector or matrix (claim_arrays.py)
        from .claim_arrays import vector_claim

        seen: dict[str, str] = {}
        for key, value in raw.items():
            where = f"claims.{key}" if "." not in key else f'claims."{key}"'
            vid = ids.parse_id(_step_id(r, key, where, T, targets, False, sizes))
            for entry, number, text, whole in vector_claim(vid, value, sizes, r.fail, where):
                if entry in seen:
                    raise r.fail(where, f"states {entry} again (also stated by {seen[entry]}); keep one")
                seen[entry] = where
                claims.append(Claim(entry, number, text, whole))
        return tuple(claims)
    for key, value in raw.items():
        where = f"claims.{key}" if "." not in key else f'claims."{key}"'
        canonical = _step_id(r, key, where, T, targets, False, sizes)
        from .claim_arrays import number_text

        number, text = number_text(value, lambda message, where=where: r.fail(where, message))
        claims.append(Claim(canonical, number, text))
    return tuple(claims)


# ----------------------------------------------------------------------------- reading TOML

class _Underflowed(float):
    """A TOML float whose digits are not zero but which reads as 0.0 (``1e-400``): refused where it is read."""

    def __new__(cls, text: str) -> "_Underflowed":
        value = super().__new__(cls, 0.0)
        value.text = text
        return value


def _read_float(text: str) -> float:
    value = float(text)
    if value == 0.0 and any(c in "123456789" for c in text.replace("_", "").lower().split("e")[0]):
        return _Underflowed(text)
    return value


def _toml(text: str, source: str) -> dict:
    """The parsed TOML; a syntax error, a number too long to read or nesting too deep is one line."""
    try:
        return tomllib.loads(text, parse_float=_read_float)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(source, None, f"TOML syntax error: {exc}") from None
    except RecursionError:  # x = [[[[…]]]] thousands deep: tomllib recurses once per level
        raise ScenarioError(source, None, "arrays or tables nested too deeply (a scenario needs at most "
                                          "three levels, e.g. a list of matrices)") from None
    except ValueError as exc:  # an integer of more than 4300 digits (Python's limit on reading one)
        why = "it has more than 4,300 digits" if "digits" in str(exc) else str(exc).splitlines()[0][:120]
        raise ScenarioError(source, None, f"cannot read a number: {why} (a number must fit a float64)") from None
