"""A gated cell's derivation (SPEC §8) as Markdown or LaTeX, on the vector writer's layout.

The cell gives its equations; each step back's block Jacobian J_j is written once with
‖J_j‖₂ and the carry diagonal (f_j or u_j), as every path through step j shares them; each
term is then its chain ∂ℓ_t/∂s_t · J_t ⋯ J_{k+1} · ∂s_k/∂a_k, δ, the carry share (the path
along the diagonal alone, with ∏ f_j or ∏ u_j), the rest δ − carry, the outer product and
the running sum. A chain more than four steps back is shortened unless ``full_chains``, so
the document stays linear in T.
"""

from __future__ import annotations

from typing import Iterator

import numpy as np

from .. import notation as nt
from ..tape import Tape
from .tex_layout import Atom, number, symbol, transposed
from .document_writer import TEX_PARAM, Writer, eq, update_and_end

_INPUT = {"w_prime": ("O", -1), "w": ("x", 0)}
#: the cell's equations in LaTeX, by cell name
_EQUATIONS = {
    "lstm": (("a_t", "W x_t + b + W' O_{t-1} + b'"), ("i_t", r"\sigma(a^{i}_t)"), ("f_t", r"\sigma(a^{f}_t)"),
             ("g_t", r"\tanh(a^{g}_t)"), ("o_t", r"\sigma(a^{o}_t)"), ("c_t", r"f_t \odot c_{t-1} + i_t \odot g_t"),
             ("O_t", r"o_t \odot \tanh(c_t)")),
    "gru": (("a_t", "W x_t + b"), (r"\tilde{a}_t", "W' O_{t-1} + b'"), ("r_t", r"\sigma(a^{r}_t + \tilde{a}^{r}_t)"),
            ("u_t", r"\sigma(a^{u}_t + \tilde{a}^{u}_t)"), ("n_t", r"\tanh(a^{n}_t + r_t \odot \tilde{a}^{n}_t)"),
            ("O_t", r"(1 - u_t) \odot n_t + u_t \odot O_{t-1}")),
}
_CARRY = {"lstm": "f", "gru": "u"}


