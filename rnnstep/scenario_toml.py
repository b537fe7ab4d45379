"""Write a scenario back out as a TOML file (``Scenario.to_toml()``).

The text loads back to an equal scenario: floats are written with ``repr`` (which
round-trips float64 exactly), strings as TOML basic strings.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from .scenario import Scenario


def _string(text: str) -> str:
    # a JSON string is a valid TOML basic string (\n, \", \\ and \uXXXX escapes)
    return json.dumps(text, ensure_ascii=False)


def _value(value: Any) -> str:
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    return _string(str(value))


_WEIGHT_KEYS = (("w", "w_prime", "b", "w_out", "b_out"), ("w", "w_prime", "b", "b_prime", "w_out", "b_out"))


def scenario_toml(s: "Scenario") -> str:
    lines: list[str] = []
    if s.title:
        lines.append(f"title = {_string(s.title)}")
    if s.description:
        lines.append(f"description = {_string(s.description)}")
    if s.breakpoints:
        lines.append(f"breakpoints = {_value(list(s.breakpoints))}")
    if s.cell != "rnn":  # SPEC §8: a gated cell has no activation; b_prime and (LSTM) c0 join
        lines += ["", "[rnn]", f"cell = {_string(s.cell)}", f"hidden_size = {s.sizes[0]}", f"h0 = {_value(s.h0)}"]
        lines += [f"c0 = {_value(s.c0)}"] if s.c0 is not None else []
    else:
        lines += ["", "[rnn]", f"activation = {_string(s.activation)}"]
        if s.is_vector:
            lines.append(f"hidden_size = {s.sizes[0]}")
        lines += [f"h0 = {_value(s.h0)}", f"leaky_slope = {s.leaky_slope!r}"]
    lines += ["", "[output]", f"activation = {_string(s.output_activation)}", f"loss = {_string(s.loss)}"]
    lines += ["", "[weights]"] + [f"{p} = {_value(getattr(s, p))}" for p in _WEIGHT_KEYS[s.cell != "rnn"]]
    x = s.x if s.is_vector else list(s.x)
    y = s.y
    if s.is_vector and s.sizes[2] == 1 and not s.target_at_every_step:
        y = s.y[0]  # one output at the last step: a plain number, as SPEC §4 writes it
    lines += ["", "[data]", f"x = {_value(x)}", f"y = {_value(y)}"]
    lines += ["", "[train]", f"learning_rate = {s.learning_rate!r}"]
    if s.truncate is not None:
        lines.append(f"truncate = {s.truncate}")
    if s.clip is not None:
        lines.append(f"clip = {s.clip!r}")
    if s.watches:
        lines.append(f"watch = {_value(list(s.watches))}")
    if s.method != "bptt":
        lines.append(f"method = {_string(s.method)}")
    lines += [f"{key} = {getattr(s, key)!r}" for key in ("k1", "k2", "keep", "seed", "clip_norm")
              if getattr(s, key) is not None]
    for note in s.notes:
        lines += ["", "[[notes]]", f"at = {_string(note.at)}", f"text = {_string(note.text)}"]
    if s.claims:
        lines += ["", "[claims]"] + _claims(s)
    return "\n".join(lines) + "\n"


def _claims(s: "Scenario") -> list[str]:
    """One line per claim; a whole vector or matrix stated at once is written back as one array of strings."""
    lines, wholes = [], {}
    for c in s.claims:
        if not c.whole:
            lines.append(f"{_string(c.id)} = {_string(c.text)}")
            continue
        if c.whole not in wholes:
            wholes[c.whole] = len(lines)
            lines.append(c.whole)
    for whole, at in wholes.items():
        entries = [c for c in s.claims if c.whole == whole]
        if entries[0].id.endswith("]") and "," in entries[0].id.rsplit("[", 1)[1]:  # a matrix: rows of strings
            rows: dict[str, list[str]] = {}
            for c in entries:
                rows.setdefault(c.id.rsplit("[", 1)[1].split(",")[0], []).append(_string(c.text))
            text = "[" + ", ".join("[" + ", ".join(r) + "]" for r in rows.values()) + "]"
        else:
            text = "[" + ", ".join(_string(c.text) for c in entries) + "]"
        lines[at] = f"{_string(whole)} = {text}"
    return lines
