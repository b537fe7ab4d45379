"""Clip by norm (``clip_norm = C``, SPEC §9) beside clip by value (``clip = C``, SPEC §3).

By norm, every parameter's gradient is scaled by one number so that the whole
gradient (all parameters together, as ``torch.nn.utils.clip_grad_norm_``) has norm
at most C: scale = C/‖g‖ when ‖g‖ > C, else 1. The direction is kept. By value each
entry is clipped to [−C, C] on its own, which can turn the direction.
(torch divides by ‖g‖ + 10⁻⁶; here the clipped norm is exactly C.)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class NormClip:
    """‖g‖ over every parameter, the limit C and the one scale applied to them all."""

    norm: float
    limit: float
    scale: float


def gradient_norm(gradients: dict[str, Any]) -> float:
    """‖g‖: the 2-norm of every gradient entry of every parameter together."""
    with np.errstate(all="ignore"):
        squares = sum(float(np.sum(np.square(np.asarray(g, dtype=np.float64)))) for g in gradients.values())
    return math.sqrt(squares)


def clip_by_norm(gradients: dict[str, Any], limit: float) -> tuple[NormClip, dict[str, Any]]:
    """(‖g‖ and the scale, the scaled gradients): scale = C/‖g‖ if ‖g‖ > C else 1."""
    norm = gradient_norm(gradients)
    scale = limit / norm if norm > limit else 1.0  # an infinite or nan norm gives 0 or nan: shown, not hidden
    scaled = {p: (g * scale if isinstance(g, np.ndarray) else float(g) * scale) for p, g in gradients.items()}
    return NormClip(norm, limit, scale), scaled


def clip_by_value(gradient: Any, limit: float) -> Any:
    """Each entry limited to [−C, C] (SPEC §3's ``clip``)."""
    if isinstance(gradient, np.ndarray):
        return np.clip(gradient, -limit, limit)
    return float(np.clip(gradient, -limit, limit))


def clipped(gradients: dict[str, Any], clip: float | None, clip_norm: float | None) -> tuple[NormClip | None, dict]:
    """The gradients an update uses: by value with ``clip``, by norm with ``clip_norm``, else as they are."""
    if clip_norm is not None:
        return clip_by_norm(gradients, clip_norm)
    if clip is not None:
        return None, {p: clip_by_value(g, clip) for p, g in gradients.items()}
    return None, dict(gradients)


def norm_clip_text(norm_clip: NormClip, fmt) -> str:
    """One line for the update step: ‖g‖ against C and the one scale ("‖g‖ = 34.057 > C = 1: every gradient × 0.0294")."""
    if norm_clip.scale == 1.0:
        return f"clip by norm: ‖g‖ = {fmt(norm_clip.norm)} ≤ C = {fmt(norm_clip.limit)}: the gradient is kept as it is"
    return (f"clip by norm: ‖g‖ = {fmt(norm_clip.norm)} > C = {fmt(norm_clip.limit)}: every gradient × "
            f"C/‖g‖ = {fmt(norm_clip.scale)}, the direction kept")


def value_clip_angle(gradients: dict[str, Any], limit: float) -> float | None:
    """The angle in degrees between the gradient (the direction clip by norm keeps) and the step clip by
    value at the same C would take; None when either is zero or not finite."""
    g = np.concatenate([np.ravel(np.asarray(v, dtype=np.float64)) for v in gradients.values()])
    v = np.clip(g, -limit, limit)
    with np.errstate(all="ignore"):
        ng, nv = float(np.linalg.norm(g)), float(np.linalg.norm(v))
        if not (ng > 0 and nv > 0 and math.isfinite(ng) and math.isfinite(nv)):
            return None
        return math.degrees(math.acos(max(-1.0, min(1.0, float(g @ v) / (ng * nv)))))


def direction_text(tape, fmt) -> str:
    """The update step's second line under clip_norm: how far clipping by value would turn the step."""
    grads = {p: u.grad for p, u in tape.updates.items()}
    angle = value_clip_angle(grads, tape.norm_clip.limit)
    if angle is None:
        return ""
    return (f"clipping each entry to ±{fmt(tape.norm_clip.limit)} instead would turn the step by {fmt(angle)}° "
            "(by norm: 0°, the gradient's own direction)")
