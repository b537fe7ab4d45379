"""TBPTT as the debugger steps it (SPEC §9): chunk by chunk, each chunk a short tape.

``ChunkTape`` presents one chunk of ``tape.chunks`` as a Tape, so the panels that draw
full BPTT draw it unchanged: the forward steps of the chunk (on the weights then in
force, from the carried state), its targets' outputs, its loss, its TermTables (the
terms it keeps) and its update. Every number is the one ``run_chunks`` computed;
the sequence's values are the run's (a step of an earlier chunk as it was run, with
the weights then in force), so a term reaching back into an earlier chunk multiplies
the Jacobians that step was run with.

``ChunkedTape`` is the whole TBPTT tape for the debugger's cursor: its ``steps`` are
each chunk's steps in turn, with the chunk ids of ``chunk_ids.py`` as step ids
(``chunk[2].forward.O[5]``, ``chunk[2].gradients.w.term[6,4]``, ``chunk[2].update.w.new``).
It reads everything else from the full-BPTT tape it wraps.
"""

from __future__ import annotations

import bisect
import dataclasses
from functools import cached_property
from typing import Any, Sequence

import numpy as np

from .. import ids
from ..cells import rnn as plain_cell
from ..ids import IdError
from .chunk_ids import TERM_PARAMS
from ..gated_tape import GatedTape
from ..tape import Step, Steps, Tape, step_position
from ..terms import TermTable


