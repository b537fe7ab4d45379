"""Step and value ids (SPEC §6): one naming scheme for every value on the tape.

``parse_id`` turns text such as ``gradients.w_prime.term[4,2]`` into a ``ValueId``;
``check_id`` says whether it names a value of a network with ``T`` steps and the
given target steps. Neither knows anything about the numbers.

In a vector scenario (SPEC §7) a trailing component index, from 1, picks one entry:
``forward.O[3][2]``, ``gradients.w_prime.term[4,2][1,2]``, ``gradients.w.total[1,1]``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PARAMS = ("w_prime", "w", "b", "w_out", "b_out")
RECURRENT_PARAMS = ("w_prime", "w", "b")
OUTPUT_PARAMS = ("w_out", "b_out")
PHASES = ("forward", "loss", *(f"backward.{p}" for p in PARAMS), "update")
#: a gated cell (SPEC §8) adds b_prime (PyTorch's bias_hh) to the recurrent parameters
GATED_PARAMS = ("w_prime", "w", "b", "b_prime", "w_out", "b_out")
GATED_RECURRENT = ("w_prime", "w", "b", "b_prime")
#: the gates of each cell, in their stacking order
CELL_GATES = {"rnn": (), "lstm": ("i", "f", "g", "o"), "gru": ("r", "u", "n")}


class Sizes(tuple):
    """(n, m, q) that also knows its cell (SPEC §8), so every shape and check can ask it."""

    cell: str

    def __new__(cls, sizes, cell: str = "rnn"):
        made = super().__new__(cls, tuple(sizes))
        made.cell = cell
        return made


def cell_of(sizes) -> str:
    return getattr(sizes, "cell", "rnn")


def _gates(sizes) -> int:
    return len(CELL_GATES[cell_of(sizes)]) or 1


def _times(count: int, size):
    """count·size, written 4n when the size is a symbol."""
    if count == 1:
        return size
    return f"{count}{size}" if isinstance(size, str) else count * size

#: (group, name) -> number of indices, for recurrent / output parameters
_SHAPES: dict[tuple[str, str], int] = {
    ("forward", "a"): 1,
    ("forward", "O"): 1,
    ("forward", "f_prime"): 1,  # f′(a_t), kept for the backward pass (a drill asks it)
    ("outputs", "z"): 1,
    ("outputs", "yhat"): 1,
    ("outputs", "loss"): 1,
    ("loss", ""): 0,
    ("backward", "dL_dO"): 1,
    ("backward", "dL_da"): 1,
    ("update", "new"): 0,
    ("gradients", "total"): 0,
}
_GRADIENT_SHAPES = {"factor": (3, 2), "term": (2, 1), "running_sum": (2, 1), "total": (0, 0), "delta": (2, 1),
                    "carry": (2, 1), "rest": (2, 1)}
#: forward values of a gated cell (SPEC §8): c_t, the GRU's recurrent side ã_t, and forward.gate.<x>[t]
_GATED_FORWARD = ("c", "a_prime")

_SYNTAX = re.compile(r"^(?P<path>[A-Za-z_][A-Za-z_.]*)(?:\[(?P<index>[^\[\]]*)\])?(?:\[(?P<component>[^\[\]]*)\])?$")

_INDICES = re.compile(r"[0-9]+(?:,[0-9]+)*", re.ASCII)  # "4,2": never " 4 ", "４" or "4_2" (int() takes them all)

EXAMPLES = "forward.O[2], outputs.yhat[4], loss, gradients.w_prime.term[4,2], update.w.new"


class IdError(ValueError):
    """An id that does not parse or does not name a value of this network."""


@dataclass(frozen=True)
class ValueId:
    group: str  # forward | outputs | loss | backward | gradients | update
    name: str  # a, O, z, yhat, loss, dL_dO, dL_da, factor, term, running_sum, total, new
    param: str | None = None
    index: tuple[int, ...] = ()
    component: tuple[int, ...] = ()  # one entry of a vector or matrix (SPEC §7), from 1

    @property
    def whole(self) -> "ValueId":
        """The same id without its component index: the whole vector or matrix."""
        return ValueId(self.group, self.name, self.param, self.index)

    def __str__(self) -> str:
        parts = [self.group]
        if self.param:
            parts.append(self.param)
        if self.name and not (self.group == "loss"):
            parts.append(self.name)
        text = ".".join(parts)
        if self.index:
            text += "[" + ",".join(str(i) for i in self.index) + "]"
        if self.component:
            text += "[" + ",".join(str(i) for i in self.component) + "]"
        return text


def parse_id(text: str) -> ValueId:
    """Parse a value id; raise IdError with a sentence saying what is wrong."""
    if not isinstance(text, str):
        raise IdError(f"expected an id such as {EXAMPLES}")
    match = _SYNTAX.match(text.strip())
    if not match:
        raise IdError(f"{text!r} is not an id (expected e.g. {EXAMPLES})")
    parts = match["path"].split(".")
    index_text, component_text = match["index"], match["component"]
    if not all(_INDICES.fullmatch(part) for part in (index_text, component_text) if part is not None):
        raise IdError(f"{text!r}: indices must be whole numbers in ASCII digits, separated by commas without spaces, "
                      "e.g. term[4,2] or term[4,2][1,2]")
    index = tuple(int(i) for i in index_text.split(",")) if index_text else ()
    component = tuple(int(i) for i in component_text.split(",")) if component_text else ()
    group = parts[0]
    if group == "forward" and (len(parts) == 3 and parts[1] == "gate" or parts[1:] in (["c"], ["a_prime"])):
        if len(index) != 1:  # SPEC §8: forward.c[t], forward.a_prime[t], forward.gate.f[t]
            raise IdError(f"{text!r}: expected 1 index ({match['path']}[t])")
        return ValueId(group, ".".join(parts[1:]), None, index, component)
    if group == "gradients":
        if len(parts) != 3 or parts[1] not in GATED_PARAMS or parts[2] not in _GRADIENT_SHAPES:
            raise IdError(
                f"{text!r} is not an id: expected gradients.<param>.<factor|term|running_sum|total>"
                f" with <param> one of {', '.join(PARAMS)}"
            )
        param, name = parts[1], parts[2]
        if name in ("delta", "carry", "rest") and param not in GATED_RECURRENT:
            raise IdError(f"{text!r}: {name}[t,k] is for w_prime, w, b and b_prime (∂ℓ_t/∂a_k along one path)")
        want = _GRADIENT_SHAPES[name][0 if param in GATED_RECURRENT else 1]
    elif group == "update":
        if len(parts) != 3 or parts[1] not in GATED_PARAMS or parts[2] != "new":
            raise IdError(f"{text!r} is not an id: expected update.<param>.new")
        param, name, want = parts[1], "new", 0
    else:
        param = None
        name = parts[1] if len(parts) == 2 else ("" if len(parts) == 1 else "?")
        if (group, name) not in _SHAPES:
            raise IdError(f"{text!r} is not an id (expected e.g. {EXAMPLES})")
        want = _SHAPES[(group, name)]
    if want == 0 and index and not component and group in ("gradients", "update"):
        index, component = (), index  # total[1,2], update.w.new[1,2]: the one bracket is the component
    if len(index) != want:
        shape = "" if want == 0 else "[" + ",".join("tki"[:want] if want < 3 else "tki") + "]"
        if param in OUTPUT_PARAMS and want:
            shape = "[" + ",".join("ti"[:want]) + "]"
        raise IdError(f"{text!r}: expected {want} {'index' if want == 1 else 'indices'} ({match['path']}{shape})")
    if component and (want == 0 and len(component) > 2):
        raise IdError(f"{text!r}: expected at most 2 component indices")
    return ValueId(group, name, param, index, component)


def factor_count(param: str, t: int, k: int | None = None, vector: bool = False, cell: str = "rnn") -> int:
    """Number of factors in term (t, k): t − k + 3 in the notes' case; 3 for w_out, b_out.

    A vector scenario (SPEC §7) keeps the t − k + 4 matrices of δ's formula, and
    ∂ℓ_t/∂ŷ_t, ∂ŷ_t/∂z_t for w_out and b_out. A gated cell (SPEC §8): ∂ℓ_t/∂s_t, the
    t − k blocks J_j and ∂s_k/∂a_k, t − k + 2."""
    if param in OUTPUT_PARAMS:
        return 2 if vector else 3
    assert k is not None
    if cell != "rnn":
        return t - k + 2
    return t - k + (4 if vector else 3)


def param_shape(param: str, sizes: tuple[int, int, int]) -> tuple[int, ...]:
    """The shape of a weight (and so of its gradient, terms and running sums), SPEC §7 (§8: gates stacked)."""
    n, m, q = sizes
    G = _times(_gates(sizes), n)
    return {"w_prime": (G, n), "w": (G, m), "b": (G,), "b_prime": (G,), "w_out": (q, n), "b_out": (q,)}[param]


def factor_shape(param: str, t: int, k: int | None, f: int, sizes: tuple[int, int, int]) -> tuple[int, int]:
    """The shape of factor ``f`` (from 1) of a vector term: 1×q, q×q, q×n, then n×n
    (a gated cell: 1×S, then S×S blocks, then S×Gn, with S = 2n for the LSTM's (O, c), n for the GRU)."""
    n, m, q = sizes
    cell = cell_of(sizes)
    if cell != "rnn" and k is not None:
        S = _times(2, n) if cell == "lstm" else n
        if f == 1:
            return (1, S)
        return (S, _times(_gates(sizes), n)) if f == t - k + 2 else (S, S)
    return [(1, q), (q, q), (q, n)][f - 1] if f <= 3 else (n, n)


def value_shape(vid: ValueId, sizes: tuple[int, int, int]) -> tuple[int, ...]:
    """The shape of the value an id names in a vector scenario; () for a number."""
    n, m, q = sizes
    stacked = _times(_gates(sizes), n)
    if vid.group == "forward" and vid.name in ("a", "a_prime") or (vid.group, vid.name) == ("backward", "dL_da"):
        return (stacked,)
    if vid.group in ("forward", "backward"):
        return (n,)
    if vid.group == "outputs":
        return () if vid.name == "loss" else (q,)
    if vid.group == "loss":
        return ()
    if vid.name in ("delta", "carry", "rest"):
        return (stacked,)
    if vid.name == "factor":
        k = vid.index[1] if vid.param in GATED_RECURRENT else None
        return factor_shape(vid.param, vid.index[0], k, vid.index[-1], sizes)
    return param_shape(vid.param, sizes)


def check_id(vid: ValueId, T: int, targets: tuple[int, ...], sizes: tuple[int, int, int] | None = None) -> None:
    """Raise IdError unless ``vid`` names a value of a network with T steps and these target steps
    (and, for a vector scenario, hidden, input and output sizes ``sizes`` = (n, m, q))."""
    idx = vid.index
    where = str(vid)
    _check_cell(vid, where, cell_of(sizes))
    target_text = f"the target step {targets[0]}" if len(targets) == 1 else f"a target step 1…{T}"

    def need_step(t: int) -> None:
        if not 1 <= t <= T:
            raise IdError(f"{where}: step {t} is outside 1…{T}")

    def need_target(t: int) -> None:
        if t not in targets:
            raise IdError(f"{where}: t = {t} must be {target_text}")

    if vid.group in ("forward", "backward"):
        need_step(idx[0])
    elif vid.group == "outputs":
        need_target(idx[0])
    elif vid.group == "gradients" and idx:
        need_target(idx[0])
        if vid.param in GATED_RECURRENT:
            t, k = idx[0], idx[1]
            if not 1 <= k <= t:
                raise IdError(f"{where}: k = {k} must be between 1 and t = {t}")
            count = factor_count(vid.param, t, k, sizes is not None, cell_of(sizes))
            if vid.name == "factor" and not 1 <= idx[2] <= count:
                raise IdError(f"{where}: term [{t},{k}] has factors 1…{count}")
        elif vid.name == "factor" and not 1 <= idx[1] <= factor_count(vid.param, idx[0], None, sizes is not None):
            raise IdError(f"{where}: term [{idx[0]}] has factors 1…{factor_count(vid.param, idx[0], None, sizes is not None)}")
    if vid.component:
        _check_component(vid, where, sizes)


def _check_cell(vid: ValueId, where: str, cell: str) -> None:
    """The ids that only one kind of cell has (SPEC §8)."""
    name = {"rnn": "the plain cell", "lstm": "an LSTM", "gru": "a GRU"}[cell]
    if vid.param == "b_prime" and cell == "rnn":
        raise IdError(f"{where}: b_prime is a gated cell's (LSTM, GRU); the plain cell has one b")
    if vid.group != "forward":
        return
    if vid.name == "c" and cell != "lstm":
        raise IdError(f"{where}: c_t is an LSTM's cell state; {name} has none")
    if vid.name == "a_prime" and cell != "gru":
        raise IdError(f"{where}: a_prime[t] is a GRU's recurrent side ã_t; {name} has none")
    if vid.name.startswith("gate."):
        gate = vid.name.split(".", 1)[1]
        if gate not in CELL_GATES[cell]:
            known = f"gates {', '.join(CELL_GATES[cell])}" if CELL_GATES[cell] else "no gates"
            raise IdError(f"{where}: {name} has {known}")


def _check_component(vid: ValueId, where: str, sizes: tuple[int, int, int] | None) -> None:
    if sizes is None:
        raise IdError(f"{where}: a component index needs a vector scenario; here every value is one number")
    shape = value_shape(vid, sizes)
    if not shape:
        raise IdError(f"{where}: {vid.whole} is one number and has no components")
    comp = vid.component
    if len(comp) != len(shape):
        want = "[i]" if len(shape) == 1 else "[i,j]"
        raise IdError(f"{where}: {vid.whole} is {'×'.join(map(str, shape))}; pick an entry with {want}")
    for i, (c, size) in enumerate(zip(comp, shape)):
        if not 1 <= c <= size:
            raise IdError(f"{where}: component {c} is outside 1…{size} ({vid.whole} is {'×'.join(map(str, shape))})")


def is_phase(text: str) -> bool:
    return text in PHASES or text == "backward.b_prime"
