"""Each value's formula from its direct inputs — the local rules of the chain.

``rules(tape, vid)`` lists the ways a value can be computed from the values it
directly uses (ids of SPEC §6), e.g. O₂ = f(a₂), a term = the product of its
factors or ∂L/∂a_k × the weight's input, f′(a) of tanh = 1 − O². `rnnstep verify`
recomputes a stated number from the author's values of its inputs; the tests
check that every rule, fed the tape's own values, gives the tape's value.
This is the one place that asks the right side: the notes' one-unit network has its
rules in rules_scalar.py, a vector scenario's entries (SPEC §7) theirs in rules_vector.py;
what both share (``Rule``, ``parsed_id``) is local_rule.py's.
"""

from __future__ import annotations

from .ids import ValueId
from .local_rule import FLOAT_DERIVATIVES, Rule, parsed_id
from .rules_scalar import factor_id, path_id, path_rules, scalar_rules
from .rules_vector import vector_rules
from .tape import Tape

__all__ = ["FLOAT_DERIVATIVES", "Rule", "factor_id", "parsed_id", "path_id", "path_rules", "rules"]


def rules(tape: Tape, vid: ValueId | str, paths: bool = False) -> list[Rule]:
    vid = parsed_id(vid) if isinstance(vid, str) else vid
    if tape.vector:  # one entry of a hidden vector
        return vector_rules(tape, vid)
    return scalar_rules(tape, vid, paths)
