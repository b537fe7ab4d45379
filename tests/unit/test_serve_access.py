"""`rnnstep serve`'s rules without a server: who needs a token, what is served, bad arguments."""

from __future__ import annotations

import socket
import sys

import pytest

pytest.importorskip("textual_serve")

from rnnstep.cli import main
from rnnstep.scenario import DEFAULT_NAME, SCENARIO_DIR, shipped_gated_scenarios, shipped_scenarios, shipped_vector_scenarios
from rnnstep.serve import access
from rnnstep.serve.catalog import catalog
from rnnstep.serve.server import share_urls


@pytest.mark.parametrize("host", ["127.0.0.1", "127.3.2.1", "localhost", "::1", "[::1]"])
def test_loopback_needs_no_token(host):
    assert access.is_loopback(host)
    assert access.choose_token(host, None) is None
    assert access.choose_token(host, "given-token") == "given-token"


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "10.0.0.5", "classroom.example.org"])
def test_any_other_host_gets_a_fresh_random_token(host):
    assert not access.is_loopback(host)
    first, second = access.choose_token(host, None), access.choose_token(host, None)
    assert first != second and len(first) >= 32 and access.TOKEN_PATTERN.fullmatch(first)
    assert access.choose_token(host, "given-token") == "given-token"


def test_verdict_401_without_403_wrong_none_right_or_not_required():
    assert access.verdict(None, None) is None and access.verdict(None, "anything") is None
    assert access.verdict("secret-token", None) == 401 and access.verdict("secret-token", "") == 401
    assert access.verdict("secret-token", "secret-tokem") == 403
    assert access.verdict("secret-token", "secret-token") is None


def test_share_urls_give_one_link_per_address_students_can_reach():
    """Issue 18 item 23: `--host 0.0.0.0` printed http://vm:8769/…, a name students' machines may not resolve."""
    assert share_urls("127.0.0.1", 8000, None) == ["http://127.0.0.1:8000/"]
    assert share_urls("::1", 80, None) == ["http://[::1]:80/"]
    assert share_urls("192.168.1.20", 8000, "abc") == ["http://192.168.1.20:8000/?token=abc"]
    mine = ["127.0.0.1", "192.168.1.20", "10.0.0.5", "::1", "fe80::1", "fd00::2", "169.254.3.4"]
    assert share_urls("0.0.0.0", 8123, "abc", mine) == ["http://10.0.0.5:8123/?token=abc",
                                                         "http://192.168.1.20:8123/?token=abc"]
    assert share_urls("::", 8123, None, mine) == ["http://10.0.0.5:8123/", "http://192.168.1.20:8123/",
                                                  "http://[fd00::2]:8123/"]
    assert share_urls("0.0.0.0", 8123, None, ["127.0.0.1"]) == [f"http://{socket.gethostname()}:8123/"]  # all there is
    from rnnstep.serve.addresses import interface_addresses, shareable

    if shareable(interface_addresses()):  # this machine's own links: its addresses, not its name
        assert all(socket.gethostname() not in url for url in share_urls("0.0.0.0", 8123, None))


def test_catalog_default_is_every_shipped_scenario_the_notes_first():
    served = catalog([])
    assert served[0].path.stem == DEFAULT_NAME
    shipped = shipped_scenarios() + shipped_vector_scenarios() + shipped_gated_scenarios()  # LSTM and GRU too
    assert sorted(s.path for s in served) == sorted(p.resolve() for p in shipped)


def test_catalog_takes_files_names_and_folders_once_each(tmp_path):
    (tmp_path / "a.toml").write_text((SCENARIO_DIR / f"{DEFAULT_NAME}.toml").read_text())
    (tmp_path / "b.toml").write_text((SCENARIO_DIR / "vanishing-gradients.toml").read_text())
    served = catalog(["vanishing-gradients", str(tmp_path), str(tmp_path / "a.toml")])
    assert [s.path.name for s in served] == ["vanishing-gradients.toml", "a.toml", "b.toml"]


@pytest.mark.parametrize("args, message", [
    (["serve", "no-such-scenario"], "no such file"),
    (["serve", "--token", "short"], "--token"),
    (["serve", "--port", "0"], "--port"),
    (["serve", "--max-sessions", "0"], "--max-sessions"),
    (["serve", "--per-client", "0"], "--per-client"),
    (["serve", "--idle-minutes", "0"], "--idle-minutes"),
    (["serve", "--idle-minutes", "soon"], "--idle-minutes"),
])
def test_bad_serve_arguments_exit_2_with_one_line(capsys, args, message):
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("rnnstep: error:") and message in err and err.count("\n") == 1


