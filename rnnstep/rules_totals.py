"""A recurrent parameter's total by the recursive view, so that verifying a total stays linear in T.

With a target at every step a total is Σ of T²/2 terms (t, k), each a δ(t,k) chain: worked out term
by term, verifying one claimed total grows with T². Grouped by k, the same sum is SPEC §3's second form,

    ∂L/∂p = Σ_k (Σ_t δ(t,k)) ⊗ input_k = Σ_k ∂L/∂a_k ⊗ input_k

(δₕ for a GRU's W′ and b′: ∂L/∂a_k with the n rows ⊙ r_k), and Σ_t δ(t,k) is the recursive ∂L/∂a_k,
worked back one step at a time from the author's forward values. Its values here are pseudo-ids
``~rec:backward.dL_da[k]…`` with the rules of ``backward.dL_da[k]…``, so a stated ∂L/∂a_k is not read
into the total (the terms never read it either: it is judged on its own). A target t with a stated term
(t, k) is left out of the view (``~rec{t,…}:…``: ℓ_t carries no loss there) and its t terms, stated or
worked, are added one by one, as the term route adds them: the work grows with T and the claims.

The author's last running sum is Σ of the author's terms when no running sum is stated, so both of the
total's formulas ("the last running sum", "Σ terms") are kept, each by this route, as the verdicts and
their explanations name them. The route is taken only where it is that same sum: several targets, no
truncation or weighting of terms (methods/), and no running sum, factor or δ (carry, rest) stated —
those enter the terms, and then the term route is kept (its work grows with T², as before).

The value is the term route's up to rounding; how far the rounding of the stated inputs may move it
(``spread``) is worked out on the grouped sum, |Σ_t δ(t,k)|·… where the term route adds Σ_t |δ(t,k)|·…
and widens at each of its T²/2 merges, so it may be narrower: a total within the term route's wider
allowance but not this one is judged "rounding" or a slip instead of "follows" (tests/unit/
test_verify_totals.py compares the verdicts of both on random files).
"""

from __future__ import annotations

import math

from .local_rule import Rule, parsed_id

REC = "~rec:"  # a value of the recursive view, worked out from the author's forward values alone
_TRIANGLE = ("running_sum", "factor", "delta", "carry", "rest")


def applies(tape, claims) -> bool:
    """Whether a recurrent total is worked out by the recursive view on this tape with these claims."""
    s = tape.scenario
    if tape.single_target or s.truncate is not None or getattr(s, "method", "bptt") != "bptt":
        return False
    if any(table.truncated.any() or table.weight is not None for table in tape.gradients.values()):
        return False
    for claim in claims:
        vid = parsed_id(claim.id)
        if vid.group == "gradients" and vid.name in _TRIANGLE:
            return False
    return True


def is_recurrent_total(tape, vid_text: str) -> bool:
    if ".total" not in vid_text or not vid_text.startswith("gradients."):
        return False
    table = tape.gradients[parsed_id(vid_text).param]
    return table.k is not None


def stated_terms(claims) -> dict[str, dict[int, None]]:
    """The targets t with a stated term (t, k) of each total: total id -> those t, in the claims' order."""
    out: dict[str, dict[int, None]] = {}
    for claim in claims:
        vid = parsed_id(claim.id)
        if vid.group == "gradients" and vid.name == "term" and vid.index[1:]:
            comp = "[" + ",".join(map(str, vid.component)) + "]" if vid.component else ""
            out.setdefault(f"gradients.{vid.param}.total{comp}", {})[vid.index[0]] = None
    return out


def view(excluded) -> str:
    """The prefix of the recursive view's pseudo-ids summing over every target but the ``excluded`` ones."""
    return REC[:-1] + "{" + ",".join(map(str, sorted(excluded))) + "}:" if excluded else REC


def split(text: str) -> tuple[tuple[int, ...], str]:
    """A pseudo-id of the recursive view: (its excluded targets, the id it is the view's value of)."""
    head, _, vid_text = text.partition(":")
    inside = head[len(REC) - 1:].strip("{}")
    return tuple(int(t) for t in inside.split(",")) if inside else (), vid_text


class WithoutTargets:
    """The tape as the recursive view over some of its targets sees it: the others carry no loss."""

    def __init__(self, tape, excluded) -> None:
        self._tape = tape
        self.target_position = {t: p for t, p in tape.target_position.items() if t not in excluded}

    def __getattr__(self, name):
        return getattr(self._tape, name)


