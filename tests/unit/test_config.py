"""The config file: keys by binding id, theme, digits; each mistake one line naming the file and the key."""

from __future__ import annotations

import pytest

from rnnstep import cli
from rnnstep.tui import keymap
from rnnstep.tui.config import ConfigError, effective_keys, load_config, textual_keymap


def write(tmp_path, monkeypatch, text: str):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    path = tmp_path / "rnnstep" / "config.toml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_no_file_is_no_config(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    config = load_config()
    assert config.keys == {} and config.theme is None and config.digits is None and config.path is None


def test_keys_theme_and_digits_are_read(tmp_path, monkeypatch):
    path = write(tmp_path, monkeypatch, 'theme = "textual-light"\ndigits = 8\n[keys]\n"rnnstep.next" = "j"\n'
                                        '"rnnstep.goto" = [":", "ctrl+g"]\n')
    config = load_config()
    assert config.path == path and config.theme == "textual-light" and config.digits == 8
    assert config.keys == {"rnnstep.next": "j", "rnnstep.goto": "colon,ctrl+g"}
    keys = {k.id: k.keys for k in effective_keys(config.keys)}
    assert keys["rnnstep.next"] == "j" and keys["rnnstep.factors_down"] == "down"  # j taken from the scroll
    assert textual_keymap(config.keys) == {"rnnstep.next": "j", "rnnstep.factors_down": "down",
                                           "rnnstep.goto": "colon,ctrl+g"}


@pytest.mark.parametrize("text,says", [
    ('[keys]\n"rnnstep.nxt" = "j"\n', "keys.rnnstep.nxt: unknown binding id"),
    ('[keys]\n"rnnstep.next" = "j"\n"rnnstep.previous" = "j"\n', "keys.rnnstep.previous: 'j' is also given to rnnstep.next"),
    ('[keys]\n"rnnstep.note" = "q"\n', "keys.rnnstep.note: 'q' is the only key of rnnstep.quit"),
    ('[keys]\n"rnnstep.next" = "nosuchkey"\n', "keys.rnnstep.next: 'nosuchkey' is not a key name"),
    ('[keys]\n"rnnstep.next" = ""\n', "keys.rnnstep.next: expected a key"),
    ('[keys]\n"rnnstep.next" = 5\n', "keys.rnnstep.next: expected a key"),
    ('theme = "no-such-theme"\n', "theme: expected one of textual-dark"),
    ('digits = 40\n', "digits: expected a whole number from 1 to 17, found 40"),
    ('digits = "6"\n', "digits: expected a whole number"),
    ('colour = "red"\n', "colour: unknown setting"),
    ('[keys\n', "not valid TOML"),
])
def test_a_mistake_is_one_line_naming_the_file_and_the_key_and_exit_2(text, says, tmp_path, monkeypatch, capsys):
    path = write(tmp_path, monkeypatch, text)
    with pytest.raises(ConfigError) as error:
        load_config()
    assert str(error.value).startswith(f"{path}: ") and says in str(error.value), str(error.value)
    assert cli.main(["keys"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(path) in err and says in err
    assert cli.main(["notes-four-steps"]) == 2  # the debugger refuses too, before it needs a terminal


def test_rnnstep_keys_prints_the_effective_keymap(tmp_path, monkeypatch, capsys):
    write(tmp_path, monkeypatch, '[keys]\n"rnnstep.next" = "j"\n')
    assert cli.main(["keys"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "config.toml" in out[0]
    rows = {line[2:].split()[0]: line for line in out[1:] if line[2:].startswith("rnnstep.")}
    assert set(rows) == {k.id for k in keymap.KEYS}
    assert rows["rnnstep.next"].startswith("* ") and " j " in rows["rnnstep.next"]
    assert "↓" in rows["rnnstep.factors_down"] and " j " not in rows["rnnstep.factors_down"]
