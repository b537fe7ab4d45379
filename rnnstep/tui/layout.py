"""The screen both the debugger and the drill are built on: title, network strip, step, chart, sums.

Each app adds its own rows below (status and keys; or feedback and an answer box).
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

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


def toggle_flow(app: App) -> None:
    """On a short terminal, show the gradient-flow chart in place of the step panel (or back)."""
    main = app.screen_stack[0]
    main.toggle_class("show-flow")


def show_panels(app: App, view: View) -> None:
    app.screen_stack[0].set_class(view.tape.vector, "vector")  # vector scenarios lay the panels out a little differently
    for panel in PANELS:
        app.query_one(panel).show(view)