def renamed(rule: Rule, prefix: str = REC) -> Rule:
    """A rule of the recursive view with its backward inputs (∂L/∂O, ∂L/∂a, ∂L/∂c) those of the view too."""
    inputs = tuple(prefix + i if i.startswith(("backward.", "~dLdc[")) else i for i in rule.inputs)
    if inputs == rule.inputs:
        return rule
    pairs, compute = tuple(zip(rule.inputs, inputs)), rule.compute
    return Rule(inputs, lambda v: compute({old: v[new] for old, new in pairs}), rule.formula, rule.hops)


def _step(tape, vid, k: int) -> tuple[str, str | float, str | None] | None:
    """Step k's share of a total: the δ entry's id (of the recursive view), input_k[j] (an id, or a number of
    the file) and r_k[i] where δₕ needs it; None for a vector's step whose input is 0 (as its term's rule
    leaves δ out: the term is 0 whatever δ is)."""
    param, comp = vid.param, vid.component
    row = comp[0] if tape.vector else None
    delta = f"{REC}backward.dL_da[{k}][{row}]" if tape.vector else f"{REC}backward.dL_da[{k}]"
    if param in ("b", "b_prime"):
        source: str | float = 1.0
    else:
        j = comp[1] if tape.vector else 1
        if param == "w":
            source = float(tape.x[k - 1][j - 1]) if tape.vector else float(tape.scenario.x[k - 1])
        elif k == 1:
            source = float(tape.weights["h0"][j - 1]) if tape.vector else float(tape.scenario.h0)
        else:
            source = f"forward.O[{k - 1}][{j}]" if tape.vector else f"forward.O[{k - 1}]"
    if tape.vector and isinstance(source, float) and source == 0.0:
        return None
    reset = None
    gated = getattr(tape, "cell", None) is not None
    if gated and tape.cell.CARRY != "c" and param in ("w_prime", "b_prime") and \
            tape.cell.GATES[(row - 1) // tape.n] == "n":  # δₕ: the n rows ⊙ r_k
        reset = f"forward.gate.r[{k}][{(row - 1) % tape.n + 1}]"
    return delta, source, reset


COLUMN = "~column"  # ~column[k]:<total id>, the terms of step k summed over the view's targets


def total_rules(tape, vid_text: str, excluded) -> list[Rule]:
    """The total's two formulas, each Σ_k (∂L/∂a_k ⊗ input_k) over the targets but the ``excluded`` ones,
    whose terms (t, k), stated or worked, are added one by one (as the term route adds them). Each step's
    share is a value of its own, as each term is on the term route: the rounding of the stated numbers
    it comes from moves it by as much either way, whatever the sign of the input."""
    vid = parsed_id(vid_text)
    comp = "[" + ",".join(map(str, vid.component)) + "]" if vid.component else ""
    columns = [f"{COLUMN}[{k}]:{vid_text}" for k in _steps(tape, vid)]
    terms = [f"gradients.{vid.param}.term[{t},{k}]{comp}" for t in excluded for k in range(1, t + 1)]
    inputs = tuple(dict.fromkeys(columns + terms))

    def compute(v: dict[str, float]) -> float:
        return math.fsum(map(v.__getitem__, inputs))

    # the last running sum stands for the chain of every term's running sum: as many formulas as terms
    chain = len(tape.gradients[vid.param])
    return [Rule(inputs, compute, "the last running sum", chain), Rule(inputs, compute, "Σ terms")]


def _steps(tape, vid) -> list[int]:
    return [k for k in range(1, tape.T + 1) if _step(tape, vid, k) is not None]


def column_rules(tape, text: str, excluded) -> list[Rule]:
    """Step k's share of a total: ∂L/∂a_k[r] (of the view) × input_k[j] (× r_k[i] for δₕ)."""
    head, _, vid_text = text.partition(":")
    k = int(head[len(COLUMN) + 1:-1])
    delta, source, reset = _step(tape, parsed_id(vid_text), k)
    delta = view(excluded) + delta[len(REC):]
    ids = (delta,) + ((source,) if isinstance(source, str) else ()) + ((reset,) if reset else ())

    def compute(v: dict[str, float]) -> float:
        return v[delta] * (v[source] if isinstance(source, str) else source) * (v[reset] if reset else 1.0)

    return [Rule(ids, compute, "∂L/∂a_k ⊗ input_k")]
