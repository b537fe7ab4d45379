"""A small, safe evaluator for the formulas rnnstep prints, and a checker of ``a = b = c`` chains.

No ``eval``: a tokenizer and a recursive-descent parser for the forms the screens and documents
use — numbers (also ``1.2e-05`` and ``1.2×10⁻⁵``), ``+ − - · × * /``, parentheses and brackets,
``clip(x, ±c)``, ``²``, ``√``, ``exp``, ``ln``, ``tanh``, ``σ``/``sigmoid``, ``identity``, ``relu``.
Anything else (a symbol such as a₁ or ∂L/∂w) makes a segment non-numeric: it is skipped, not guessed.
"""

from __future__ import annotations

import math
import re

_SUP = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")
_NUMBER = re.compile(r"(\d+(?:\.\d+)?|\.\d+)(?:e([+-]?\d+)|×10([⁻⁺]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+))?")
_WORD = re.compile(r"[A-Za-zσ√_]+")
_FUNCTIONS = {
    "tanh": math.tanh, "exp": math.exp, "ln": math.log, "σ": lambda v: 1 / (1 + math.exp(-v)),
    "sigmoid": lambda v: 1 / (1 + math.exp(-v)), "identity": lambda v: v, "relu": lambda v: max(0.0, v),
    "√": math.sqrt,
}


_APPLIED = re.compile(r"^(tanh|sigmoid|σ|identity|relu|exp|ln|clip)\((.*)\)$")


class NotNumeric(Exception):
    """The text is not a formula of numbers alone."""


def tokens(text: str) -> list[str]:
    out, i = [], 0
    text = text.replace("**", "").replace("½", "0.5·")
    while i < len(text):
        c = text[i]
        if c.isspace():
            i += 1
            continue
        m = _NUMBER.match(text, i)
        if m and (c.isdigit() or c == "."):
            mantissa = m[1]
            if m[2] is not None:
                value = f"{mantissa}e{m[2]}"
            elif m[3] is not None:
                value = f"{mantissa}e{m[3].translate(_SUP)}"
            else:
                value = mantissa
            out.append("#" + value)
            i = m.end()
            continue
        if c in "+−-·×*/()[],±²":
            out.append({"-": "−", "*": "·", "×": "·"}.get(c, c))
            i += 1
            continue
        m = _WORD.match(text, i)
        if m and m[0] in _FUNCTIONS:
            out.append(m[0])
            i = m.end()
            continue
        if m and m[0] == "clip":
            out.append("clip")
            i = m.end()
            continue
        raise NotNumeric(text)
    return out


class _Parser:
    def __init__(self, toks: list[str]):
        self.toks, self.i = toks, 0

    def peek(self) -> str | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self, want: str | None = None) -> str:
        tok = self.peek()
        if tok is None or (want is not None and tok != want):
            raise NotNumeric(f"expected {want!r} at {self.i} in {self.toks}")
        self.i += 1
        return tok

    def expr(self) -> float:
        value = self.term()
        while self.peek() in ("+", "−"):
            op = self.take()
            right = self.term()
            value = value + right if op == "+" else value - right
        return value

    def term(self) -> float:
        value = self.unary()
        while self.peek() in ("·", "/"):
            op = self.take()
            right = self.unary()
            value = value * right if op == "·" else value / right
        return value

    def unary(self) -> float:
        if self.peek() in ("−", "+"):
            op = self.take()
            value = self.unary()
            return -value if op == "−" else value
        return self.postfix()

    def postfix(self) -> float:
        value = self.primary()
        while self.peek() == "²":
            self.take()
            value = value * value
        return value

    def primary(self) -> float:
        tok = self.peek()
        if tok is None:
            raise NotNumeric("empty")
        if tok.startswith("#"):
            self.take()
            return float(tok[1:])
        if tok in ("(", "["):
            self.take()
            value = self.expr()
            self.take(")" if tok == "(" else "]")
            return value
        if tok == "clip":
            self.take()
            self.take("(")
            x = self.expr()
            self.take(",")
            self.take("±")
            c = self.expr()
            self.take(")")
            return min(max(x, -c), c)
        if tok in _FUNCTIONS:
            self.take()
            square = False
            if self.peek() == "²":  # tanh²(x)
                self.take()
                square = True
            value = _FUNCTIONS[tok](self.postfix() if self.peek() != "(" else self.primary())
            return value * value if square else value
        raise NotNumeric(tok)


