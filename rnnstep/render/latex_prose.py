"""Prose for LaTeX's text mode: specials escaped, each symbol set in maths, subscripts as subscripts.

The one escaper of every LaTeX document's prose: the trace's LaTeX (latex.py), the vector and gated
documents (document_writer.py) and the training methods' sections (methods_text.py).
"""

from __future__ import annotations

import re

_TEXT_ESCAPES = {
    "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
    "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
    "′": "$'$", "·": r"$\cdot$", "∂": r"$\partial$", "≥": r"$\geq$", "≤": r"$\leq$", "−": "-",
    "η": r"$\eta$", "σ": r"$\sigma$", "Σ": r"$\Sigma$", "ŷ": r"$\hat{y}$", "→": r"$\to$", "×": r"$\times$",
    "…": r"\ldots{}", "—": "---", "–": "--", "’": "'", "“": "``", "”": "''", "≈": r"$\approx$",
    "⁺": r"$^{+}$", "ℓ": r"$\ell$", "∈": r"$\in$",
    # what vector scenarios' descriptions and notes use (SPEC §7), and other common maths in prose
    "δ": r"$\delta$", "ᵀ": r"$^{T}$", "‖": r"$\|$", "⋯": r"$\cdots$", "±": r"$\pm$", "°": r"$^{\circ}$",
    "§": r"\S{}", "¹": r"$^{1}$", "²": r"$^{2}$", "³": r"$^{3}$", "⁻": r"$^{-}$", "α": r"$\alpha$",
    "β": r"$\beta$", "γ": r"$\gamma$", "ε": r"$\varepsilon$", "θ": r"$\theta$", "λ": r"$\lambda$",
    "μ": r"$\mu$", "π": r"$\pi$", "ρ": r"$\rho$", "τ": r"$\tau$", "φ": r"$\varphi$", "ω": r"$\omega$",
    "Δ": r"$\Delta$", "∇": r"$\nabla$", "∏": r"$\prod$", "∑": r"$\sum$", "≠": r"$\neq$", "⊙": r"$\odot$",
    "⊗": r"$\otimes$", "∘": r"$\circ$", "∞": r"$\infty$", "√": r"$\surd$", "⁄": "/", "ξ": r"$\xi$",
}
_SUBSCRIPTS = "₀₁₂₃₄₅₆₇₈₉"


# a one-letter name's subscript in prose, as the notes write it: O_{k−1}, a_j (not w_prime, W_out)
_PROSE_SUBSCRIPT = re.compile(r"(?<![A-Za-z])([A-Za-z]′?)_(\{[^{}\\$]*\}|[A-Za-z0-9](?![A-Za-z0-9_]))")


def latex_text(text: str) -> str:
    """Escape text for LaTeX; a one-letter name's subscript (O_{k−1}) is set as a subscript;
    characters outside ASCII that it cannot set become '?'."""
    parts = _PROSE_SUBSCRIPT.split(text)  # text, name, subscript, text, name, subscript, …, text
    if len(parts) == 1:
        return _escaped(text)
    out = []
    for n, part in enumerate(parts):
        if n % 3 == 2:
            out.append("$_{" + _escaped(part.strip("{}")).replace("$", "") + "}$")
        else:
            out.append(_escaped(part))
    return "".join(out)


def _escaped(text: str) -> str:
    out = []
    for ch in text:
        if ch in _TEXT_ESCAPES:
            out.append(_TEXT_ESCAPES[ch])
        elif ch in _SUBSCRIPTS:
            out.append(f"$_{_SUBSCRIPTS.index(ch)}$")
        elif ord(ch) < 128:
            out.append(ch)
        else:
            out.append("?")
    # two symbols side by side (∂ℓ) would close one $…$ and open the next as "$$", display maths: one span
    return _ADJACENT_MATH.sub("", "".join(out))


_ADJACENT_MATH = re.compile(r"(?<!\\)\$\$")  # "$$" that is not an escaped "\$" followed by "$"
