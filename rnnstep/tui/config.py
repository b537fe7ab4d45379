"""The user's config file: ``$XDG_CONFIG_HOME/rnnstep/config.toml`` (default ``~/.config/rnnstep/config.toml``).

    theme = "textual-light"          # a Textual theme
    digits = 8                       # significant digits shown (1 … 17)

    [keys]                           # binding ids (``rnnstep keys`` lists them) over the defaults
    "rnnstep.next" = "j"             # one key, or several: "j,down" or ["j", "down"]

A mistake (an unknown id or setting, a key two actions would share, a bad value) is a ``ConfigError``:
one line naming the file and the key. No file is no config; the command-line flags win over the file.
"""

from __future__ import annotations

import os
import string
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from . import keymap


class ConfigError(ValueError):
    """A mistake in the config file: one line, naming the file and the key."""


@dataclass(frozen=True)
class Config:
    keys: dict[str, str] = field(default_factory=dict)  # binding id -> Textual key names, comma-separated
    theme: str | None = None
    digits: int | None = None
    path: Path | None = None  # the file read, if any


def config_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "rnnstep" / "config.toml"


#: the file's size limit: a config is a few lines
MOST_BYTES = 64_000
MODIFIERS = ("ctrl+", "alt+", "shift+", "meta+", "super+", "hyper+")


def _key_names() -> frozenset[str]:
    from textual.keys import Keys, _character_to_key

    printable = [c for c in string.printable if c not in string.whitespace]
    return frozenset({k.value for k in Keys} | {_character_to_key(c) for c in printable} | set(printable)
                     | {"space", "tab", "enter", "escape", "backspace"})


def normal_key(text: str) -> str | None:
    """A Textual key name for ``text`` (":" is "colon", "ctrl+J" is "ctrl+j"), or None if it names no key."""
    from textual.keys import _character_to_key

    key = text.strip()
    if len(key) == 1:
        key = _character_to_key(key)
    mods = ""
    while key.lower().startswith(MODIFIERS) and len(key) > key.index("+") + 1:
        cut = key.index("+") + 1
        mods, key = mods + key[:cut].lower(), key[cut:]
    if len(key) == 1:
        key = _character_to_key(key.lower() if mods else key)
    if not key or (key not in _key_names() and key.lower() not in _key_names()):
        return None
    return mods + (key if key in _key_names() else key.lower())


def load_config(path: Path | None = None) -> Config:
    """The config at ``path`` (default: ``config_path()``); an empty Config when there is no file."""
    path = path or config_path()
    if not path.exists():
        return Config()
    where = str(path)
    if not path.is_file():
        raise ConfigError(f"{where}: not a regular file")
    try:
        with open(path, "rb") as f:
            data = f.read(MOST_BYTES + 1)
    except OSError as exc:
        raise ConfigError(f"{where}: cannot read: {exc.strerror or exc}") from None
    if len(data) > MOST_BYTES:
        raise ConfigError(f"{where}: over {MOST_BYTES // 1000} kB; a config file is a few lines")
    try:
        table = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError) as exc:
        raise ConfigError(f"{where}: not valid TOML ({str(exc).splitlines()[0] if str(exc) else 'bad bytes'})") from None
    unknown = sorted(set(table) - {"keys", "theme", "digits"})
    if unknown:
        raise ConfigError(f"{where}: {unknown[0]}: unknown setting (expected theme, digits or a [keys] table)")
    return Config(keys=_keys(where, table.get("keys", {})), theme=_theme(where, table.get("theme")),
                  digits=_digits(where, table.get("digits")), path=path)


def _theme(where: str, value) -> str | None:
    if value is None:
        return None
    from textual.theme import BUILTIN_THEMES

    if not isinstance(value, str) or value not in BUILTIN_THEMES:
        raise ConfigError(f"{where}: theme: expected one of {', '.join(BUILTIN_THEMES)}, found {value!r}")
    return value


def _digits(where: str, value) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 17:
        raise ConfigError(f"{where}: digits: expected a whole number from 1 to 17, found {value!r}")
    return value


def _keys(where: str, table) -> dict[str, str]:
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: keys: expected a table of binding ids, e.g. \"rnnstep.next\" = \"j\"")
    ids = {key.id for key in keymap.KEYS}
    out: dict[str, str] = {}
    for binding_id, value in table.items():
        at = f"{where}: keys.{binding_id}"
        if binding_id not in ids:
            raise ConfigError(f"{at}: unknown binding id (`rnnstep keys` lists them)")
        names = value.split(",") if isinstance(value, str) else value
        if not isinstance(names, list) or not names or not all(isinstance(n, str) and n.strip() for n in names):
            raise ConfigError(f"{at}: expected a key such as \"j\", several as \"j,down\" or [\"j\", \"down\"]")
        normal = []
        for name in names:
            key = normal_key(name)
            if key is None:
                raise ConfigError(f"{at}: {name.strip()!r} is not a key name (e.g. j, J, colon, down, ctrl+n, f5)")
            normal.append(key)
        out[binding_id] = ",".join(dict.fromkeys(normal))
    _no_key_twice(where, out)
    return out


def _no_key_twice(where: str, overrides: dict[str, str]) -> None:
    """No key may do two things. The user's keys win over the defaults (``"rnnstep.next" = "j"`` takes j from
    the factor scroll, which keeps ↓); two of the user's bindings sharing a key, or a default left with no key
    at all, is a mistake."""
    owner: dict[str, str] = {}
    for binding_id, keys in overrides.items():
        for name in keys.split(","):
            if name in owner:
                raise ConfigError(f"{where}: keys.{binding_id}: {name!r} is also given to {owner[name]}; "
                                  "give one of them another key")
            owner[name] = binding_id
    for key in keymap.KEYS:
        if key.id not in overrides and all(name in owner for name in key.keys.split(",")):
            taken = key.keys.split(",")[0]
            raise ConfigError(f"{where}: keys.{owner[taken]}: {taken!r} is the only key of {key.id}; "
                              f"give {key.id} another key too")


def effective_keys(overrides: dict[str, str]) -> tuple[keymap.Key, ...]:
    """The keymap with the user's keys in place (labels then show the user's keys); a default key the user
    gave to another action is taken from its default binding."""
    from dataclasses import replace

    taken = {name for keys in overrides.values() for name in keys.split(",")}
    out = []
    for key in keymap.KEYS:
        if key.id in overrides:
            out.append(replace(key, keys=overrides[key.id], key_display=None))
        elif taken & set(key.keys.split(",")):
            kept = ",".join(k for k in key.keys.split(",") if k not in taken)
            out.append(replace(key, keys=kept, key_display=None))
        else:
            out.append(key)
    return tuple(out)


def textual_keymap(overrides: dict[str, str]) -> dict[str, str]:
    """What ``App.set_keymap`` needs: every binding whose keys differ from its default (Textual replaces the
    keys of the ids it is given and leaves the others as declared)."""
    defaults = {key.id: key.keys for key in keymap.KEYS}
    return {key.id: key.keys for key in effective_keys(overrides) if key.keys != defaults[key.id]}
