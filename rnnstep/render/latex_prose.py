"""Prose for LaTeX's text mode: specials escaped, each symbol set in maths, subscripts as subscripts.

The one escaper of every LaTeX document's prose: the trace's LaTeX (latex.py), the vector and gated
documents (document_writer.py) and the training methods' sections (methods_text.py).
"""

from __future__ import annotations

import re
import unicodedata

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
    # arrows and relations the gated notes use (c₂ ← c₁), and the rest of the symbols rnnstep writes anywhere
    "←": r"$\leftarrow$", "↑": r"$\uparrow$", "↓": r"$\downarrow$", "↔": r"$\leftrightarrow$", "⇒": r"$\Rightarrow$",
    "⇐": r"$\Leftarrow$", "⇔": r"$\Leftrightarrow$", "≪": r"$\ll$", "≫": r"$\gg$", "≡": r"$\equiv$",
    "∝": r"$\propto$", "⋮": r"$\vdots$", "µ": r"$\mu$", "÷": r"$\div$", "✓": r"$\surd$", "✗": "x",
    "∀": r"$\forall$", "∃": r"$\exists$", "⊕": r"$\oplus$", "•": r"$\bullet$", "⋅": r"$\cdot$",
}
_SUBSCRIPTS = "₀₁₂₃₄₅₆₇₈₉"


# a one-letter name's subscript in prose, as the notes write it: O_{k−1}, O_(t−1), a_j, ∂ℓ_t (not w_prime, W_out)
_PROSE_SUBSCRIPT = re.compile(r"(?<![A-Za-zãℓ])([A-Za-zãℓ]′?)_(\{[^{}\\$]*\}|\([^(){}\\$]*\)|[A-Za-z0-9](?![A-Za-z0-9_]))")


def latex_text(text: str) -> str:
    """Escape text for LaTeX; a one-letter name's subscript (O_{k−1}, ã_t) is set as a subscript; a character
    outside ASCII is set by its entry, or as the sub/superscript, fraction, accented letter or Greek letter it
    is; only one that is none of these becomes '?'."""
    parts = _PROSE_SUBSCRIPT.split(text)  # text, name, subscript, text, name, subscript, …, text
    if len(parts) == 1:
        return _escaped(text)
    out = []
    for n, part in enumerate(parts):
        if n % 3 == 2:
            inner = part[1:-1] if part[:1] in "{(" else part  # O_{k−1} and O_(t−1) alike: O$_{k-1}$
            out.append("$_{" + _escaped(inner).replace("$", "") + "}$")
        else:
            out.append(_escaped(part))
    return "".join(out)


def _escaped(text: str) -> str:
    out: list[str] = []
    script: tuple[str, list[str]] | None = None  # a run of sub- or superscripts (₂₀, ⁱ): one group, $_{20}$
    for ch in unicodedata.normalize("NFC", text):  # a + combining tilde is ã
        mark = _script(ch)
        if mark is not None and script is not None and script[0] == mark[0]:
            script[1].append(mark[1])
            continue
        if script is not None:
            out.append(f"${script[0]}{{{''.join(script[1])}}}$")
            script = None
        if mark is not None:
            script = (mark[0], [mark[1]])
        elif ch in _TEXT_ESCAPES:
            out.append(_TEXT_ESCAPES[ch])
        elif ord(ch) < 128:
            out.append(ch)
        else:
            out.append(_decomposed(ch))
    if script is not None:
        out.append(f"${script[0]}{{{''.join(script[1])}}}$")
    # two symbols side by side (∂ℓ) would close one $…$ and open the next as "$$", display maths: one span
    pieces = _ADJACENT_MATH.split("".join(out))
    text = pieces[0]
    for piece in pieces[1:]:
        text += _seam(text, piece[:1]) + piece
    return text


def _seam(before: str, after: str) -> str:
    """Where two $…$ meet: nothing, or "{}" when the second's script would be a second one of the same kind on
    the first's last atom (2²° is $^{2}{}^{\\circ}$: $^{2}^{\\circ}$ is TeX's "Double superscript")."""
    scripts = _TRAILING_SCRIPTS.search(before) if after in ("^", "_", "'") else None
    if scripts is None:
        return ""
    chain = scripts.group(0)
    if after in "^'" and chain.strip("'") == "":  # w′² and w′′: LaTeX's prime takes a superscript after it
        return ""
    kinds = {"_" if piece.startswith("_") else "^" for piece in _SCRIPT_PIECE.findall(chain)}
    return "{}" if ("_" if after == "_" else "^") in kinds else ""


def _script(ch: str) -> tuple[str, str] | None:
    """("_", "2") for ₂, ("^", "f") for ᶠ (the gates' aᶠ), ("^", "-") for ⁻: any Unicode sub- or superscript,
    ¹, ², ᵀ, ⁺ … included (their table entries are the same forms), so that a run is one group: 1.5¹¹ is
    1.5$^{11}$, not 1.5$^{1}$$^{1}$, which joins into TeX's "Double superscript" 1.5$^{1}^{1}$."""
    kind, _, code = unicodedata.decomposition(ch).partition(" ")
    if kind not in ("<sub>", "<super>") or not code:
        return None
    base = chr(int(code.split()[0], 16))
    inner = _TEXT_ESCAPES.get(base, base) if ord(base) >= 128 else base
    return ("_" if kind == "<sub>" else "^"), inner.replace("$", "")


_ACCENTS = {"0300": "`", "0301": "'", "0302": "^", "0303": "~", "0304": "=", "0306": "u", "0307": ".",
            "0308": '"', "030A": "r", "030C": "v", "0327": "c"}


def _decomposed(ch: str) -> str:
    r"""A character without an entry of its own: ½ as a fraction, ã as \~{a}, a Greek letter by its name;
    '?' only for what none of these sets."""
    kind, _, rest = unicodedata.decomposition(ch).partition(" ")
    if kind == "<fraction>":
        numerator, _, denominator = (chr(int(c, 16)) for c in rest.split())
        return f"$\\frac{{{numerator}}}{{{denominator}}}$"
    if kind and not kind.startswith("<") and rest in _ACCENTS and ord(chr(int(kind, 16))) < 128:
        return f"\\{_ACCENTS[rest]}{{{chr(int(kind, 16))}}}"
    name = unicodedata.name(ch, "")
    if name.startswith("GREEK SMALL LETTER ") or name.startswith("GREEK CAPITAL LETTER "):
        letter = name.rsplit(" ", 1)[1].lower()
        if name.startswith("GREEK CAPITAL"):
            letter = letter.capitalize()
        if letter.lower() in _GREEK:
            return f"$\\{letter}$"
    return "?"


_GREEK = {"alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda", "mu",
          "nu", "xi", "pi", "rho", "sigma", "tau", "upsilon", "phi", "chi", "psi", "omega"}


_ADJACENT_MATH = re.compile(r"(?<!\\)\$\$")  # "$$" that is not an escaped "\$" followed by "$"
_SCRIPT_PIECE = re.compile(r"[_^]\{[^{}]*\}|'")
_TRAILING_SCRIPTS = re.compile(r"(?:[_^]\{[^{}]*\}|')+$")  # the scripts that end a math span: _{20}^{T}, ^{2}''
