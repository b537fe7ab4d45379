"""The command palette (ctrl+p), guarded against an upstream crash and without duplicate commands."""

from __future__ import annotations

from textual import work
from textual.app import App
from textual.command import CommandList, CommandPalette
from textual.css.query import NoMatches
from textual.widgets import OptionList

from .dialog import Cancelled, DismissOnce

#: Textual's own system commands we leave out: the app has its own screenshot (never overwrites) and help.
DROPPED = {"Screenshot", "Keys"}


class GuardedCommandPalette(DismissOnce, CommandPalette):
    """Textual's palette, dismissed once (see tui/dialog.py: a second Enter of the same write, or a command
    chosen while another screen change is under way, would pop the screen beneath), with PageUp/PageDown made safe.

    Upstream bug (Textual 8.2.8, pinned): ``OptionList._move_page`` reads
    ``_index_to_line[highlighted or 0]``, which is filled only once the list has
    been laid out; PageUp/PageDown on a palette whose list is hidden or not yet
    laid out raises ``KeyError: 0`` and kills the app. We pass page moves on only
    when the list has lines to move through.
    """

    _selecting = False  # "select" was passed to the list: its OptionSelected is on the way up from there

    def _action_escape(self) -> None:
        self.action_cancel()  # after an Enter typed just before it (tui/dialog.py: the order of keys)

    def cancel(self) -> None:
        if self._selecting:  # an Enter before this Escape chose a command: let its OptionSelected arrive first
            self._selecting = False
            try:
                self.query_one(CommandList).post_message(Cancelled())
                return
            except NoMatches:
                pass
        super()._action_escape()

    @work(exclusive=True, group=CommandPalette._GATHER_COMMANDS_GROUP)
    async def _gather_commands(self, search_value: str) -> None:
        try:  # upstream queries the CommandList throughout: a palette torn down under the worker raised NoMatches
            await CommandPalette._gather_commands.__wrapped__(self, search_value)
        except NoMatches:
            pass

    def _action_command_list(self, action: str) -> None:
        try:  # upstream too: a key that lands while the palette is composed or torn down finds no list (NoMatches)
            commands = self.query_one(CommandList)
        except NoMatches:
            return
        if action == "select":
            self._selecting = True
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


def search_themes(app: App) -> None:
    """What ``App.search_themes`` does (the palette's "Theme" command), with the guarded palette."""
    from textual.theme import ThemeProvider

    app.push_screen(GuardedCommandPalette(providers=[ThemeProvider], placeholder="Search for themes…"))


class SafeOptionList(OptionList):
    """An OptionList whose PageUp/PageDown cannot raise the upstream KeyError (see GuardedCommandPalette)."""

    def _move_page(self, direction) -> None:
        self._update_lines()
        if (self.highlighted or 0) not in self._line_cache.index_to_line:
            return
        super()._move_page(direction)
