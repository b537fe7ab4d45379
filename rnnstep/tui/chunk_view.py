"""The panels' view of a TBPTT tape (SPEC §9): the chunk the cursor is in, as its own short tape.

The debugger's cursor walks ``ChunkedTape.steps`` (every chunk's steps in turn); the panels are
shown a ``ChunkView``: the chunk's ``ChunkTape`` with the cursor at the same step in it, so the
network strip, the step, the sums and the chart draw one chunk with the panels that draw full BPTT.
"""

from __future__ import annotations

from dataclasses import dataclass

from .panels.base import View


@dataclass
class ChunkView(View):
    """A View of one chunk: ``counter`` is (the debugger's step index, its number of steps)."""

    counter: tuple[int, int] = (0, 1)

    def computed(self, index: int) -> bool:
        # earlier chunks' steps were run before this chunk, later chunks' are not run yet
        return self.tape.reached(index, self.cursor)


def panel_view(view: View) -> View:
    """``view`` itself, or for a TBPTT tape the view of the chunk its cursor is in."""
    tape = view.tape
    if not hasattr(tape, "chunk_tape"):
        return view
    steps = tape.steps
    c, local = steps.locate(view.cursor)

    def here(by_step: dict) -> dict:
        out: dict = {}
        for index, items in by_step.items():
            if 0 <= index < len(steps):
                where, at = steps.locate(index)
                if where == c:
                    out[at] = items
        return out

    return ChunkView(tape.chunk_tape(c), local, view.digits, view.hidden, here(view.notes), here(view.claims),
                     view.factor_offset, view.more_key, view.update_key, view.cache,
                     counter=(view.cursor, len(steps)))
