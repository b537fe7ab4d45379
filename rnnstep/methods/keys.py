"""The [train] keys of SPEC §9: method, k1, k2, keep, seed, clip_norm.

``read_method_keys`` is called by the scenario loader with its reader (whose
``fail(key, message)`` makes the one-line error that names the file and key);
``check_sizes`` runs once the hidden size n is known (RTRL's limit).
"""

from __future__ import annotations

from typing import Any

from . import METHODS, RTRL_MAX_HIDDEN, RTRL_MAX_HIDDEN_GATED

KEYS = ("method", "k1", "k2", "keep", "seed", "clip_norm")
#: which method each key belongs to
_OWNER = {"k1": "tbptt", "k2": "tbptt", "keep": "randomized", "seed": "randomized"}


def _whole(r, train: dict, key: str, least: int, what: str) -> int:
    value = train[key]
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise r.fail(f"train.{key}", f"expected {what}, found {_said(value)}")
    return value


def _said(value: Any) -> str:
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, str):
        return f"the string {value[:30]!r}"
    if isinstance(value, (list, dict)):
        return "an array" if isinstance(value, list) else "a table"
    return repr(value)


def read_method_keys(r, train: dict) -> dict:
    """The method and its keys, checked: each mistake is one line naming train.<key>."""
    method = r.string(train, "method", "train.method", "bptt", METHODS)
    for key, owner in _OWNER.items():
        if key in train and method != owner:
            raise r.fail(f"train.{key}", f"goes with method = \"{owner}\" (this file's method is \"{method}\")")
    if "truncate" in train and method != "bptt":
        raise r.fail("train.truncate", f"goes with method = \"bptt\" (this file's method is \"{method}\"; "
                     + ("k2 already says how far back" if method == "tbptt" else "drop one of the two") + ")")
    out: dict[str, Any] = dict(method=method, k1=None, k2=None, keep=None, seed=None, clip_norm=None)
    if method == "tbptt":
        if "k1" not in train:
            raise r.fail("train.k1", "missing; method = \"tbptt\" needs k1, the steps per chunk (a whole number ≥ 1)")
        k1 = _whole(r, train, "k1", 1, "a whole number ≥ 1 (the steps per chunk)")
        k2 = k1
        if "k2" in train:
            k2 = _whole(r, train, "k2", 1, f"a whole number ≥ k1 = {k1} (the steps back-propagated)")
            if k2 < k1:
                raise r.fail("train.k2", f"expected a whole number ≥ k1 = {k1}, found {k2} "
                             "(TBPTT(k1, k2) back-propagates at least the chunk it updates on)")
        out.update(k1=k1, k2=k2)
    if method == "randomized":
        if "keep" not in train:
            raise r.fail("train.keep", "missing; method = \"randomized\" needs keep = π, "
                         "the chance each step lets the gradient through (0 < π ≤ 1)")
        out["keep"] = r.number(train, "keep", "train.keep", check=lambda v: 0 < v <= 1,
                               expected="a number in (0, 1], the chance each step lets the gradient through")
        out["seed"] = _whole(r, train, "seed", 0, "a whole number ≥ 0") if "seed" in train else 0
    if "clip_norm" in train:
        if "clip" in train:
            raise r.fail("train.clip_norm", "given with train.clip; keep one (clip_norm scales the whole "
                         "gradient, clip limits each entry)")
        out["clip_norm"] = r.number(train, "clip_norm", "train.clip_norm", check=lambda v: v > 0,
                                    expected="a finite number > 0 (the largest norm of the whole gradient)")
    return out


def check_sizes(r, method: str, n: int, cell: str = "rnn") -> None:
    """RTRL carries an influence matrix of n (a gated cell: its whole state) rows and a column per weight:
    refuse a hidden size it cannot step quickly. TBPTT and RTRL run on every cell (chunk_cells.py, rtrl.py)."""
    if method == "rtrl" and cell != "rnn" and n > RTRL_MAX_HIDDEN_GATED[cell]:  # P_t carries the whole state
        most = RTRL_MAX_HIDDEN_GATED[cell]
        rows = "2n rows (O_t, c_t)" if cell == "lstm" else "n rows"
        raise r.fail("train.method", f"rtrl on a {cell.upper()} is limited to a hidden size n ≤ {most}, found n = {n} "
                     f"(its influence matrices have {rows} and a column per gate weight, O(n⁴) multiplies per "
                     f"step, at n = {most} about as many as the plain cell's at n = {RTRL_MAX_HIDDEN}; use \"bptt\" "
                     "for the same gradient)")
    if method == "rtrl" and n > RTRL_MAX_HIDDEN:
        raise r.fail("train.method", f"rtrl is limited to a hidden size n ≤ {RTRL_MAX_HIDDEN}, found n = {n} "
                     "(its influence matrices cost O(n⁴) multiplies per step; use \"bptt\" for the same gradient)")