class ChunkTape(Tape):
    """One chunk of TBPTT as a tape: T is the whole sequence's, the terms and the update the chunk's.

    The forward and output arrays cover the whole run (every chunk's values; the view shows only
    those run by the end of this chunk); ``gradients``, ``updates``, ``loss`` are this chunk's."""

    def __init__(self, tape: Tape, index: int):  # noqa: D107 — no Tape.__init__: nothing is computed again
        chunks = tape.chunks
        chunk = self.chunk = chunks[index - 1]
        self.chunk_count = len(chunks)
        self.full = tape
        self.scenario = tape.scenario.with_weights(**{p: u.old for p, u in chunk.updates.items()})
        self.vector, self.n, self.m, self.q = tape.vector, tape.n, tape.m, tape.q
        self.f, self.g, self.loss_fn, self.T = tape.f, tape.g, tape.loss_fn, tape.T
        self.weights = self.scenario.arrays()
        run = chunk.run
        self._cell_values(run)
        self.x, self.a, self.O, self.O_prev = (run[k] for k in ("x", "a", "O", "O_prev"))
        self.f_prime = self.f_prime_rows = run.get("f_prime")  # the plain cell's f′(a_t); a gated cell has gates
        self.W_prime_used = run["W_prime_used"]
        self.targets = np.array(self.scenario.targets, dtype=np.int64)
        self.target_position = {int(t): i for i, t in enumerate(self.targets)}
        self.y = self.weights["y"]
        for name in ("z", "yhat", "dl_dyhat", "g_prime", "to_z", "upstream"):  # every target, from its own chunk
            setattr(self, name, np.concatenate([c.run[name] for c in chunks]))
        self.losses = np.concatenate([np.asarray(c.losses, dtype=np.float64) for c in chunks])
        self.loss = chunk.loss
        if self.q == 1 and self.g.name != "softmax":  # ∂ŷ_t/∂O_t = g′(z_t)·w_out with the target's chunk's w_out
            w_out = np.concatenate([np.full(len(c.targets), float(np.ravel(c.updates["w_out"].old)[0])) for c in chunks])
            self.dyhat_dO = self.g_prime * w_out[:, None]
        else:
            self.dyhat_dO = self.upstream
        self.gradients = {p: chunk.gradients[p] if chunk.gradients[p] is not None else self._empty(p)
                          for p in self.params}
        self.chain = self.gradients["w_prime"].rows
        self._recursive_view()
        self.updates, self.norm_clip = chunk.updates, chunk.norm_clip
        self.__dict__["chunks"] = []  # this is one chunk: no "TBPTT updated N times" under its update
        self.__dict__["rtrl"] = None
        if not self.vector:
            self._as_chunk_numbers()
        self.steps = Steps(self._segments(), self)

    def _cell_values(self, run: dict) -> None:
        """A gated cell's gates, c and forward record (GatedChunkTape); the plain cell has none."""

    def _empty(self, param: str) -> TermTable:
        """A chunk without a target adds no term (its update leaves the weights as they are)."""
        none = np.zeros(0, dtype=np.int64)
        inputs = {"w_prime": self.O_prev, "w": self.x, "b": np.ones((self.T, 1)), "b_prime": np.ones((self.T, 1)),
                  "w_out": self.O, "b_out": np.ones((self.T, 1))}[param]
        recurrent = param in TERM_PARAMS
        width = self.q if not recurrent else self.param_shape(param)[0]
        k = none if recurrent else None
        scale = self.f_prime if recurrent else None  # None for a gated cell: its rows are δ itself
        zero = ([], np.zeros((width, inputs.shape[1]))) if self.vector else None  # its total: 0, not "no sum"
        table = TermTable(param, none, k, np.zeros(0, dtype=bool), np.zeros((0, width)), scale, inputs, self.vector,
                          sums=zero)
        if recurrent and self.f_prime is None:
            table.carry_rows = np.zeros((0, width))
        return table

    def _recursive_view(self) -> None:
        """∂L_c/∂O_k and ∂L_c/∂a_k of this chunk's loss: its paths t → k summed (zero where it reaches none)."""
        table = self.gradients["w_prime"]
        dL_dO = np.zeros((self.T, self.n))
        with np.errstate(all="ignore"):
            np.add.at(dL_dO, table.k - 1, table.rows)
            self.dL_dO, self.dL_da = dL_dO, dL_dO * self.f_prime

    def _as_chunk_numbers(self) -> None:
        """The plain tape's numbers (Tape._as_numbers), but ∂O_j/∂O_{j−1} with step j's own w′."""
        self._as_numbers()
        self.backprop_factor = self.f_prime * self.W_prime_used[:, 0, 0]  # f′(a_j)·w′ with step j's own w′

    def recurrent_weight(self, j: int) -> Any:
        """The w′ (W′) step j was run with: an earlier chunk's for a step before this one."""
        W = self.W_prime_used[j - 1]
        return float(W[0, 0]) if not self.vector else W.copy()

    def backprop_jacobian(self, j: int) -> np.ndarray:
        return plain_cell.backprop_jacobian(self.f_prime_rows[j - 1], self.W_prime_used[j - 1])

    @property
    def first(self) -> int:
        return self.chunk.first

    @property
    def last(self) -> int:
        return self.chunk.last

    def reached(self, index: int, cursor: int) -> bool:
        """Is local step ``index`` computed when the cursor is at local step ``cursor``? Steps of earlier
        chunks were run before this one; those of later chunks are not run yet."""
        T, first, last = self.T, self.chunk.first, self.chunk.last
        if index < T:
            t = index + 1
        elif index < T + len(self.targets):
            t = int(self.targets[index - T])
        else:
            return index <= cursor
        return t <= last and (t < first or index <= cursor)

    def value(self, id_or_vid) -> Any:
        vid = ids.parse_id(id_or_vid) if isinstance(id_or_vid, str) else id_or_vid
        if vid.group == "gradients" and vid.name in ("term", "running_sum", "factor", "delta", "carry", "rest"):
            t = vid.index[0]
            k = vid.index[1] if vid.param in TERM_PARAMS and len(vid.index) > 1 else None
            if t not in self.chunk.targets or (k is not None and k < self.chunk.reach):
                raise IdError(f"{vid}: chunk {self.chunk.index} has no such term"
                              + (f"; {self.chunk.reason_for(t)}" if k is not None and t in self.chunk.targets else ""))
        return super().value(vid)

    @cached_property
    def visited(self) -> tuple[range, ...]:
        """The local steps the cursor visits: this chunk's forward steps, its targets' outputs, then
        its loss, terms and update."""
        T, chunk = self.T, self.chunk
        p0 = bisect.bisect_left(self.targets.tolist(), chunk.first)
        p1 = p0 + len(chunk.targets)
        outputs = T + len(self.targets)
        return range(chunk.first - 1, chunk.last), range(T + p0, T + p1), range(outputs, len(self.steps))

    def left_out_line(self, t: int, k: int) -> str:
        """At the last term a target keeps: the ones it leaves out, and why ("" when it leaves none)."""
        chunk = self.chunk
        if k != chunk.reach or chunk.reach <= 1:
            return ""
        gone = f"[{t},{chunk.reach - 1}]" if chunk.reach == 2 else f"[{t},{chunk.reach - 1}] … [{t},1]"
        return f"TBPTT leaves out {gone}: {chunk.reason_for(t)}; not computed, not added"

    @cached_property
    def detached(self) -> dict:
        """Beside this chunk's gradient, like for like: full BPTT's terms of the same targets on the starting
        weights, split into the ones the chunk adds and the ones it leaves out (detached.py); {} for a chunk
        without a target or a tape of one chunk."""
        from .detached import detached_sums

        if self.chunk_count == 1 or not self.chunk.targets:
            return {}
        return detached_sums(self.full, self.chunk)

    def target_words(self) -> str:
        """The chunk's target steps in a few words: "t = 5…8", "t = 6", or "chunk 2's 3 targets"."""
        t = self.chunk.targets
        if len(t) == 1:
            return f"t = {t[0]}"
        if t[-1] - t[0] == len(t) - 1:
            return f"t = {t[0]}…{t[-1]}"
        return f"chunk {self.chunk.index}'s {len(t)} targets"

    def chunk_line(self) -> str:
        """What this chunk is: its steps, the state it starts from and the weights it runs on."""
        c = self.chunk
        start = "from O₀" if c.index == 1 else f"from the state carried out of chunk {c.index - 1}"
        weights = "on the starting weights" if c.index == 1 else f"on the weights chunk {c.index - 1} updated"
        return f"chunk {c.index} of {self.chunk_count}: steps {c.first}–{c.last}, run {start}, {weights}"


