"""Modal screens: help, open a scenario, export the derivation."""

from __future__ import annotations

from pathlib import Path

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Input, Label, Static
from textual.widgets.option_list import Option

from .palette import SafeOptionList as OptionList  # PageUp/PageDown guarded (Textual 8.2.8 bug)

from ..scenario import (Scenario, ScenarioError, load_typed_scenario, shipped_gated_scenarios, shipped_scenarios,
                        shipped_vector_scenarios)
from ..user_files import PathProblem, typed_path
from . import keymap
from .dialog import Dialog
from .paths import short_path
from ..usertext import user_text


_MODAL_CSS = """
    align: center middle;
    background: $background;  /* opaque: a number half under a dialog would read as a cut number */
    .modal-title { text-style: bold; color: $accent; margin-bottom: 1; }
    .dim { color: $text-muted; }
"""
_BODY_CSS = ("border: thick $accent; background: $surface; padding: 1 2; height: auto; max-height: 90%; "
             "min-width: 44; min-height: 8; max-width: 100%;")  # never squeezed to nothing on a tiny terminal


# paragraphs, not lines: the dialog wraps them to its width (80 columns leave ragged hand-broken lines)
_READING_A_TERM = (
    "\n[bold]Reading a term[/]\n"
    "∂L/∂w′ is a sum of path products, one per step k at which w′ is used. "
    "A term [∂L/∂ŷ × ∂ŷ/∂O₄ × ∂O₄/∂O₃ × ∂⁺O₃/∂w′] walks back from the loss "
    "to O₃ (one ∂O_j/∂O_{j−1} = f′(a_j)·w′ per step back), then takes the "
    "immediate partial ∂⁺: the derivative of O₃ through its own step only.\n"
)
_READING_A_VECTOR_TERM = (
    "\n[bold]Reading a term (a hidden vector)[/]\n"
    "∂L/∂W′ is a sum of terms, one per path t → k. Walking back from the loss, "
    "δ(t,k) = ∂ℓ_t/∂ŷ_t · ∂ŷ_t/∂z_t · W_out · ∂O_t/∂O_{t−1} ⋯ ∂O_{k+1}/∂O_k · diag(f′(a_k)) "
    "is a row of n numbers: ∂ℓ_t/∂a_k along that one path.\n"
    "Each step back is the Jacobian ∂O_j/∂O_{j−1} = diag(f′(a_j))·W′. Its spectral norm ‖·‖₂ "
    "bounds how much it can stretch δ, so the product of the norms (∏‖·‖₂ ≥ ‖δ‖) explains "
    "vanishing and exploding gradients.\n"
    "The term is the outer product δ(t,k)ᵀ·O_{k−1}ᵀ (n×n, rank one; x_kᵀ for W, δ itself for b). "
    "The running sum adds it entry by entry; ▸ marks the entries it changes.\n"
    "The t×k triangle (a target at every step) shades ‖term(t,k)‖ for every path at once: "
    "darker is larger, ◂ is the current term. Colours run from blue (negative) to red (positive); "
    "the minus sign is always printed.\n"
)
_READING_A_GATED_TERM = (
    "\n[bold]Reading a gated cell's term (LSTM, GRU)[/]\n"
    "δ(t,k) = carry + rest: the carry share is the part that travelled only the carry diagonal "
    "(the LSTM's cell state, ∂c_j/∂c_{j−1} = diag(f_j); the GRU's diag(u_j)); the rest went through the gates "
    "and the hidden state. carry + rest = term as vectors, entry by entry, so their norms do not add "
    "(‖carry‖ + ‖rest‖ ≥ ‖term‖): the step's ‖carry‖/‖term‖ is a ratio of norms, not a share that adds up "
    "with the rest's, and can pass 1 when the rest points against the carry. The gradient-flow chart draws ‖carry term‖ (▀, the top half of a row) and "
    "‖rest term‖ (▄, the bottom half) by steps back on one decade ruler, █ where both reach: a long ▀ tail "
    "is a term that came mostly along the carry. t switches the t×k triangle between whole terms, "
    "their carry shares and the rests. In the unrolled network the LSTM's c lane runs above O, "
    "lit along the current path's carry.\n"
)


class HelpScreen(Dialog[None]):
    """Every key, from the one keymap declaration, and how to read the screen."""

    DEFAULT_CSS = ("HelpScreen {" + _MODAL_CSS + "#help-body { width: 90; scrollbar-gutter: stable; "
                   + _BODY_CSS + " } }")  # the gutter: a scrollbar never lies over the text

    BINDINGS = [Binding("escape,q,question_mark", "cancel", "Close", id="rnnstep.help.close")]

    def __init__(self, vector: bool = False, gated: bool = False) -> None:
        super().__init__()
        self.vector = vector  # a hidden vector (SPEC §7): terms are outer products of matrices
        self.gated = gated  # an LSTM or a GRU (SPEC §8): every term splits into its carry share and the rest

    def compose(self) -> ComposeResult:
        keys = Table(box=None, padding=(0, 2), show_header=False)
        keys.add_column(style="bold cyan", no_wrap=True)
        keys.add_column()
        for key in getattr(self.app, "keymap_keys", keymap.KEYS):  # the user's keys, from the config file
            keys.add_row(keymap.key_labels(key), key.help)
        from .panels.base import BAD, CURRENT, PATH, TRUNCATED, USE  # the very styles the panels use

        legend = Text.from_markup(_READING_A_VECTOR_TERM if self.vector else _READING_A_TERM)
        if self.gated:
            legend.append_text(Text.from_markup(_READING_A_GATED_TERM))
        for style, name, meaning in ((CURRENT, "reversed", "the current step"), (PATH, "yellow", "the current path"),
                                     (USE, "magenta", "where the weight is used"),
                                     (TRUNCATED, "struck", "truncated, not added"), (BAD, "red", "overflow")):
            legend.append(name, style=style)
            legend.append(f": {meaning}  ")
        legend.append("\n\nA number is shown whole, or rounded to fewer digits where space is tight — never cut.\n",
                      style="dim")
        legend.append("escape / q / ? closes this help", style="dim")
        with VerticalScroll(id="help-body"):
            yield Label("rnnstep — keys", classes="modal-title")
            yield Static(keys)
            yield Static(legend)