def evaluate(text: str) -> float:
    """The value of a formula of numbers; NotNumeric if it holds anything else."""
    parser = _Parser(tokens(text))
    value = parser.expr()
    if parser.peek() is not None:
        raise NotNumeric(text)
    return value


def _split_outside(text: str, sep: str) -> list[str]:
    """``text`` split at ``sep`` where it is not inside brackets."""
    parts, depth, start, i = [], 0, 0, 0
    while i < len(text):
        c = text[i]
        if c in "([":
            depth += 1
        elif c in ")]":
            depth -= 1
        elif depth == 0 and text.startswith(sep, i):
            parts.append(text[start:i])
            start = i + len(sep)
            i = start
            continue
        i += 1
    parts.append(text[start:])
    return parts


def agree(left: float, right: float, digits: int = 6) -> bool:
    """Does ``left`` print as ``right`` at ``digits`` significant digits (a tie may round either way)?"""
    if not (math.isfinite(left) and math.isfinite(right)):
        return left == right or (math.isnan(left) and math.isnan(right))
    if f"{left:.{digits}g}" == f"{right:.{digits}g}":
        return True
    scale = max(abs(left), abs(right))
    if scale == 0:
        return True
    ulp = 10 ** (math.floor(math.log10(scale)) - digits + 1)
    return abs(left - right) <= 0.5 * ulp * (1 + 1e-9) + 1e-300


def chains(line: str) -> list[list[tuple[str, str]]]:
    """Each ``a = b ≈ c`` chain of ``line`` as [(relation before, segment), …] (the first relation is "")."""
    out = []
    for clause in _split_outside(line, ", "):
        for piece in _split_outside(clause, ":  "):
            pieces = re.split(r" (=|≈) ", piece)
            chain = [("", pieces[0])] + [(pieces[j], pieces[j + 1]) for j in range(1, len(pieces) - 1, 2)]
            if len(chain) > 1:
                out.append(chain)
    return out


def false_equalities(line: str, digits: int = 6) -> list[str]:
    """Every ``=`` in ``line`` between two numeric sides that do not agree at ``digits`` digits,
    and every ``≈`` between sides more than 0.1 % apart."""
    wrong = []
    for chain in chains(line):
        values: list[float | None] = []
        for _, segment in chain:
            text = segment.strip().rstrip(".;")
            text = re.sub(r"\s+\(.*\)$", "", text) if not text.startswith("(") else text
            try:
                values.append(evaluate(text))
            except (NotNumeric, ValueError, ZeroDivisionError, OverflowError):
                values.append(None)
        for j in range(1, len(chain)):
            relation, left, right = chain[j][0], values[j - 1], values[j]
            same = [_APPLIED.match(chain[i][1].strip()) for i in (j - 1, j)]
            if all(same) and same[0][1] == same[1][1]:  # tanh(0.9·1.2 + …) = tanh(1.12923): the arguments are equal
                try:
                    left, right = evaluate(same[0][2]), evaluate(same[1][2])
                except (NotNumeric, ValueError, ZeroDivisionError, OverflowError):
                    pass
            if left is None or right is None:
                continue
            if relation == "=" and not agree(left, right, digits):
                wrong.append(f"{chain[j - 1][1].strip()} = {chain[j][1].strip()}  ({left!r} vs {right!r})")
            if relation == "≈" and abs(left - right) > 1e-3 * max(abs(left), abs(right)):
                wrong.append(f"{chain[j - 1][1].strip()} ≈ {chain[j][1].strip()}  ({left!r} vs {right!r})")
    return wrong
