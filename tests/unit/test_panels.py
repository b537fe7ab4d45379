"""Each panel is a pure function of (tape, cursor, size): at 80×24 and 200×60 every line fits
its width and every decimal number in it is a tape value, whole or correctly rounded."""

from __future__ import annotations

import io
import math
import re

import numpy as np

import pytest
from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

import rnnstep
from rnnstep import notation as nt
from rnnstep.numbers import fit
from rnnstep.scenario import shipped_scenarios
from rnnstep.tui.panels.base import View
from rnnstep.tui.panels.flow import axis, flow_chart
from rnnstep.tui.panels.network import network_strip
from rnnstep.tui.panels.step import step_panel
from rnnstep.tui.panels.sums import sums_panel
from screen_numbers import allowed_numbers, cut_numbers

# (panel, content width, content height) as the 80×24 and 200×60 layouts give them
SIZES = {"60×20": {"network": 56, "step": (26, 9), "sums": (26, 9), "flow": (26, 9)},
         "80×24": {"network": 76, "step": (46, 13), "sums": (26, 13), "flow": (46, 13)},
         "200×60": {"network": 196, "step": (128, 24), "sums": (62, 48), "flow": (128, 10)}}


def lines_of(renderable, width: int) -> list[str]:
    console = Console(file=io.StringIO(), width=width, record=True, color_system=None)
    console.print(renderable, crop=False, soft_wrap=False)
    return console.export_text().splitlines()


def test_fit_rounds_correctly_or_gives_nothing():
    assert fit(0.0563177, 6, 12) == "0.0563177"
    assert fit(0.0563177, 6, 5) == "0.056"
    assert fit(-0.982506, 6, 8) == "-0.98251"  # rounded, not "-0.98250"
    assert fit(-5.32762e-12, 6, 10) == "-5.328e-12"
    assert fit(-5.32762e-12, 6, 5) is None
    for value in (0.999996, -123456.7, 1.5e-300, 7.0):
        for width in range(1, 14):
            text = fit(value, 6, width)
            assert text is None or (len(text) <= width and abs(float(text) - value) <= abs(value) * 0.5)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("path", shipped_scenarios(), ids=lambda p: p.stem)
