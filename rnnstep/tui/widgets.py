"""The debugger's panels: thin Textual widgets that render a ``View`` (see view.py)."""

from __future__ import annotations

from rich.console import RenderableType
from rich.text import Text
from textual.widget import Widget
from textual.widgets import Static

from . import view as v


class Panel(Widget):
    """A widget drawn from a View; ``show`` swaps the view and repaints."""

    DEFAULT_CSS = "Panel { height: auto; }"

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.view: v.View | None = None

    def show(self, view: v.View) -> None:
        self.view = view
        self.refresh(layout=True)

    def render(self) -> RenderableType:
        if self.view is None:
            return Text("")
        return self.draw(self.view)

    def draw(self, view: v.View) -> RenderableType:  # pragma: no cover - abstract
        raise NotImplementedError


class NetworkStrip(Panel):
    """x₁…x_T → O₁…O_T → ŷ → L, windowed around the current step."""

    def draw(self, view: v.View) -> RenderableType:
        return v.network_strip(view, self.content_size.width)


class StepDetail(Panel):
    """The current step in the notes' notation, with numbers substituted."""

    def draw(self, view: v.View) -> RenderableType:
        return v.step_panel(view)


class RunningSums(Panel):
    """Each gradient's running partial sum; the current one term by term."""

    def draw(self, view: v.View) -> RenderableType:
        return v.sums_panel(view, max(6, self.content_size.height))


class GradientFlow(Panel):
    """log₁₀|term| against how far back each path reaches."""

    def draw(self, view: v.View) -> RenderableType:
        return v.flow_chart(view, self.content_size.width, height=max(2, min(10, self.content_size.height - 2)))


class NoteBox(Static):
    """The scenario's teaching note for this step (or its description at the start)."""