class GatedChunkTape(ChunkTape, GatedTape):
    """One chunk of TBPTT on an LSTM or a GRU (SPEC §8, §9): the gated tape's panels' reading methods
    (factors, blocks J_j, carry diagonal, immediate partials) over the run's forward record, each block on
    the W′ its step was run with; the recursive view is this chunk's (its paths to k summed)."""

    def __init__(self, tape: Tape, index: int):  # noqa: D107 — nothing is computed again
        self.cell = tape.cell
        super().__init__(tape, index)

    def _cell_values(self, run: dict) -> None:
        fw = self.forward_record = run["forward"]
        self.a_prime, self.c, self.c_prev, self.gates = fw.a_prime, fw.c, fw.c_prev, fw.gates

    def _recursive_view(self) -> None:
        view = self.chunk.run.get("view")
        T, n, width = self.T, self.n, self.param_shape("b")[0]
        if view is None:  # a chunk without a target: no path reaches any step
            view = {"dL_dO": np.zeros((T, n)), "dL_dc": np.zeros((T, n)) if self.cell.CARRY == "c" else None,
                    "dL_da": np.zeros((T, width)), "dL_da_prime": np.zeros((T, width))}
        self.dL_dO, self.dL_dc, self.dL_da, self.dL_da_prime = (view[k] for k in ("dL_dO", "dL_dc", "dL_da",
                                                                                  "dL_da_prime"))

    def backprop_jacobian(self, j: int) -> np.ndarray:
        """J_j = ∂s_j/∂s_{j−1} as step j was run: its gates and the W′ then in force."""
        return self.cell.jacobian(self.forward_record, j - 1, self.W_prime_used[j - 1])


