"""The screen both the debugger and the drill are built on: title, network strip, step, chart, sums.

Each app adds its own rows below (status and keys; or feedback and an answer box).
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from .chunk_view import panel_view
from .view import View
from .widgets import GradientFlow, NetworkStrip, RunningSums, StepDetail

MIN_WIDTH, MIN_HEIGHT = 60, 20
TALL_HEIGHT = 50  # from here the chart and the step panel share the left column equally
SHORT_HEIGHT = 30  # below this the gradient-flow chart gives way to the step (f switches them)
PANELS = (NetworkStrip, StepDetail, RunningSums, GradientFlow)
_TITLES = {"#strip": "unrolled network", "#step": "current step", "#sums": "running sums", "#flow": "gradient flow"}


def compose_panels(view: View) -> ComposeResult:
    """The title bar and the four panels (call inside the app's #main Vertical)."""
    yield Static(id="titlebar")
    yield NetworkStrip(view, id="strip")
    with Horizontal(id="middle"):
        with Vertical(id="left"):
            yield StepDetail(view, id="step")
            yield GradientFlow(view, id="flow")
        yield RunningSums(view, id="sums")


def too_small_note() -> Static:
    return Static(f"terminal too small: rnnstep needs at least {MIN_WIDTH}×{MIN_HEIGHT}", id="too-small")


def prepare(app: App, theme: str | None) -> None:
    """On mount: the theme, the panels' titles, and the too-small check for the current size."""
    if theme:
        app.theme = theme
    for selector, title in _TITLES.items():
        app.query_one(selector).border_title = title
    app.screen.set_class(app.query_one(StepDetail).view.tape.vector, "vector")
    fit(app, app.size.width, app.size.height)


def fit(app: App, width: int, height: int) -> None:
    """Below the minimum size, show the note instead of a squeezed screen; on a short one, stack fewer panels."""
    main = app.screen_stack[0]  # the app's own screen, even while a modal is open over it
    main.set_class(width < MIN_WIDTH or height < MIN_HEIGHT, "too-small")
    main.set_class(height < SHORT_HEIGHT, "short")
    main.set_class(height >= TALL_HEIGHT, "tall")
    app.call_after_refresh(share_left, app)  # once the new size is laid out


def share_left(app: App) -> None:
    """A vector scenario: the gradient-flow chart takes the rows of the left column the step panel does
    not use (up to all its paths), instead of a fixed share (at 140×45 that was 4 paths under ~11 empty rows).

    The step panel's need is the most lines its richest rendering takes over a sample of steps (each
    phase's first, third and last, at this width), so it is decided once per shape of tape and size, not per step."""
    if not app.is_running or app.screen_stack[0].has_class("short"):
        return
    try:
        step, flow, left = app.query_one(StepDetail), app.query_one(GradientFlow), app.query_one("#left")
    except Exception:  # not composed yet (or a screen without the panels)
        return
    view = step.view
    if view is None:
        return
    if not view.tape.vector:
        share_scalar(app, flow, left.size.height)
        return
    total, width = left.size.height, step.content_size.width
    w = view.tape.weights  # the next epoch's tape has the same shapes, so the same share: not decided again
    key = (view.tape.T, len(view.tape.targets), w["w"].shape, w["w_out"].shape, view.digits, total, width,
           app.screen_stack[0].has_class("tall"))
    if getattr(app, "_left_shared_for", None) == key or total <= 0 or width <= 0:
        return
    app._left_shared_for = key  # what the share was last decided for
    flow.styles.height = flow.styles.max_height = None  # back to the stylesheet's share
    wanted = flow_rows(view) + 2  # the chart's content and its border
    default = round(total * 2 / 7)  # the stylesheet's share: 5fr to 2fr, at most 12 rows unless tall
    if not app.screen_stack[0].has_class("tall"):
        default = min(12, max(4, default))
    if wanted <= default:  # the chart already shows every path
        return
    used = step_rows(view, width, max(1, total - 2 - 1 - 4)) + 1 + 2  # the title and the border
    height = min(wanted, total - used)
    if height > default:
        flow.styles.height = flow.styles.max_height = height


SCALAR_FLOW_ROWS = 8  # the one-unit chart's content at least: title, five bands of paths (or five paths), ruler


def share_scalar(app: App, flow, total: int) -> None:
    """A one-unit scenario: the chart keeps enough rows for the whole fall (every path, or five bands of
    them, and its ruler) where the stylesheet's third of the column is less (at 100×30 that was two bars)."""
    view = flow.view
    key = (int(max(view.tape.targets)), total, app.screen_stack[0].has_class("tall"))
    if getattr(app, "_left_shared_for", None) == key:
        return
    app._left_shared_for = key  # decided once per tape length and size, not per step
    if total <= 0 or key[2]:
        flow.styles.height = flow.styles.max_height = None
        return
    wanted = min(1 + int(max(view.tape.targets)) + 2, SCALAR_FLOW_ROWS) + 2  # with its border
    default = min(12, max(4, round(total / 3)))  # the stylesheet's share: 2fr to 1fr, 4 to 12 rows
    height = min(wanted, total - 9)  # the step panel keeps a title, a heading and a few factors
    flow.styles.height = flow.styles.max_height = height if height > default else None


def flow_rows(view: View) -> int:
    """The vector chart's lines with every path of the longest target's block shown: title, paths, ruler."""
    return 1 + int(max(view.tape.targets)) + 2


def step_rows(view: View, width: int, height: int) -> int:
    """The most lines the vector step panel's body takes in ``width`` × ``height`` over a sample of steps."""
    import dataclasses

    from .panels.vector_step import step_body

    sample = set()
    for _, lo, hi in view.tape.steps.phase_bounds():
        sample |= {lo, min(lo + 2, hi - 1), hi - 1}
    most = 0
    for i in sorted(sample, reverse=True):  # the backward terms first: they are the tallest
        most = max(most, len(step_body(dataclasses.replace(view, cursor=i, factor_offset=0), width, height)))
        if most >= height:  # it takes all the room there is: no need to look further
            break
    return most


def toggle_flow(app: App) -> None:
    """On a short terminal, show the gradient-flow chart in place of the step panel (or back)."""
    main = app.screen_stack[0]
    main.toggle_class("show-flow")


def show_panels(app: App, view: View) -> None:
    """Draw every panel at the view's cursor: on a TBPTT tape stepped chunk by chunk, the view of its chunk."""
    view = panel_view(view)
    app.screen_stack[0].set_class(view.tape.vector, "vector")  # vector scenarios lay the panels out a little differently
    for panel in PANELS:
        app.query_one(panel).show(view)
    share_left(app)  # a new tape may need another share (decided once per tape and size)
