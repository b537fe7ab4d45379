"""``rnnstep trace FILE --samples N``: randomized truncation over N seeds beside full BPTT (SPEC §9).

Per parameter entry: the mean of the N estimates, its standard error (the sample
standard deviation over √N), full BPTT's gradient, and how many standard errors
apart the two are. JSON: ``{"samples": N, "gradients": {p: {"mean", "stderr", "full"}}}``.
"""

from __future__ import annotations

from typing import Iterator

import numpy as np

from .. import notation as nt


def iter_samples_json(samples) -> Iterator[str]:
    from .json_number import num
    from .json_vector import arr

    def value(v) -> str:  # a plain number for a one-unit scenario, else nested lists
        a = np.asarray(v, dtype=np.float64)
        return num(float(a)) if a.ndim == 0 else arr(a)

    yield f'{{\n  "samples": {samples.count},\n  "gradients": {{'
    for n, p in enumerate(samples.full):  # the tape's parameters in its order: a gated cell's b′ too
        fields = ", ".join(f'"{k}": {value(getattr(samples, k)[p])}' for k in ("mean", "stderr", "full"))
        yield ("," if n else "") + f'\n    "{p}": {{{fields}}}'
    yield "\n  }\n}\n"


def _entries(samples, p: str) -> Iterator[tuple[str, float, float, float]]:
    mean = np.asarray(samples.mean[p], dtype=np.float64)
    stderr = np.asarray(samples.stderr[p], dtype=np.float64)
    full = np.asarray(samples.full[p], dtype=np.float64)
    for index in np.ndindex(mean.shape):
        where = "[" + ",".join(str(i + 1) for i in index) + "]" if index else ""
        yield where, float(mean[index]), float(stderr[index]), float(full[index])


def iter_samples_text(samples, scenario, digits: int = 6, markdown: bool = False) -> Iterator[str]:
    """A table (plain text, or Markdown) of mean ± standard error beside the full gradient."""
    f = lambda v: nt.fmt(v, digits)  # noqa: E731
    head = (f"randomized truncation, keep = {f(scenario.keep)}: {samples.count} seeds "
            f"({scenario.seed or 0} … {(scenario.seed or 0) + samples.count - 1}) beside full BPTT")
    rows = [("gradient", "mean", "std. error", "full BPTT", "(mean − full)/s.e.")]
    for p in samples.full:
        for where, mean, stderr, full in _entries(samples, p):
            apart = f((mean - full) / stderr) if stderr > 0 else "exact"
            rows.append((nt.gradient_symbol(p) + where, f(mean), f(stderr), f(full), apart))
    if markdown:
        yield f"{head}\n\n"
        yield "| " + " | ".join(rows[0]) + " |\n|" + "---|" * len(rows[0]) + "\n"
        for row in rows[1:]:
            yield "| " + " | ".join(row) + " |\n"
        return
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    yield head + "\n"
    for row in rows:
        yield "  ".join(cell.rjust(w) if i else cell.ljust(w) for i, (cell, w) in enumerate(zip(row, widths))).rstrip() + "\n"
