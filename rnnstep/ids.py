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

#: (group, name) -> number of indices, for recurrent / output parameters
_SHAPES: dict[tuple[str, str], int] = {
    ("forward", "a"): 1,
    ("forward", "O"): 1,
    ("outputs", "z"): 1,
    ("outputs", "yhat"): 1,
    ("outputs", "loss"): 1,
    ("loss", ""): 0,
    ("backward", "dL_dO"): 1,
    ("backward", "dL_da"): 1,
    ("update", "new"): 0,
    ("gradients", "total"): 0,
}
_GRADIENT_SHAPES = {"factor": (3, 2), "term": (2, 1), "running_sum": (2, 1), "total": (0, 0), "delta": (2, 1)}

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
    if group == "gradients":
        if len(parts) != 3 or parts[1] not in PARAMS or parts[2] not in _GRADIENT_SHAPES:
            raise IdError(
                f"{text!r} is not an id: expected gradients.<param>.<factor|term|running_sum|total>"
                f" with <param> one of {', '.join(PARAMS)}"
            )
        param, name = parts[1], parts[2]
        if name == "delta" and param not in RECURRENT_PARAMS:
            raise IdError(f"{text!r}: delta[t,k] is for w_prime, w and b (∂ℓ_t/∂a_k along one path)")
        want = _GRADIENT_SHAPES[name][0 if param in RECURRENT_PARAMS else 1]
    elif group == "update":
        if len(parts) != 3 or parts[1] not in PARAMS or parts[2] != "new":
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


def factor_count(param: str, t: int, k: int | None = None, vector: bool = False) -> int:
    """Number of factors in term (t, k): t − k + 3 in the notes' case; 3 for w_out, b_out.

    A vector scenario (SPEC §7) keeps the t − k + 4 matrices of δ's formula, and
    ∂ℓ_t/∂ŷ_t, ∂ŷ_t/∂z_t for w_out and b_out."""
    if param in OUTPUT_PARAMS:
        return 2 if vector else 3
    assert k is not None
    return t - k + (4 if vector else 3)


def param_shape(param: str, sizes: tuple[int, int, int]) -> tuple[int, ...]:
    """The shape of a weight (and so of its gradient, terms and running sums), SPEC §7."""
    n, m, q = sizes
    return {"w_prime": (n, n), "w": (n, m), "b": (n,), "w_out": (q, n), "b_out": (q,)}[param]


def factor_shape(param: str, t: int, k: int | None, f: int, sizes: tuple[int, int, int]) -> tuple[int, int]:
    """The shape of factor ``f`` (from 1) of a vector term: 1×q, q×q, q×n, then n×n."""
    n, m, q = sizes
    return [(1, q), (q, q), (q, n)][f - 1] if f <= 3 else (n, n)


def value_shape(vid: ValueId, sizes: tuple[int, int, int]) -> tuple[int, ...]:
    """The shape of the value an id names in a vector scenario; () for a number."""
    n, m, q = sizes
    if vid.group in ("forward", "backward"):
        return (n,)
    if vid.group == "outputs":
        return () if vid.name == "loss" else (q,)
    if vid.group == "loss":
        return ()
    if vid.name == "delta":
        return (n,)
    if vid.name == "factor":
        k = vid.index[1] if vid.param in RECURRENT_PARAMS else None
        return factor_shape(vid.param, vid.index[0], k, vid.index[-1], sizes)
    return param_shape(vid.param, sizes)


def check_id(vid: ValueId, T: int, targets: tuple[int, ...], sizes: tuple[int, int, int] | None = None) -> None:
    """Raise IdError unless ``vid`` names a value of a network with T steps and these target steps
    (and, for a vector scenario, hidden, input and output sizes ``sizes`` = (n, m, q))."""
    idx = vid.index
    where = str(vid)
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
        if vid.param in RECURRENT_PARAMS:
            t, k = idx[0], idx[1]
            if not 1 <= k <= t:
                raise IdError(f"{where}: k = {k} must be between 1 and t = {t}")
            count = factor_count(vid.param, t, k, sizes is not None)
            if vid.name == "factor" and not 1 <= idx[2] <= count:
                raise IdError(f"{where}: term [{t},{k}] has factors 1…{count}")
        elif vid.name == "factor" and not 1 <= idx[1] <= factor_count(vid.param, idx[0], None, sizes is not None):
            raise IdError(f"{where}: term [{idx[0]}] has factors 1…{factor_count(vid.param, idx[0], None, sizes is not None)}")
    if vid.component:
        _check_component(vid, where, sizes)


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
    return text in PHASES