def iter_gated_derivation(tape: Tape, digits: int = 6, style: str = "markdown",
                          full_chains: bool = False) -> Iterator[str]:
    s, cell = tape.scenario, tape.cell
    n, m, q = s.sizes
    w = Writer(style, digits)
    M = w.matrix
    name = {"lstm": "An LSTM", "gru": "A GRU"}[cell.NAME]
    if style == "latex":
        yield ("\\documentclass{article}\n\\usepackage{amsmath}\n\\usepackage[margin=2cm]{geometry}\n"
               "\\allowdisplaybreaks\n\\setcounter{MaxMatrixCols}{64}\n"
               "\\exhyphenpenalty=10000\n"  # no line break after a minus sign in text: -0.5, 9.4e-05 stay whole
               "\\begin{document}\n\n")
    yield w.heading(s.name, 1)
    yield w.text(f"{name} with n = {n} units, inputs of size m = {m}, q = {q} outputs, T = {tape.T} steps; "
                 f"g = {s.output_activation}, loss = {s.loss}.")
    if s.description:
        yield w.text(" ".join(s.description.split()))
    yield w.heading("Forward pass")
    starts = [eq("O_0", M(tape.O_prev[0]))] + ([eq("c_0", M(tape.c_prev[0]))] if tape.c is not None else [])
    yield w.math(*[eq(lhs, rhs) for lhs, rhs in _EQUATIONS[cell.NAME]], *starts)
    for t in range(1, tape.T + 1):
        parts = [eq(f"a_{{{t}}}", M(tape.a[t - 1]))]
        if tape.a_prime is not None:
            parts.append(eq(rf"\tilde{{a}}_{{{t}}}", M(tape.a_prime[t - 1])))
        parts += [eq(f"{g}_{{{t}}}", M(tape.gates[g][t - 1])) for g in cell.GATES]
        if tape.c is not None:
            parts.append(eq(f"c_{{{t}}}", M(tape.c[t - 1])))
        yield w.math(*parts, eq(f"O_{{{t}}}", M(tape.O[t - 1])))
    yield w.heading("Outputs and loss")
    for i, t in enumerate(int(t) for t in tape.targets):
        yield w.math(eq(f"z_{{{t}}}", f"W_{{out}} O_{{{t}}} + b_{{out}}", M(tape.z[i])),
                     eq(rf"\hat{{y}}_{{{t}}}", M(tape.yhat[i])), eq(f"y_{{{t}}}", M(tape.y[i])),
                     eq(rf"\ell_{{{t}}}", number(tape.losses[i], digits)))
    yield w.math(eq("L", number(tape.loss, digits)))
    state = "(O_j, c_j)" if tape.c is not None else "O_j"
    diag = _CARRY[cell.NAME]
    yield w.heading("Block Jacobians of one step back")
    yield w.text(f"Every path through step j shares J_j = ∂s_j/∂s_{{j−1}} with s_j = {state}; its carry diagonal "
                 f"diag({diag}_j) is the part the carry share travels.",
                 rf"Every path through step $j$ shares $J_j = \partial s_j/\partial s_{{j-1}}$ with $s_j = {state}$; "
                 rf"its carry diagonal $\operatorname{{diag}}({diag}_j)$ is the part the carry share travels.")
    for j in range(tape.T, 1, -1):
        yield w.math(eq(f"J_{{{j}}}", M(tape.backprop_jacobian(j))),
                     eq(r"\|J_{" + str(j) + r"}\|_2", number(tape.jacobian_norm(j), digits)),
                     eq(f"{diag}_{{{j}}}", M(tape.carry_diagonal(j))))
    for param in tape.params:
        yield from _param_section(tape, param, w, full_chains, diag)
    yield from update_and_end(tape, w, digits, style)  # with the method's sections (randomized, clip_norm)


def _chain(t: int, k: int, immediate: str, full_chains: bool) -> list[Atom]:
    """∂ℓ_t/∂s_t · J_t ⋯ J_{k+1} · ∂s_k/∂a_k, one atom per factor; shortened past four steps back."""
    steps = range(t, k, -1)
    parts = [symbol(rf"\frac{{\partial \ell_{{{t}}}}}{{\partial s_{{{t}}}}}")]
    if len(steps) > 4 and not full_chains:
        parts += [symbol(f"J_{{{t}}}"), symbol(f"J_{{{t - 1}}}"), symbol(r"\cdots"), symbol(f"J_{{{k + 1}}}")]
    else:
        parts += [symbol(f"J_{{{j}}}") for j in steps]
    return parts + [symbol(rf"\frac{{\partial s_{{{k}}}}}{{\partial {immediate}_{{{k}}}}}")]


def _carry_chain(t: int, k: int, diag: str, lstm: bool, immediate: str) -> list[Atom]:
    """The carry share's own chain: the loss row, (o_t ⊙ tanh′(c_t)), ∏ diag(f_j) or ∏ diag(u_j), ∂(lane)_k/∂a_k."""
    parts = [symbol(rf"\frac{{\partial \ell_{{{t}}}}}{{\partial O_{{{t}}}}}")]
    if lstm:
        parts.append(symbol(rf"\operatorname{{diag}}(o_{{{t}}} \odot \tanh'(c_{{{t}}}))"))
    if t > k:
        parts.append(symbol(rf"\prod_{{j={k + 1}}}^{{{t}}} \operatorname{{diag}}({diag}_j)", 70.0))
    lane = "c" if lstm else "O"
    return parts + [symbol(rf"\frac{{\partial {lane}_{{{k}}}}}{{\partial {immediate}_{{{k}}}}}")]


