"""The debugger's panels: thin Textual widgets that render a ``View`` (see view.py).

A step changes a handful of lines on a full screen, and a Textual repaint costs
per line, so panels use Textual's line API: each keeps its content as rendered
lines and, on a new step, repaints only the lines that differ.
"""

from __future__ import annotations

import dataclasses
import weakref

from rich.console import RenderableType
from rich.segment import Segment
from rich.text import Text
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.widget import Widget

from . import view as v
from .panels import carry, vector_view
from .panels.vector_view import Lines

#: rendered lines by (text, spans, style, width, theme): a step redraws many lines it drew before (W′'s
#: factors, the sums, the strip), and turning a Text with a span per matrix entry into segments is the
#: costliest part of a step. Bounded; cleared when full.
_STRIPS: dict[tuple, Strip] = {}
_STRIPS_MAX = 4096
#: a vector tape's panels as drawn, by (panel, cursor, everything else the drawing reads): stepping back
#: and forth redraws nothing, and the step after the cursor is drawn ahead while the user reads this one
_DRAWN: "weakref.WeakKeyDictionary[object, dict[tuple, RenderableType]]" = weakref.WeakKeyDictionary()
_DRAWN_MAX = 1024


class Panel(Widget):
    """A widget drawn from a View, repainting only the lines that changed."""

    DEFAULT_CSS = "Panel { height: auto; }"
    #: is the panel's height its content's (height: auto), so that a new line count needs a layout?
    SIZED_BY_CONTENT = False

    def __init__(self, view: v.View | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.view = view
        self._lines: list[Strip] = []
        self._lines_for = (-1, -1)  # the content size the lines were rendered for
        self._content: RenderableType | None = None  # what the lines were rendered from
        self._style_for: tuple = ()  # what self._style was computed for (see _base_style)
        self._style = None

    def show(self, view: v.View) -> None:
        self.view = view
        self._redraw()
        if view.tape.vector:
            self.call_after_refresh(self._draw_ahead, 1)

    def _drawn(self, view: v.View, width: int, height: int) -> RenderableType:
        """``draw``, remembered for a vector tape (its panels are pure functions of the view and the size)."""
        if not view.tape.vector:
            return self.draw(view, width, height)
        key = (type(self), view.cursor, view.digits, frozenset(view.hidden), view.factor_offset, view.flow_paged, view.grid_row,
               id(view.notes), id(view.claims), width, height, view.triangle_split)
        drawn = _DRAWN.setdefault(view.tape, {})
        content = drawn.get(key)
        if content is None:
            if len(drawn) >= _DRAWN_MAX:
                drawn.clear()
            content = drawn[key] = self.draw(view, width, height)
        return content

    def _draw_ahead(self, by: int) -> None:
        """Draw (and render) the step ``by`` from the cursor before it is asked for: then the step
        after (1), then the one before (-1), each in its own turn of the event loop so a key waits
        for at most one panel's drawing."""
        view = self.view
        width, height = self.content_size.width, self.content_size.height
        if view is None or width <= 0 or not self.is_attached:
            return
        cursor = view.cursor + by
        if 0 <= cursor < len(view.tape.steps):
            content = self._drawn(dataclasses.replace(view, cursor=cursor, factor_offset=0), width, height)
            if isinstance(content, Lines):  # rendered and styled as render_line will ask for them
                console, style = self.app.console, self._base_style()
                for line in content:
                    self._line_strip(console, line, width).apply_style(style)  # Strip caches each styling
        if by == 1:
            self.call_later(self._draw_ahead, -1)

    def draw(self, view: v.View, width: int, height: int) -> RenderableType:  # pragma: no cover - abstract
        raise NotImplementedError

    def _render_lines(self, width: int, content: RenderableType | None = None) -> list[Strip]:
        if self.view is None or width <= 0:
            return []
        # drawn for the size given, not content_size: during a resize's layout that is still the old one
        content = self._drawn(self.view, width, self.content_size.height) if content is None else content
        self._content = content
        console = self.app.console
        if isinstance(content, Lines):
            strips = [self._line_strip(console, line, width) for line in content]
            if not self.SIZED_BY_CONTENT:
                height = self.content_size.height
                strips = strips[:height] + [Strip.blank(width)] * (height - len(strips))
            return strips
        options = console.options.update(width=width, height=None, highlight=False, markup=False)
        lines = console.render_lines(content, options, pad=True)
        strips = [Strip(Segment.simplify(line), width) for line in lines]
        if not self.SIZED_BY_CONTENT:  # a fixed box: always exactly its height, so no layout is ever needed
            height = self.content_size.height
            strips = strips[:height] + [Strip.blank(width)] * (height - len(strips))
        return strips

    def _line_strip(self, console, line: Text, width: int) -> Strip:
        """One line of a panel as a Strip of exactly ``width`` cells (cropped, never wrapped; the
        vector panels fit every line first), reused when the same line was drawn before."""
        key = (line.plain, tuple(line.spans), str(line.style), width, self.app.theme)
        strip = _STRIPS.get(key)
        if strip is None:
            if len(_STRIPS) >= _STRIPS_MAX:
                _STRIPS.clear()
            # joined as render_lines would join it (a line's own style becomes a span), then rendered
            segments = [seg for seg in Segment.simplify(Text("\n").join([line]).render(console, end="")) if seg.text]
            strip = _STRIPS[key] = Strip(segments).adjust_cell_length(width)
        return strip

    def _redraw(self) -> None:
        size = (self.content_size.width, self.content_size.height)
        width = size[0]
        if self.view is None:
            return
        content = self._drawn(self.view, width, size[1])
        if size == self._lines_for and _same_text(content, self._content):
            return  # nothing to show differently: skip rendering altogether
        new = self._render_lines(width, content)
        old, self._lines = self._lines, new
        if size != self._lines_for or len(new) != len(old):
            self._lines_for = size
            self.refresh(layout=self.SIZED_BY_CONTENT and len(new) != len(old))
            return
        for y, (before, after) in enumerate(zip(old, new)):
            if before != after:
                self.refresh(Region(0, y, width, 1))

    def render_line(self, y: int) -> Strip:
        content_size = self.content_size
        size = (content_size.width, content_size.height)
        if self._lines_for != size:  # first paint, or resized: render for the new size
            self._lines_for = size
            self._lines = self._render_lines(size[0])
        style = self._base_style()
        if y < len(self._lines):
            return self._lines[y].apply_style(style)
        return Strip.blank(size[0], style)

    def _base_style(self):
        """``rich_style``, computed again only when this panel's or an ancestor's styles or the theme change.

        Textual computes ``rich_style`` afresh on every call, walking every ancestor's CSS: for
        each repainted line that was a quarter of a millisecond, a large part of a step. Textual's
        own ``visual_style`` is cached on the same ``styles._cache_key``."""
        key = (self.app.theme, *(getattr(node.styles, "_cache_key", None) for node in self.ancestors_with_self))
        if key != self._style_for or None in key:
            self._style_for, self._style = key, self.rich_style
        return self._style

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        if not self._lines or self._lines_for[0] != width:
            self._lines = self._render_lines(width)
            self._lines_for = (width, len(self._lines))
        return len(self._lines)


def _same_text(a: RenderableType | None, b: RenderableType | None) -> bool:
    """Cheap equality for Text content and Lines (other renderables count as changed)."""
    if isinstance(a, Lines) and isinstance(b, Lines):
        return len(a) == len(b) and all(_same_text(x, y) for x, y in zip(a, b))
    return (isinstance(a, Text) and isinstance(b, Text) and a.plain == b.plain and a.spans == b.spans
            and a.style == b.style)


class NetworkStrip(Panel):
    """x₁…x_T → O₁…O_T → ŷ → L, windowed around the current step."""

    SIZED_BY_CONTENT = True

    def draw(self, view: v.View, width: int, height: int) -> RenderableType:
        if view.tape.vector:
            return vector_view.network_text(view, width)
        return v.network_strip(view, width)


class StepDetail(Panel):
    """The current step in the notes' notation, with numbers substituted."""

    def draw(self, view: v.View, width: int, height: int) -> RenderableType:
        if view.tape.vector:
            return vector_view.step_text(view, width, height, v.step_title(view, width), v.note_text(view, True),
                                         v.claims_text(view))
        return v.step_panel(view, width, height)


class RunningSums(Panel):
    """Each gradient's running partial sum; the current one term by term."""

    def draw(self, view: v.View, width: int, height: int) -> RenderableType:
        if view.tape.vector:
            return vector_view.sums_text(view, width, max(6, height))
        return v.sums_panel(view, width, max(6, height))


class GradientFlow(Panel):
    """log₁₀|term| against how far back each path reaches."""

    def draw(self, view: v.View, width: int, height: int) -> RenderableType:
        if view.tape.vector:
            # the chart in place of the step panel (f on a short terminal): a gated cell's t×k triangle,
            # which the running-sums panel has no room for there, goes under the chart when it fits
            alone = self.screen.has_class("short") and self.screen.has_class("show-flow")
            return vector_view.flow_text(view, width, max(2, height), triangle=alone)
        return v.flow_chart(view, width, height=max(2, height))


def panel_text(panel: Panel) -> str:
    """What a panel shows now, as plain text (for tests and screen readers)."""
    return "\n".join(strip.text.rstrip() for strip in panel._lines)


class KeyBar(Widget):
    """The footer: the keymap's shown keys on one line; greyed when they do nothing; clickable.

    One widget rather than Textual's Footer (a widget per key), which costs more
    start-up time than the rest of the screen.
    """

    DEFAULT_CSS = "KeyBar { height: 1; background: $footer-background; }"

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._spans: list[tuple[int, int, str]] = []  # (start, end, action) for clicks

    #: which keys give way first when the bar is too narrow for all of them (the last listed goes first)
    PRIORITY = ("next", "previous", "help", "quit", "next_wrong_claim", "continue", "goto", "toggle_breakpoint",
                "next_phase",
                "triangle_split", "apply_update", "open", "export")

    def render(self) -> RenderableType:
        from .keymap import KEYS, bar_label

        width = self.size.width or 200
        gated = carry.gated(self.app.tape) if hasattr(self.app, "tape") else False
        keys = [key for key in getattr(self.app, "keymap_keys", KEYS)  # the user's keys (config.py)
                if (key.show or (gated and key.action == "triangle_split"))  # SPEC §8
                and self.app.check_action(key.action.split("(")[0], ()) is not False]  # False: not here at all
        rank = {action: i for i, action in enumerate(self.PRIORITY)}
        hint = " ctrl+p commands"
        while True:
            items = [(key, f" {bar_label(key)} ", f"{key.description} ") for key in keys]
            needed = sum(len(a) + len(b) for _, a, b in items) + len(hint)
            if needed <= width:
                break
            extra = [k for k in keys if k.action not in rank]
            if extra:  # keys the bar shows only where there is room to spare (r Reload) go before the hint
                keys.remove(extra[-1])
                continue
            if hint:
                hint = ""  # the palette's hint goes first, then the least needed keys
                continue
            if len(keys) <= 1:
                break
            keys.remove(max(keys, key=lambda k: rank.get(k.action, len(rank))))
        out = Text(no_wrap=True, overflow="crop")
        self._spans = []
        live = getattr(self.app, "key_live", None)
        for key, label, description in items:
            enabled = live(key.action) if live else self.app.check_action(key.action, ()) is True
            start = len(out.plain)
            out.append(label, style="bold" if enabled else "dim")
            out.append(description, style="" if enabled else "dim")
            self._spans.append((start, len(out.plain), key.action))
        out.append(hint, style="dim")
        return out

    async def on_click(self, event) -> None:
        for start, end, action in self._spans:
            if start <= event.x < end:
                await self.app.run_action(action)
                return