def test_an_empty_folder_is_a_clean_error(tmp_path, capsys):
    assert main(["serve", str(tmp_path)]) == 2
    assert "no .toml scenario files" in capsys.readouterr().err


def test_a_taken_port_is_a_clean_error(capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert "cannot listen on 127.0.0.1" in err


def test_without_the_serve_extra_serve_says_how_to_install_it(capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "textual_serve", None)  # as if `pip install .` alone
    assert main(["serve"]) == 2
    err = capsys.readouterr().err
    assert "pip install '.[serve]'" in err and err.count("\n") == 1  # the README's command, on one line


def test_vector_scenarios_are_served_by_path_by_name_and_by_default():
    """The debugger shows hidden vectors (SPEC §7): so does a served tab."""
    from rnnstep.serve.catalog import catalog

    vector = next((SCENARIO_DIR / "vector").glob("*.toml"))
    assert [s.path for s in catalog([str(vector)])] == [vector.resolve()]
    assert catalog(["hello-char-rnn"])[0].scenario.is_vector
    everything = catalog([])
    assert everything[0].path.stem == "notes-four-steps"
    assert {p.resolve() for p in (SCENARIO_DIR / "vector").glob("*.toml")} <= {s.path for s in everything}


def test_start_up_names_every_served_scenario_the_vector_ones_apart_in_a_few_lines():
    from pathlib import Path

    from rnnstep.serve.catalog import Served, catalog_lines

    served = catalog([])
    lines = catalog_lines(served)
    text = " ".join(lines)
    assert all(len(line) <= 80 for line in lines)
    names = set(text.replace(",", " ").split())
    assert {p.stem for p in shipped_scenarios() + shipped_vector_scenarios() + shipped_gated_scenarios()} <= names
    assert f"LSTM and GRU ({len(shipped_gated_scenarios())}): " in text
    vector = [line for line in lines if f"hidden vectors ({len(shipped_vector_scenarios())}):" in line]
    assert vector and "hello-char-rnn" in vector[0] and "binary-classification" not in text[text.index("hidden vectors"):]
    # a huge catalogue: still a few lines a group, the rest counted
    last_vector = [s for s in served if s.scenario.is_vector and s.scenario.cell == "rnn"][-1:]
    big = [Served(Path(f"/x/a-long-scenario-name-{i}.toml"), served[0].scenario) for i in range(2000)] + last_vector
    lines = catalog_lines(big)
    assert len(lines) <= 6 and all(len(line) <= 80 for line in lines)
    shown = sum(line.count("a-long-scenario-name-") for line in lines)
    assert lines[-2].endswith(f"and {2000 - shown} more") and "hidden vectors (1): worked-example-hidden-two" in lines[-1]


@pytest.mark.parametrize("host, origin, verdict", [
    ("127.0.0.1:8000", None, None),
    ("localhost:8000", "http://localhost:8000", None),
    ("[::1]:8000", "http://[::1]:8000", None),
    ("attacker.example:8000", None, "Host"),
    ("127.0.0.1:8001", None, "Host"),
    ("127.0.0.1", None, "Host"),  # port 80 is not this server's
    ("127.0.0.1:8000", "http://evil.example", "Origin"),
    ("127.0.0.1:8000", "http://localhost:8000", "Origin"),  # another origin, even if it is this machine
    ("127.0.0.1:8000", "null", "Origin"),
    ("127.0.0.1:8000", "https://127.0.0.1:8000", "Origin"),
    (None, None, "Host"),
    ("127.0.0.1:80x", None, "Host"),
])
def test_a_request_must_name_this_server_and_come_from_its_page(host, origin, verdict):
    names = {"127.0.0.1", "localhost", "::1"}
    reason = access.foreign(host, origin, names, 8000)
    assert (reason is None) if verdict is None else (reason is not None and verdict in reason), reason


def test_every_interface_accepts_this_machines_addresses_and_name_only():
    from rnnstep.serve.addresses import interface_addresses, own_names

    names = own_names("0.0.0.0")
    assert socket.gethostname().lower() in names and "127.0.0.1" in names
    assert set(interface_addresses()) <= names and "attacker.example" not in names
    assert own_names("127.0.0.1") == {"127.0.0.1", "localhost", "::1"}