class ChunkedSteps(Sequence[Step]):
    """Every chunk's visited steps in turn; a step's id is its chunk id (``chunk[2].forward.O[5]``)."""

    def __init__(self, tape: "ChunkedTape"):
        self._tape = tape
        self._bounds: dict[int, list[tuple[str, int, int]]] = {}
        self._counts = [sum(len(r) for r in tape.chunk_tape(c).visited) for c in range(1, len(tape.chunks) + 1)]
        self._starts = list(np.cumsum([0] + self._counts)[:-1])
        self._length = int(sum(self._counts))

    def __len__(self) -> int:
        return self._length

    def locate(self, index: int) -> tuple[int, int]:
        """(chunk number from 1, the local step index in its ChunkTape) of global step ``index``."""
        c = bisect.bisect_right(self._starts, index) - 1
        offset = index - self._starts[c]
        for part in self._tape.chunk_tape(c + 1).visited:
            if offset < len(part):
                return c + 1, part[offset]
            offset -= len(part)
        raise IndexError(index)

    def global_index(self, c: int, local: int) -> int:
        """The global step of local step ``local`` of chunk ``c``; KeyError if the cursor never visits it."""
        offset = int(self._starts[c - 1])
        for part in self._tape.chunk_tape(c).visited:
            if local in part:
                return offset + local - part.start
            offset += len(part)
        raise KeyError(local)

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        index = step_position(index, self._length)
        c, local = self.locate(index)
        return dataclasses.replace(self._tape.chunk_tape(c).steps[local], index=index, chunk=c)

    def chunk_bounds(self, c: int) -> list[tuple[str, int, int]]:
        """Chunk c's phases (local names: forward, loss, backward.w′ …, update) as global (lo, hi)."""
        if c not in self._bounds:
            tape, out = self._tape.chunk_tape(c), []
            for name, lo, hi in tape.steps.phase_bounds():
                inside = [r for r in (range(max(lo, p.start), min(hi, p.stop)) for p in tape.visited) if len(r)]
                if inside:
                    out.append((name, self.global_index(c, inside[0].start),
                                self.global_index(c, inside[-1].stop - 1) + 1))
            self._bounds[c] = out
        return self._bounds[c]

    def phase_bounds(self) -> list[tuple[str, int, int]]:
        """Every chunk's phases in order, named ``chunk[c].forward`` … ``chunk[c].update``."""
        return [(f"chunk[{c}].{name}", lo, hi) for c in range(1, len(self._counts) + 1)
                for name, lo, hi in self.chunk_bounds(c)]

    def phase_bounds_near(self, index: int) -> list[tuple[str, int, int]]:
        """The phases of the chunk holding step ``index`` (the status line's phases)."""
        return self.chunk_bounds(self.locate(index)[0])

    def phase_start(self, phase: str) -> int:
        """``chunk[c].forward`` …; a plain phase name is the first chunk's."""
        c, name = 1, phase
        if phase.startswith("chunk["):
            c, _, name = phase[len("chunk["):].partition("].")
            c = int(c)
        if not 1 <= c <= len(self._counts):
            raise KeyError(phase)
        for bound, lo, _ in self.chunk_bounds(c):
            if bound == name:
                return lo
        raise KeyError(phase)

    def index_of(self, text: str) -> int:
        """The step a chunk id, a chunk's phase (``chunk[2].backward.w``), a phase, or a plain id names.

        A plain id (``forward.O[5]``, ``gradients.w.term[6,4]``) goes to the chunk that runs that step or
        target; a term that chunk leaves out, to the term that says so; ``loss``, a total and an update
        to the last chunk's."""
        from .chunk_ids import parse_chunk_id

        text = text.strip()
        if text.startswith("chunk[") and ids.is_phase(text.partition("].")[2]) and not text.endswith("].loss"):
            return self.phase_start(text)
        if ids.is_phase(text):
            return self.phase_start(f"chunk[{len(self._counts) if text == 'update' else 1}].{text}")
        if text.startswith("chunk["):
            c, vid = parse_chunk_id(text)
            if not 1 <= c <= len(self._counts):
                raise IdError(f"{text}: chunk {c} does not exist (this tape has {len(self._counts)} chunks)")
            self._tape.chunk_tape(c).value(vid)  # IdError, with the reason, for a term the chunk leaves out
            return self._in_chunk(c, vid)
        vid = ids.parse_id(text)
        ids.check_id(vid, self._tape.T, self._tape.scenario.targets, self._tape.sizes)
        return self._in_chunk(self._chunk_of(vid), vid, lenient=True)

    def _chunk_of(self, vid) -> int:
        from .tbptt import chunk_of

        if vid.group in ("forward", "outputs") or (vid.group == "gradients" and vid.name != "total"):
            return chunk_of(self._tape.scenario, vid.index[0])[0]
        if vid.group == "backward":  # ∂L/∂a_k of the last chunk whose terms reach k
            return next(c for c in range(len(self._counts), 0, -1)
                        if self._tape.chunk_tape(c).chunk.reach <= vid.index[0])
        return len(self._counts)

    def _in_chunk(self, c: int, vid, lenient: bool = False) -> int:
        tape = self._tape.chunk_tape(c)
        if lenient and vid.group == "gradients" and vid.name != "total" and vid.param in TERM_PARAMS:
            vid = dataclasses.replace(vid, index=(vid.index[0], max(vid.index[1], tape.chunk.reach), *vid.index[2:]))
        if vid.group == "gradients" and vid.name == "total" and not len(tape.gradients[vid.param]):
            vid = ids.parse_id(f"update.{vid.param}.new")
        return self.global_index(c, tape.step_of(vid.whole if vid.component else vid))