def _param_section(tape: Tape, param: str, w: Writer, full_chains: bool, diag: str) -> Iterator[str]:
    table = tape.gradients[param]
    recurrent = table.k is not None
    P = TEX_PARAM[param]
    M = w.matrix
    yield w.heading(f"{nt.gradient_symbol(param, vector=True)} term by term")
    if recurrent:
        yield from _recurrent_terms(tape, param, w, full_chains, diag)
    else:
        letter = "O" if param == "w_out" else None
        for lo, terms, running in table.blocks():
            deltas = table.deltas(lo, lo + len(terms))
            for offset, value in enumerate(terms):
                t = int(table.t[lo + offset])
                name = rf"\frac{{\partial \ell_{{{t}}}}}{{\partial z_{{{t}}}}}"
                row = M(deltas[offset], False)
                term = eq(rf"\mathrm{{term}}_{{{P}}}({t})")
                if letter:
                    term.eq(symbol(rf"{name}^{{T}} O_{{{t}}}^{{T}}"))
                    term.eq(transposed(row), M(table.inputs[t - 1], False))
                    term.eq(M(value.reshape(table.shape)))
                else:
                    term.eq(symbol(rf"{name}^{{T}}")).eq(transposed(row))  # the formula = its value, not a product
                yield w.math(term, eq(rf"\Sigma_{{{P}}}({t})", M(running[offset].reshape(table.shape))))
    yield w.math(eq(rf"\frac{{\partial L}}{{\partial {P}}}", r"\sum \mathrm{terms}", M(table.total)))


def _recurrent_terms(tape: Tape, param: str, w: Writer, full_chains: bool, diag: str) -> Iterator[str]:
    table = tape.gradients[param]
    P = TEX_PARAM[param]
    M = w.matrix
    lstm = tape.c is not None
    side = param in ("w_prime", "b_prime") and tape.a_prime is not None
    immediate = r"\tilde{a}" if side else "a"
    letter, shift = _INPUT.get(param, (None, 0))
    along = np.ones(tape.n)  # ∏_{j=k+1}^{t} of the carry diagonal, kept as k steps back (linear in T)
    for lo, terms, running in table.blocks():
        hi = lo + len(terms)
        deltas = table.deltas(lo, hi)
        carries = table.carry_rows[lo:hi]
        with np.errstate(all="ignore"):
            rests = deltas - carries
        for offset, value in enumerate(terms):
            i = lo + offset
            t, k = int(table.t[i]), int(table.k[i])
            where = f"{t},{k}"
            row = M(deltas[offset], False)
            delta = eq(rf"\delta({where})", tuple(_chain(t, k, immediate, full_chains)), row)
            with np.errstate(all="ignore"):
                along = np.ones(tape.n) if k == t else along * tape.carry_diagonal(k + 1)
            carry = eq(rf"\mathrm{{carry}}({where})", tuple(_carry_chain(t, k, diag, lstm, immediate)),
                        M(carries[offset], False))
            rest = eq(rf"\mathrm{{rest}}({where})", rf"\delta({where}) - \mathrm{{carry}}({where})",
                       M(rests[offset], False))
            term = eq(rf"\mathrm{{term}}_{{{P}}}({where})")
            if letter:
                term.eq(symbol(rf"\delta({where})^{{T}} {letter}_{{{k + shift}}}^{{T}}"))
                term.eq(transposed(row), M(table.inputs[k - 1], False))
                term.eq(M(value.reshape(table.shape)))
            else:
                term.eq(symbol(rf"\delta({where})^{{T}}"))
            if table.truncated[i]:
                term.parts[-1].append(symbol(r"\quad\text{(truncated: not added)}", 150))
            total = eq(rf"\Sigma_{{{P}}}({where})", M(running[offset].reshape(table.shape)))
            extra = [eq(rf"\prod_{{j={k + 1}}}^{{{t}}} {diag}_j", M(along, False))] if t > k else []
            yield w.math(delta, carry, *extra, rest, term, total)
