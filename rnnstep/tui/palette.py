"""The command palette (ctrl+p), guarded against an upstream crash and without duplicate commands."""

from __future__ import annotations

from textual.app import App
from textual.command import CommandList, CommandPalette
from textual.css.query import NoMatches
from textual.widgets import OptionList

#: Textual's own system commands we leave out: the app has its own screenshot (never overwrites) and help.
DROPPED = {"Screenshot", "Keys"}


class GuardedCommandPalette(CommandPalette):
    """Textual's palette with PageUp/PageDown made safe.

    Upstream bug (Textual 8.2.8, pinned): ``OptionList._move_page`` reads
    ``_index_to_line[highlighted or 0]``, which is filled only once the list has
    been laid out; PageUp/PageDown on a palette whose list is hidden or not yet
    laid out raises ``KeyError: 0`` and kills the app. We pass page moves on only
    when the list has lines to move through.
    """

    def _action_command_list(self, action: str) -> None:
        try:  # upstream too: a key that lands while the palette is composed or torn down finds no list (NoMatches)
            commands = self.query_one(CommandList)
        except NoMatches:
            return
        if action in ("page_up", "page_down"):
            if not commands.option_count or not commands.scrollable_content_region:
                return
            commands._update_lines()
            if (commands.highlighted or 0) not in commands._line_cache.index_to_line:
                return
        super()._action_command_list(action)


def open_palette(app: App) -> None:
    """What ``App.action_command_palette`` does, with the guarded palette."""
    if app.use_command_palette and not CommandPalette.is_open(app):
        app.push_screen(GuardedCommandPalette(id="--command-palette"))


class SafeOptionList(OptionList):
    """An OptionList whose PageUp/PageDown cannot raise the upstream KeyError (see GuardedCommandPalette)."""

    def _move_page(self, direction) -> None:
        self._update_lines()
        if (self.highlighted or 0) not in self._line_cache.index_to_line:
            return
        super()._move_page(direction)
