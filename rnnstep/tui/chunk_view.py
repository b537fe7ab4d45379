"""The panels' view of a TBPTT tape (SPEC §9): the chunk the cursor is in, as its own short tape.

The debugger's cursor walks ``ChunkedTape.steps`` (every chunk's steps in turn); the panels are
shown a ``ChunkView``: the chunk's ``ChunkTape`` with the cursor at the same step in it, so the
network strip, the step, the sums and the chart draw one chunk with the panels that draw full BPTT.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

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

    # every other field as the debugger's view has it, by name (View gains fields: none is dropped or shifted)
    kept = {f.name: getattr(view, f.name) for f in fields(View) if f.name not in ("tape", "cursor", "notes", "claims")}
    return ChunkView(tape=tape.chunk_tape(c), cursor=local, notes=here(view.notes), claims=here(view.claims),
                     counter=(view.cursor, len(steps)), **kept)