def test_every_panel_fits_and_shows_whole_numbers(path, size):
    tape = rnnstep.build_tape(rnnstep.load_scenario(path))
    allowed = allowed_numbers(tape)
    sizes = SIZES[size]
    n = len(tape.steps)
    for cursor in sorted({0, n - 1, *range(0, n, max(1, n // 25))}):
        view = View(tape, cursor)
        panels = {
            "network": (network_strip(view, sizes["network"]), sizes["network"], None),
            "step": (step_panel(view, *sizes["step"]), *sizes["step"]),
            "sums": (sums_panel(view, *sizes["sums"]), *sizes["sums"]),
            "flow": (flow_chart(view, *sizes["flow"]), *sizes["flow"]),
        }
        for name, (renderable, width, height) in panels.items():
            lines = lines_of(renderable, width)
            where = f"{path.stem} step {cursor + 1} {name} at {size}"
            assert all(len(line.rstrip()) <= width for line in lines), f"{where}: too wide\n" + "\n".join(lines)
            if isinstance(renderable, Text) and renderable.no_wrap:  # a cropped line would lose its end unseen
                assert all(cell_len(line.rstrip()) <= width for line in renderable.plain.splitlines()), \
                    f"{where}: a line cropped\n{renderable.plain}"
            assert not cut_numbers("\n".join(lines), allowed), f"{where}: {cut_numbers(chr(10).join(lines), allowed)}"
            step = tape.steps[cursor]
            if name == "step" and step.kind == "term":
                assert len(lines) <= height or "✎" in "\n".join(lines[height:]), f"{where}: taller than the panel"
                shown = "\n".join(lines[:height])
                table = tape.gradients[step.param]
                assert nt.fmt(float(table.value[step.term])) in shown, f"{where}: the term is not shown\n{shown}"
                assert nt.fmt(float(table.running_sum[step.term])) in shown, f"{where}: no running sum\n{shown}"


def test_the_chart_axis_spans_four_decades_at_least_and_whole_decades():
    assert axis(0.0231, 0.0101) == (-1, -5)
    assert axis(2.0, 1e-9) == (1, -9)
    top, bottom = axis(0.0231, 0.0121)
    assert top - bottom >= 4


def test_the_chart_uses_the_height_and_follows_the_current_term():
    tape = rnnstep.build_tape(rnnstep.load_scenario(next(p for p in shipped_scenarios() if p.stem == "vanishing-gradients")))
    start = tape.steps.phase_start("backward.w_prime")
    tall = lines_of(flow_chart(View(tape, start + 29), 120, 40), 120)
    assert sum(bool(re.match(r"\s*\d+ back ", line)) for line in tall) == 30  # all 30 paths when there is room
    short = lines_of(flow_chart(View(tape, start + 20, flow_paged=True), 120, 12), 120)  # v: a page of paths
    rows = [line for line in short if re.match(r"\s*\d+ back ", line)]
    assert len(rows) < 30 and any(line.lstrip().startswith("20 back") for line in rows)
    assert any("paths above" in line for line in short) and any("below" in line for line in short)


def band_rows(lines: list[str]) -> list[tuple[int, int, str, int, bool]]:
    """(first, last, bar, reach, current) of each band row: "▶ 25–29 back █▒▒▒"."""
    out = []
    for line in lines:
        m = re.match(r"\s*(▶)?\s*(\d+)(?:–(\d+))? back ([█▒◂ ]*)", line)
        if m:
            bar = m.group(4).rstrip()
            out.append((int(m.group(2)), int(m.group(3) or m.group(2)), bar, len(bar), bool(m.group(1))))
    return out


@pytest.mark.parametrize("width, height", [(88, 10), (62, 8)])  # the chart's content at 140×45 and 100×30
def test_the_chart_shows_the_whole_fall_in_bands_with_the_current_term_marked(width, height):
    """Item 8: at term[30,1] the chart showed "⋮ 25 paths above" and five rows "◂ below 10⁻¹³". Now every
    path is in a row (bands of distances), the bars fall from the nearest band to the oldest, nothing is
    below the axis, and the band holding the current term is marked."""
    tape = rnnstep.build_tape(rnnstep.load_scenario(next(p for p in shipped_scenarios() if p.stem == "vanishing-gradients")))
    at = tape.steps.index_of("gradients.w_prime.term[30,1]")
    lines = lines_of(flow_chart(View(tape, at), width, height), width)
    rows = band_rows(lines)
    assert not any("⋮" in line or "below" in line for line in lines), lines
    covered = [j for first, last, *_ in rows for j in range(first, last + 1)]
    assert covered == list(range(30)), lines  # every path, once, in order
    assert len(rows) >= 5
    reach = [r[3] for r in rows]
    # the oldest band holds the true zero [30,1] (O₀ = 0) and nonzero terms: its bar is its nonzero ones
    assert all(a > b for a, b in zip(reach, reach[1:])), lines  # the fall, nearest to oldest
    assert [r[4] for r in rows] == [False] * (len(rows) - 1) + [True]  # 29 back is the oldest band's
    block = np.abs(tape.gradients["w_prime"].value[tape.gradients["w_prime"].index_of(30, 30):][:30])
    smallest = block[block > 0].min()
    assert math.log10(smallest) > int(re.findall(r"10([⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+)", lines[-1])[0].translate(
        str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789"))) - 1  # the axis reaches the smallest term


def test_four_digit_steps_keep_their_labels_apart():
    """T = 5,000: "4995 more ┈▶" and "[5000,4999]" do not run into the next label, and numbers stay whole."""
    import numpy as np

    x = np.round(np.random.default_rng(1).uniform(-1, 1, 5000), 3).tolist()
    tape = rnnstep.build_tape(rnnstep.load_scenario(f"[weights]\nw = 0.5\nw_prime = 0.9\nb = 0.1\n[data]\nx = {x}\ny = 0.2\n"))
    far = tape.steps.index_of("gradients.w_prime.term[5000,1]")
    for index in (tape.steps.index_of("gradients.w_prime.term[5000,4999]"), far, 2, len(tape.steps) - 1):
        view = View(tape, index)
        for width in (76, 196):
            strip = "\n".join(lines_of(network_strip(view, width), width))
            assert "more ┈▶ " in strip or "more" not in strip
            assert all(len(line.rstrip()) <= width for line in strip.splitlines())
            sums = "\n".join(lines_of(sums_panel(view, 26 if width == 76 else 62, 13), 80))
            assert "[5000,4999] " in sums or "[5000,4999]" not in sums
            step = "\n".join(lines_of(step_panel(view, 46 if width == 76 else 128, 13), 130))
            assert index != far or "factors 1–" in step and "of 5002" in step  # 5,002 factors: a scrolled window


def test_at_T_5000_the_chart_axis_is_capped_so_near_bars_differ():
    """The axis once ran from 10⁻³²⁴: the nearest paths all drew full width. At most twelve decades now,
    in labelled whole decades, and a term past the floor is said to be below the axis, not drawn."""
    import sys

    sys.path.insert(0, str(__import__("pathlib").Path(__file__).parents[1]))
    from reference import long_net, to_toml

    tape = rnnstep.build_tape(rnnstep.load_scenario(to_toml(long_net(5000))))
    from rnnstep.tui.panels.flow import MAX_DECADES

    top, bottom = axis(1.0, 1e-300, MAX_DECADES)
    assert top - bottom == 12
    near = tape.steps.index_of("gradients.w_prime.term[5000,4980]")
    lines = lines_of(flow_chart(View(tape, near, flow_paged=True), 90, 12), 90)
    bars = [len(re.search(r"back (█*)", line).group(1)) for line in lines if re.search(r"back █", line)]
    assert len(bars) >= 4 and len(set(bars)) >= 3 and max(bars) < 66, lines  # lengths that tell terms apart
    labels = lines[-1]
    decades = [int(d.translate(str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789"))) for d in re.findall(r"10([⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+)", labels)]
    assert len(decades) >= 3 and max(decades) - min(decades) <= 12, labels
    far = tape.steps.index_of("gradients.w_prime.term[5000,4900]")
    far_lines = lines_of(flow_chart(View(tape, far, flow_paged=True), 90, 12), 90)
    assert any(re.search(r"100 back ◂ below 10⁻\S+ +-1\.8329e-18$", line) for line in far_lines), far_lines


def test_the_scalar_step_1_shows_the_description_then_the_note():
    """Plain ``rnnstep``: a step-1 note must not hide what the network is (try-out 2, item 1)."""
    from rnnstep.navigation import notes_by_step

    tape = rnnstep.build_tape(rnnstep.load_scenario("notes-four-steps"))
    view = View(tape, 0, notes=notes_by_step(tape), more_key="m")
    assert view.notes.get(0), "the scenario has a note at step 1: the case this test is about"
    description = " ".join(tape.scenario.description.split())
    wide = " ".join(lines_of(step_panel(view, 91, 38), 91))  # the step panel at 140×45: both, whole
    wide = " ".join(wide.split())
    assert description in wide and " ".join(view.notes[0][0].split()) in wide
    assert wide.index(description[:30]) < wide.index("✎ note")
    narrow = "\n".join(lines_of(step_panel(view, *SIZES["80×24"]["step"]), 46))  # begun, and m for the rest
    assert "✎ The lecture notes'" in narrow and "m: read the whole note" in narrow
    assert len(narrow.splitlines()) <= SIZES["80×24"]["step"][1]


@pytest.mark.parametrize("name", ["notes-four-steps", "vector/hello-char-rnn", "vector/notes-hidden-two"])
def test_step_titles_keep_one_format_at_one_width(name):
    """try-out 2 item 3: not "Step 5/52 · output t = 1" beside "Step 9 of 52 · output and loss"."""
    from rnnstep.scenario import SCENARIO_DIR, load_scenario
    from rnnstep.tui.panels.step import step_title
    from rnnstep.tui.panels.vector_view import step_text

    tape = rnnstep.build_tape(load_scenario(SCENARIO_DIR / f"{name}.toml"))
    n = len(tape.steps)
    for width in (44, 46, 91, 124, 128):
        titles = []
        for cursor in range(n):
            view = View(tape, cursor)
            title = step_title(view, width)
            if tape.vector:  # what the vector panel shows as its first line
                shown = step_text(view, width, 30, title).plain.split("\n")[0].rstrip()
                assert shown == title, (width, shown, title)
            else:
                assert lines_of(step_panel(view, width, 30), width)[0].rstrip() == title
            titles.append(title)
        counted = {t.startswith("Step ") for t in titles}
        assert len(counted) == 1, f"{name} at {width}: the count comes and goes\n" + "\n".join(titles)
        assert all(len(t) <= width for t in titles), (width, [t for t in titles if len(t) > width])
        assert all("/" + str(n) not in t for t in titles)
        for t in titles:  # one separator between whole parts, the same words for the same kind
            assert re.fullmatch(r"(Step \d+ of \d+ · )?(forward · t = \d+|output · t = \d+|loss|"
                                r"∂L/∂\S+ · term t = \d+(, k = \d+)?|update · \S+)", t), t
    full = [step_title(View(tape, c), 200) for c in range(n)]
    assert all(t.startswith(f"Step {c + 1} of {n} · ") for c, t in enumerate(full))


def test_the_scalar_screen_says_O0_without_the_files_key_and_charts_w_prime_where_the_vector_one_does():
    """try-out 2 item 12: "O₀ = h0 = 0" showed the TOML key; the forward steps' chart was of ∂L/∂w (the
    vector chart shows ∂L/∂W′ there, the notes' own), and a W_out term's of ∂L/∂b."""
    from rnnstep.tui.panels.flow import flow_param

    tape = rnnstep.build_tape(rnnstep.load_scenario("notes-four-steps"))
    text = "\n".join(lines_of(step_panel(View(tape, 0), 91, 38), 91))
    assert "O₀ = 0" in text and "h0" not in text, text
    for cursor, step in enumerate(tape.steps):
        view = View(tape, cursor)
        expected = step.param if step.param in ("w_prime", "w", "b") else "w_prime"
        assert flow_param(view) == expected, (cursor, step)
        if step.kind == "forward":
            assert "of ∂L/∂w′ by steps back" in flow_chart(view, 91, 10).plain.split("\n")[0]


def test_the_rulers_ticks_never_crowd_and_labels_never_touch():
    """Item 16: at 80×24 on T = 5,000 the ruler read ┼─┼─┼┼─┼. Ticks are two cells apart at least, every
    label sits on a tick, and labels keep a space between them, at every span and width."""
    from rnnstep.tui.panels.decades import decade, ruler

    for bar_w in (4, 5, 9, 22, 35, 66, 120):
        for span in (4, 5, 7, 12, 20, 33, 60, 300):
            rule, labels = ruler(0, -span, bar_w, 0)
            ticks = [x for x, c in enumerate(rule.plain) if c == "┼"]
            assert ticks and ticks[0] == 0 and all(b - a >= 2 for a, b in zip(ticks, ticks[1:])), (bar_w, span, rule)
            starts = [m.start() for m in re.finditer("10", labels.plain)]
            assert starts and all(x in ticks or x + len(decade(-span)) > bar_w for x in starts), (bar_w, span, labels)
            assert all(re.fullmatch("10[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+", word) for word in labels.plain.split()), labels


@pytest.mark.parametrize("height", [8, 9, 10, 11])
def test_the_update_list_is_never_cut_silently_and_keeps_the_current_row(height):
    """Item 12: at 80×24 on target-every-step, G showed the update list without b_out and no ⋮."""
    from rnnstep.tui.panels.base import phase_start

    tape = rnnstep.build_tape(rnnstep.load_scenario(next(p for p in shipped_scenarios() if p.stem == "target-every-step")))
    start = phase_start(View(tape), "update")
    for i, param in enumerate(tape.updates):
        text = "\n".join(line.rstrip() for line in lines_of(sums_panel(View(tape, start + i), 26, height), 26))
        text = text.rstrip("\n")
        assert len(text.splitlines()) <= height, text
        rows = re.findall(r"^  (w′|w|b|w_out|b_out) ", text, re.M)
        hidden = sum(int(n) for n in re.findall(r"⋮ (\d+) (?:above|more|others)", text))
        assert len(rows) + hidden == len(tape.updates), text
        assert nt.param(param) in rows, f"{param}'s own row is not shown\n{text}"


def test_a_terms_zero_factor_stays_in_view_when_the_factors_scroll():
    """Item 12: relu-dead-step, gradients.w.term[4,1] at 80×24: the factor ∂O₂/∂O₁ = 0 that makes the
    term 0 was below the window ("factors 1–4 of 6")."""
    from rnnstep import navigation

    tape = rnnstep.build_tape(rnnstep.load_scenario(next(p for p in shipped_scenarios() if p.stem == "relu-dead-step")))
    at = tape.steps.index_of("gradients.w.term[4,1]")
    notes = navigation.notes_by_step(tape)
    for offset in range(4):
        view = View(tape, at, notes=notes, more_key="m", factor_offset=offset)
        text = "\n".join(lines_of(step_panel(view, 46, 13), 46))
        assert re.search(r"∂O₂/∂O₁ +f′\(a₂\)·w′ +0$", text, re.M), text
        assert "factors " in text  # still a scrolled list (said so)
