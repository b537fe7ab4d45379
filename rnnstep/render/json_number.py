"""Numbers as JSON tokens, for every section of the trace (json.py, json_vector.py, methods_json.py).

Non-finite numbers become the strings "inf", "-inf" and "nan".
"""

from __future__ import annotations

import math


def num(x: float) -> str:
    """A float64 as a JSON token: repr round-trips it exactly."""
    x = float(x)
    if math.isfinite(x):
        return repr(x)
    return '"nan"' if math.isnan(x) else ('"inf"' if x > 0 else '"-inf"')


def norm_clip_fields(norm_clip) -> str:
    """``, "norm": ‖g‖, "scale": s`` of clip by norm (SPEC §9), or nothing."""
    return "" if norm_clip is None else f', "norm": {num(norm_clip.norm)}, "scale": {num(norm_clip.scale)}'
