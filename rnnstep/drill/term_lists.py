"""A list of triangle terms (t, k) as a learner types it, and its grading.

"Which terms does TBPTT(3, 5) keep for the update at step 6?" is answered as the
terms themselves — ``(6,6) (6,5) (6,4)``, ``6,6 6,5 6,4``, ``6 6; 6 5`` … in any
order, with or without commas, parentheses or brackets — or as their count.
A list is right when it names exactly the kept terms, each once.
"""

from __future__ import annotations

import re

Term = tuple[int, int]

#: what a typed list may hold besides its whole numbers
_SEPARATORS = re.compile(r"[\s,;()\[\]]+")


class NotATermList(ValueError):
    """The text is not a list of (t, k) pairs; the message says why in one clause."""


def looks_like_list(text: str) -> bool:
    """Is ``text`` more than one piece between spaces, commas, parentheses …, so not one count?
    ("6" and "6.0" are counts; "6 6", "(6,6)" and "6,6 6,5" are lists.)"""
    return len([p for p in _SEPARATORS.split(text.strip()) if p]) > 1 or bool(re.search(r"[(\[]", text))


def parse_terms(text: str) -> tuple[Term, ...]:
    """The pairs (t, k) in ``text``, in the order typed; NotATermList when it is not such a list."""
    pieces = [p for p in _SEPARATORS.split(text.strip()) if p]
    bad = next((p for p in pieces if not (p.isascii() and p.isdigit())), None)
    if bad is not None:
        raise NotATermList(f"{bad[:20]!r} is not a whole number")
    numbers = [int(p) for p in pieces]
    if len(numbers) < 2 or len(numbers) % 2:
        raise NotATermList(f"{len(numbers)} whole number{'s' if len(numbers) != 1 else ''} "
                           f"{'do' if len(numbers) != 1 else 'does'} not make (t, k) pairs")
    pairs = tuple(zip(numbers[0::2], numbers[1::2]))
    backwards = next(((t, k) for t, k in pairs if k > t or k < 1), None)
    if backwards is not None:
        raise NotATermList(f"({backwards[0]},{backwards[1]}) is not a term: a term has 1 ≤ k ≤ t")
    return pairs


def written(terms, most: int | None = None) -> str:
    """(6,6) (6,5) …: terms as the triangle names them, row by row, nearest use first (the first ``most``,
    and how many more)."""
    ordered = [f"({t},{k})" for t, k in sorted(terms, key=lambda tk: (tk[0], -tk[1]))]
    if most is not None and len(ordered) > most:
        return " ".join(ordered[:most]) + f" and {len(ordered) - most} more"
    return " ".join(ordered)


def grade_terms(given: tuple[Term, ...], kept: tuple[Term, ...]) -> tuple[bool, str]:
    """(right, what is wrong): right when ``given`` names every kept term once and nothing else."""
    wanted, said = set(kept), set(given)
    twice = sorted({tk for tk in given if given.count(tk) > 1})
    missing, extra = wanted - said, said - wanted
    if not (missing or extra or twice):
        return True, ""
    parts = []
    if missing:
        parts.append(f"missing {_few(missing)}")
    if extra:
        parts.append(f"not kept {_few(extra)}")
    if twice:
        parts.append(f"listed twice {_few(twice)}")
    return False, "; ".join(parts)


def _few(terms) -> str:
    return written(terms, most=6)
