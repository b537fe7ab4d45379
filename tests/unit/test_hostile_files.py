"""Hostile and unlucky input to the loader (issue 20): every outcome is a scenario or one clean line, exit 2."""

import os
import subprocess
import sys
import warnings

import pytest

from rnnstep import ScenarioError
from rnnstep import scenario as scenario_module
from rnnstep.cli import main
from rnnstep.scenario import load_scenario_file, parse_scenario

GOOD = """
[weights]
w = 0.5
w_prime = -0.3
b = 0.1
[data]
x = [1.0, 0.5]
y = 0.2
"""
BIG = "1" + "0" * 400  # a TOML integer too large for a float64


def one_clean_line(capsys, argv, words=()) -> str:
    """``rnnstep argv`` exits 2 with exactly one line on stderr, no traceback."""
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.startswith("rnnstep: error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err and "internal error" not in err
    for word in words:
        assert word in err, err
    return err


def one_clean_line_in_a_process(argv, words=(), timeout=30) -> str:
    """As ``one_clean_line``, in a process of its own that must end within ``timeout`` s (it may hang before a fix)."""
    done = subprocess.run([sys.executable, "-m", "rnnstep", *argv], capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("rnnstep: error: ") and done.stderr.count("\n") == 1, done.stderr
    for word in words:
        assert word in done.stderr, done.stderr
    return done.stderr


def write(tmp_path, text, name="s.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


# -- issue 20 item 2: softmax over one output --------------------------------------------------------

SOFTMAX_ONE = GOOD.replace("[weights]", "[output]\nactivation = 'softmax'\nloss = 'cross_entropy'\n[weights]").replace(
    "y = 0.2", "y = 1.0")


@pytest.mark.parametrize("command", [["trace"], ["trace", "--format", "json"], ["check"], ["verify"],
                                     ["drill", "--plain"], ["open"]])
def test_softmax_over_one_output_is_refused_at_load_by_every_command(tmp_path, capsys, command):
    path = write(tmp_path, SOFTMAX_ONE)
    err = one_clean_line(capsys, [*command, path], ["output.activation", "softmax over one output is always 1"])
    assert "sigmoid" in err  # what to use instead


def test_softmax_over_one_output_is_refused_by_serve_before_anyone_connects(tmp_path):
    pytest.importorskip("aiohttp")
    one_clean_line_in_a_process(["serve", "--port", "18298", write(tmp_path, SOFTMAX_ONE)],
                                ["softmax over one output is always 1"])


def test_softmax_over_one_output_is_refused_with_any_loss(tmp_path):
    text = GOOD.replace("[weights]", "[output]\nactivation = 'softmax'\n[weights]")
    with pytest.raises(ScenarioError, match="softmax over one output is always 1"):
        parse_scenario(text, "s.toml")


# -- issue 20 item 3: numbers too large, nesting too deep, names too long, ~nosuchuser -----------------

SCALAR_NUMBER_FIELDS = [("w = 0.5", f"w = {BIG}"), ("w_prime = -0.3", f"w_prime = -{BIG}"), ("b = 0.1", f"b = {BIG}"),
                        ("b = 0.1", f"b = 0.1\nw_out = {BIG}"), ("b = 0.1", f"b = 0.1\nb_out = {BIG}"),
                        ("x = [1.0, 0.5]", f"x = [1.0, {BIG}]"), ("y = 0.2", f"y = {BIG}"), ("y = 0.2", f"y = [0.1, {BIG}]"),
                        ("[weights]", f"[rnn]\nh0 = {BIG}\n[weights]"), ("[weights]", f"[rnn]\nleaky_slope = {BIG}\n[weights]"),
                        ("y = 0.2", f"y = 0.2\n[train]\nlearning_rate = {BIG}"), ("y = 0.2", f"y = 0.2\n[train]\nclip = {BIG}"),
                        ("y = 0.2", f'y = 0.2\n[claims]\n"forward.O[1]" = {BIG}'),
                        ]
VECTOR = """
[weights]
w = [[0.5], [0.1]]
w_prime = [[-0.3, 0.1], [0.2, 0.1]]
b = [0.1, 0.0]
w_out = [[1.0, 1.0]]
[data]
x = [1.0, 0.5]
y = 0.2
"""
VECTOR_NUMBER_FIELDS = [("w = [[0.5], [0.1]]", f"w = [[{BIG}], [0.1]]"), ("b = [0.1, 0.0]", f"b = [0.1, {BIG}]"),
                        ("x = [1.0, 0.5]", f"x = [[1.0], [{BIG}]]"), ("w_out = [[1.0, 1.0]]", f"w_out = [[1.0, -{BIG}]]"),
                        ("y = 0.2", f'y = 0.2\n[claims]\n"forward.O[1]" = [0.1, {BIG}]'),
                        ("y = 0.2", f'y = 0.2\n[claims]\n"forward.O[1][2]" = {BIG}')]


@pytest.mark.parametrize("old,new", VECTOR_NUMBER_FIELDS)
def test_an_integer_too_large_for_a_float_is_one_line_in_a_vector_file(tmp_path, capsys, old, new):
    assert old in VECTOR
    err = one_clean_line(capsys, ["trace", write(tmp_path, VECTOR.replace(old, new, 1))])
    assert "too large for a float64" in err and "0000000000" not in err


@pytest.mark.parametrize("old,new", SCALAR_NUMBER_FIELDS, ids=[n.split("=")[0].strip() + str(i)
                                                                for i, (_, n) in enumerate(SCALAR_NUMBER_FIELDS)])
def test_an_integer_too_large_for_a_float_is_one_line_in_any_number_field(tmp_path, capsys, old, new):
    assert old in GOOD
    path = write(tmp_path, GOOD.replace(old, new, 1))
    err = one_clean_line(capsys, ["trace", path])
    assert "too large for a float64" in err and "0000000000" not in err  # the digits are counted, not printed


def test_a_huge_hidden_size_is_one_short_line(tmp_path, capsys):
    err = one_clean_line(capsys, ["trace", write(tmp_path, VECTOR.replace("[weights]", f"[rnn]\nhidden_size = {BIG}\n[weights]"))],
                         ["rnn.hidden_size", "an integer of 401 digits"])
    assert len(err) < 300


def test_an_integer_of_thousands_of_digits_is_one_line(tmp_path, capsys):
    one_clean_line(capsys, ["trace", write(tmp_path, GOOD.replace("w = 0.5", "w = 1" + "0" * 5000))],
                   ["cannot read a number"])


DEEP = GOOD.replace("x = [1.0, 0.5]", "x = " + "[" * 5000 + "1.0" + "]" * 5000)


@pytest.mark.parametrize("command", [["trace"], ["check"], ["verify"], ["drill", "--plain"], ["open"]])
def test_arrays_nested_5000_deep_are_one_line_in_every_command(tmp_path, capsys, command):
    one_clean_line(capsys, [*command, write(tmp_path, DEEP)], ["nested too deeply"])


def test_arrays_nested_5000_deep_in_serve_and_the_open_dialog(tmp_path):
    path = write(tmp_path, DEEP)
    from rnnstep.serve.catalog import catalog

    with pytest.raises(ScenarioError, match="nested too deeply"):
        catalog([path])
    with pytest.raises(ScenarioError, match="nested too deeply"):
        scenario_module.load_typed_scenario(path)  # what the open dialog calls


LONG = "a" * 300  # over the 255 bytes a file name may have


@pytest.mark.parametrize("argv", [["trace", f"{LONG}.toml"], ["check", f"{LONG}.toml"], ["verify", f"{LONG}.toml"],
                                  ["open", f"{LONG}.toml"], ["drill", "--plain", f"{LONG}.toml"],
                                  ["trace", "-o", f"{LONG}.txt"], ["new", "-o", f"{LONG}.toml"],
                                  ["stats", "--history", LONG], ["serve", "--port", "18297", f"{LONG}.toml"],
                                  ["drill", "--plain", "--count", "1", "--history", LONG]],
                         ids=["trace", "check", "verify", "open", "drill", "trace-o", "new-o", "stats-history", "serve",
                              "drill-history"])
def test_a_name_over_255_bytes_is_one_line(tmp_path, capsys, monkeypatch, argv):
    monkeypatch.chdir(tmp_path)
    pytest.importorskip("aiohttp")
    one_clean_line(capsys, argv, ["at most 255"])


def test_typed_paths_in_dialogs(monkeypatch):
    from rnnstep import user_files
    with pytest.raises(user_files.PathProblem, match="~nosuchuser: no such user"):
        user_files.typed_path("~nosuchuser/x.toml")
    with pytest.raises(user_files.PathProblem, match="at most 255"):
        user_files.typed_path(f"{LONG}.md")
    monkeypatch.setenv("HOME", "/home/ana")
    assert str(user_files.typed_path(" ~/x.toml ")) == "/home/ana/x.toml"
    for typed in ("~nosuchuser/x.toml", f"{LONG}.toml", "a\0b.toml"):
        with pytest.raises(ScenarioError) as info:
            scenario_module.load_typed_scenario(typed)
        assert "\n" not in str(info.value)


def test_history_lines_that_are_markup_or_nest_too_deep_are_skipped_or_shown_as_text(tmp_path, capsys):
    history = tmp_path / "h.jsonl"
    history.write_text('{"kind":"[/]","right":true}\n' + "[" * 100_000 + "\n"
                       + '{"kind":"forward_O","right":true,"session":"1"}\n', encoding="utf-8")
    assert main(["stats", "--history", str(history)]) == 0
    out, err = capsys.readouterr()
    assert "[/]" in out  # a kind read from the file is shown as written, never parsed as markup
    assert err == f"rnnstep: warning: {history}: skipped 1 unreadable line in the history\n"


OVERFLOW = GOOD.replace("[weights]", "[rnn]\nactivation = 'identity'\n[weights]").replace(
    "w_prime = -0.3", "w_prime = 1e100").replace("x = [1.0, 0.5]", "x = [1.0, 0.5, -0.3, 0.8]") + \
    "[train]\nlearning_rate = 1e300\n"


@pytest.mark.parametrize("w_prime", ["1e100", "[[1e100]]"])
def test_check_shows_and_flags_overflow_and_never_crashes(tmp_path, capsys, w_prime):
    path = write(tmp_path, OVERFLOW.replace("w_prime = 1e100", f"w_prime = {w_prime}"))
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # numpy's "overflow encountered" is not for the user's terminal
        assert main(["check", path]) == 1  # a failed check, flagged
    out, err = capsys.readouterr()
    assert err == "" and "overflowed" in out


# -- issue 20 item 4: special files -------------------------------------------------------------------

def _limited_memory():  # a reader that slurps /dev/zero fails here instead of eating the machine
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (1 << 31, 1 << 31))


def one_clean_line_bounded(argv, words=()):
    done = subprocess.run([sys.executable, "-m", "rnnstep", *argv], capture_output=True, text=True, timeout=30,
                          stdin=subprocess.DEVNULL, preexec_fn=_limited_memory)
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    for word in words:
        assert word in done.stderr, done.stderr


@pytest.mark.parametrize("command", [["trace"], ["check"], ["drill", "--plain"]])
def test_a_device_is_refused_before_it_is_read(command):
    one_clean_line_bounded([*command, "/dev/zero"], ["/dev/zero: is a device, expected a .toml scenario file"])


@pytest.mark.parametrize("command", [["trace"], ["serve", "--port", "18296"]])
def test_a_fifo_is_refused_and_never_waited_on(tmp_path, command):
    if command[0] == "serve":
        pytest.importorskip("aiohttp")
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    one_clean_line_bounded([*command, str(fifo)], ["is a FIFO (named pipe), expected a .toml scenario file"])


def test_a_file_over_4_mib_is_refused_before_it_is_read(tmp_path, capsys):
    path = tmp_path / "huge.toml"
    with open(path, "wb") as f:
        f.truncate(5 * 1024 * 1024)  # sparse: nothing is written
    one_clean_line(capsys, ["trace", str(path)], ["is 5.0 MiB; a .toml scenario file may be at most 4.0 MiB"])


def test_the_open_dialog_refuses_a_fifo_without_blocking(tmp_path):
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    done = []

    def feed():  # before the fix the dialog blocked reading; give it a writer so the test ends either way
        import time

        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
            except OSError:
                time.sleep(0.05)
                continue
            os.write(fd, GOOD.encode())
            os.close(fd)
            done.append(True)
            return

    import threading

    writer = threading.Thread(target=feed)
    writer.start()
    try:
        with pytest.raises(ScenarioError, match="is a FIFO"):
            scenario_module.load_typed_scenario(str(fifo))
    finally:
        writer.join()
    assert not done  # nobody ever opened it for reading


def test_a_byte_order_mark_is_dropped(tmp_path):
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD.encode())
    assert load_scenario_file(path).w == 0.5


# -- issue 20 item 9: claims and ids are read exactly ---------------------------------------------------

@pytest.mark.parametrize("table,words", [
    ('[claims]\n"forward.O[ 1 ]" = "0.5"\n', "indices must be whole numbers in ASCII digits"),
    ('[claims]\n"forward.O[1]" = "0.5"\n"forward.O[01]" = "0.5"\n', "write the id as 'forward.O[1]'"),
    ('[claims]\n"forward.O[1]" = "0_5"\n', "ASCII decimal digits"),
    ('[claims]\n"forward.O[1]" = "０.５"\n', "ASCII decimal digits"),
    ('[claims]\n"forward.O[1]" = "1e-400"\n', "too small for a float64"),
    ('[claims]\n"forward.O[1]" = 1e-400\n', "too small for a float64"),
    ('[claims]\n"forward.O[1]" = "1e400"\n', "too large for a float64"),
    ('[train]\nbreakpoints = ["forward.O[２]"]\n', "ASCII digits"),
    ('[train]\nbreakpoints = ["forward.O[1]", "forward.O[1]"]\n', "forward.O[1] is listed twice"),
    ('[[notes]]\nat = " forward.O[1]"\ntext = "x"\n', "write the id as 'forward.O[1]'"),
])
def test_claims_and_ids_are_read_exactly(tmp_path, capsys, table, words):
    one_clean_line(capsys, ["verify", write(tmp_path, GOOD + table)], [words])


@pytest.mark.parametrize("edit", [("w = 0.5", "w = 1e-400"), ("x = [1.0, 0.5]", "x = [1.0, 5e-999]")])
def test_a_toml_number_that_underflows_to_zero_is_refused(tmp_path, capsys, edit):
    one_clean_line(capsys, ["trace", write(tmp_path, GOOD.replace(*edit))], ["too small for a float64"])


def test_a_vector_claim_is_ascii_decimal_too(tmp_path, capsys):
    text = VECTOR + '[claims]\n"forward.O[1]" = ["0.1", "０.２"]\n'
    one_clean_line(capsys, ["verify", write(tmp_path, text)], ['claims."forward.O[1]"[2]', "ASCII decimal digits"])


def test_goto_reads_canonical_ids_only():
    from rnnstep import build_tape
    from rnnstep.ids import IdError, parse_id

    steps = build_tape(parse_scenario(GOOD)).steps
    assert steps.index_of("forward.O[2]") == steps.index_of(" forward.O[2] ")  # a typed id may have spaces around it
    for typed in ("forward.O[２]", "forward.O[ 2 ]", "forward.O[2_0]", "gradients.w.term[2, 1]"):
        with pytest.raises(IdError, match="ASCII digits"):
            parse_id(typed)
    from rnnstep.navigation import goto_target

    tape = build_tape(parse_scenario(GOOD))
    with pytest.raises(ValueError):
        goto_target(tape, "forward.O[２]")


@pytest.mark.parametrize("typed", ["０.５", "0_5", "1e-400", "٠.٥"])
def test_a_drill_answer_is_ascii_decimal(typed):
    from rnnstep.drill.arrays import AnswerError, parse_rows
    from rnnstep.drill.grading import NotANumber, parse_answer

    with pytest.raises(NotANumber):
        parse_answer(typed)
    with pytest.raises(AnswerError):
        parse_rows(f"0.1 {typed}")
    assert parse_answer(" −0.25 ") == -0.25 and parse_rows("1e-3, 2") == [[0.001, 2.0]]


# -- issue 20 item 10: the history is checked before the first question --------------------------------

def test_an_unwritable_history_is_one_line_before_the_first_question(tmp_path, capsys, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    history = blocker / "history.jsonl"  # its folder is a file: nothing can be written there
    monkeypatch.setattr(sys, "stdin", __import__("io").StringIO("0.5\n"))
    assert main(["drill", "--plain", "--history", str(history), write(tmp_path, GOOD)]) == 2
    out, err = capsys.readouterr()
    assert err.startswith(f"rnnstep: error: {history}: cannot write the history") and err.count("\n") == 1, err
    assert "forward.a[1]" not in out  # no question was asked, so no answer was lost


def test_the_tui_drill_checks_the_history_before_it_starts(tmp_path, capsys, monkeypatch):
    import rnnstep.commands.drill as drill_command
    import rnnstep.tui.running as running

    monkeypatch.setattr(drill_command, "need_terminal", lambda instead: None)
    monkeypatch.setattr(running, "run", lambda app: pytest.fail("the drill started"))
    history = tmp_path / "file" / "history.jsonl"
    (tmp_path / "file").write_text("")
    one_clean_line(capsys, ["drill", "--history", str(history), write(tmp_path, GOOD)], ["cannot write the history"])


@pytest.mark.parametrize("kind", ["fifo", "folder"])
def test_a_history_that_is_not_a_regular_file_is_one_line(tmp_path, capsys, monkeypatch, kind):
    history = {"fifo": tmp_path / "h.jsonl", "folder": tmp_path}[kind]
    if kind == "fifo":
        os.mkfifo(history)  # nobody reads it: never wait for a reader (in a process of its own: it hung before)
    one_clean_line_bounded(["drill", "--plain", "--history", str(history), write(tmp_path, GOOD, "s.toml")],
                           ["cannot write the history"])
    one_clean_line_bounded(["stats", "--history", str(history)], ["cannot read the history"])


def test_stats_refuses_a_device_as_history():
    one_clean_line_bounded(["stats", "--history", "/dev/zero"], ["cannot read the history: is a device"])


def test_a_history_of_dev_null_is_refused_before_the_first_question(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", __import__("io").StringIO("0.5\nquit\n"))
    assert main(["drill", "--plain", "--history", "/dev/null", write(tmp_path, GOOD)]) == 2  # it cannot be synced
    out, err = capsys.readouterr()
    assert "forward.a[1]" not in out and err.count("\n") == 1 and "cannot write the history" in err


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only folder")
def test_a_read_only_history_folder_is_one_line_before_the_first_question(tmp_path, capsys, monkeypatch):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    monkeypatch.setattr(sys, "stdin", __import__("io").StringIO("0.5\n"))
    one_clean_line(capsys, ["drill", "--plain", "--history", str(folder / "h.jsonl"), write(tmp_path, GOOD)],
                   ["cannot write the history"])


# -- issue 18 item 5: stats draws every row on one 0–100 % scale ----------------------------------------

def test_stats_bars_share_one_scale(tmp_path, capsys, monkeypatch):
    import json

    lines = []
    for session, right in (("1", True), ("2", True), ("1", True), ("2", True)):
        lines.append({"kind": "forward_O", "right": right, "session": session})
    for session, right in (("1", False), ("1", True), ("2", False), ("2", False)):
        lines.append({"kind": "forward_a", "right": right, "session": session})
    history = tmp_path / "h.jsonl"
    history.write_text("".join(json.dumps(r) + "\n" for r in lines))
    monkeypatch.setenv("COLUMNS", "160")
    assert main(["stats", "--history", str(history)]) == 0
    out = capsys.readouterr().out
    perfect = next(line for line in out.splitlines() if "100%" in line)
    assert "██" in perfect  # a perfect record is the tallest bars, not the lowest
    half = next(line for line in out.splitlines() if "25%" in line)
    assert "▅▁" in half  # 50 % then 0 %