class NoteScreen(Dialog[None]):
    """A step's teaching note (and any worked-example claims) whole, when the step panel had to cut it."""

    DEFAULT_CSS = ("NoteScreen {" + _MODAL_CSS + "#note-body { width: 80; " + _BODY_CSS + " } "
                   "#note-body Static { margin-bottom: 1; } }")

    BINDINGS = [Binding("escape,q,m", "cancel", "Close", id="rnnstep.note.close")]
    CLOSES = "escape / q / m closes"  # the drill's own note dialog closes otherwise (drill/tui.py)

    def __init__(self, texts: list[Text]) -> None:
        super().__init__()
        self.texts = texts

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="note-body"):
            yield Label("At this step", classes="modal-title")
            for text in self.texts:
                yield Static(text)
            yield Label(self.CLOSES, classes="dim")



def shipped_options() -> list[Option]:
    """The shipped scenarios to pick from: the one-unit ones, then the hidden-vector ones (SPEC §7) and the
    gated cells' (SPEC §8), each under a heading that cannot be picked, as `rnnstep scenarios` lists them."""
    options = [Option(p.stem, id=str(p)) for p in shipped_scenarios()]
    for heading, paths in (("hidden vectors (hidden state of size n > 1):", shipped_vector_scenarios()),
                           ("gated cells (LSTM and GRU):", shipped_gated_scenarios())):
        if paths:
            options.append(Option(Text(heading, style="dim"), disabled=True))
            options += [Option(f"  {p.stem}", id=str(p)) for p in paths]
    return options


class OpenScreen(Dialog[Scenario | None]):
    """Type a path or pick a shipped scenario; a bad file is an error here, nothing else changes."""

    DEFAULT_CSS = ("OpenScreen {" + _MODAL_CSS + "#open-body { width: 80; " + _BODY_CSS + " } "
                   "#open-shipped { height: auto; max-height: 45vh; } #open-error { height: auto; } }")  # whole at 24 rows

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="rnnstep.open.cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(id="open-body"):
            yield Label("Open a scenario", classes="modal-title")
            yield Input(placeholder="path to a .toml scenario, then Enter", id="open-path")
            yield Static("", id="open-error")
            yield Label("or a shipped scenario:", classes="dim")
            yield OptionList(*shipped_options(), id="open-shipped")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self._try(event.value.strip())

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self._try(event.option.id or "")

    def _try(self, path: str) -> None:
        error = self.query_one("#open-error", Static)
        if not path:
            error.update(Text("type a path first", style="bold red"))
            return
        try:
            scenario = load_typed_scenario(path)  # ~ expanded; ~nosuchuser, a FIFO, a long name: one line
        except ScenarioError as exc:
            error.update(user_text(str(exc), style="bold red"))
            return
        except OSError as exc:  # anything else the file system refuses: one line, the dialog stays
            error.update(user_text(f"{path}: {exc.strerror or exc}", style="bold red"))
            return
        from .. import budget  # priced before its tape is built, as `rnnstep open` does

        try:
            budget.require(budget.screen_price(scenario), Path(path).name, scenario, False,
                           "a scenario with fewer steps, targets or hidden units",
                           f"`rnnstep open {path} --force` opens it anyway")
        except budget.OverBudget as exc:
            error.update(user_text(str(exc), style="bold red"))
            return
        self.dismiss(scenario)


class ExportScreen(Dialog[tuple[str, str] | None]):
    """Ask where to write the derivation; .md is markdown, .tex is LaTeX. Never overwrites."""

    DEFAULT_CSS = ("ExportScreen {" + _MODAL_CSS + "#export-body { width: 80; " + _BODY_CSS + " } "
                   "#export-error { height: auto; } }")

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="rnnstep.export.cancel")]

    def __init__(self, suggestion: str) -> None:
        super().__init__()
        self.suggestion = suggestion

    def compose(self) -> ComposeResult:
        with Vertical(id="export-body"):
            yield Label("Export the derivation (.md markdown, .tex LaTeX)", classes="modal-title")
            yield Input(value=self.suggestion, id="export-path")
            yield Static("", id="export-error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        path = event.value.strip()
        error = self.query_one("#export-error", Static)
        suffix = Path(path).suffix.lower()
        if suffix not in (".md", ".tex"):
            error.update(Text("the name must end in .md (markdown) or .tex (LaTeX)", style="bold red"))
            return
        room = error.content_size.width or 40  # a path is shortened to fit whole, never broken across lines
        try:
            target = typed_path(path)  # ~ expanded; ~nosuchuser or a name over 255 bytes: one line
            exists, folder = target.exists(), target.parent.is_dir()
        except (PathProblem, OSError, ValueError) as exc:
            problem = str(exc) if isinstance(exc, (PathProblem, ValueError)) else (exc.strerror or str(exc))
            error.update(user_text(f"{short_path(path, room)}: {problem}", style="bold red"))
            return
        if exists:
            error.update(user_text(f"{short_path(path, room)} already exists: choose another name (nothing is overwritten)",
                              style="bold red"))
            return
        if not folder:
            error.update(user_text(f"{short_path(target.parent, room)} is not a folder", style="bold red"))
            return
        self.dismiss(("markdown" if suffix == ".md" else "latex", str(target)))