class ChunkedTape:
    """The debugger's TBPTT tape: ``steps`` walk the chunks; everything else is the wrapped full tape's."""

    def __init__(self, tape: Tape):
        self.full = tape
        self._chunk_tapes: dict[int, ChunkTape] = {}
        self.steps = ChunkedSteps(self)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.full, name)

    def chunk_tape(self, c: int) -> ChunkTape:
        if c not in self._chunk_tapes:
            kind = GatedChunkTape if getattr(self.full, "cell", None) is not None else ChunkTape
            self._chunk_tapes[c] = kind(self.full, c)
        return self._chunk_tapes[c]

    @property
    def loss(self) -> float:
        """The TBPTT epoch's loss: every chunk's, as it was run."""
        return float(sum(c.loss for c in self.full.chunks))

    def chunk_loss_at(self, index: int) -> float:
        return self.chunk_tape(self.steps.locate(index)[0]).loss

    def step_of(self, vid) -> int:
        """The step of a value id: a chunk id's own, a plain id's in the chunk that computes it (``loss``:
        the last chunk's L, not the start of a loss phase)."""
        text = str(vid).strip()
        if text.startswith("chunk["):
            return self.steps.index_of(text)
        vid = ids.parse_id(text) if isinstance(vid, str) else vid
        return self.steps._in_chunk(self.steps._chunk_of(vid), vid, lenient=True)

    def value(self, id_or_vid) -> Any:
        """A chunk id's value (chunk_ids.py); a plain id's as the chunk that runs it computed it."""
        text = str(id_or_vid).strip()
        if text.startswith("chunk["):
            from .chunk_ids import chunk_value

            return chunk_value(self.full, text)
        c, _ = self.steps.locate(self.step_of(text))
        return self.chunk_tape(c).value(text)


def stepped(tape) -> Any:
    """The tape the debugger steps: a TBPTT tape chunk by chunk, any other as it is."""
    if isinstance(tape, ChunkedTape) or getattr(tape.scenario, "method", "bptt") != "tbptt":
        return tape
    return ChunkedTape(tape)
