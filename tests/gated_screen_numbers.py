"""The numbers a gated scenario's screen (SPEC §8) may show, for the every-size checks: the vector set
(vector_screen_numbers.py) with the gated cell's own values — every gate, c_t, ã_t, the block Jacobians
J_j and ∂s_k/∂a_k with their spectral norms and the norms' products along each path, the carry and the
rest of every term with the carry's fraction of ‖term‖ and ∏ f_j (∏ u_j) — computed here with numpy
from the tape's arrays, not with the panels' code."""

from __future__ import annotations

import numpy as np

from vector_screen_numbers import TapeNumbers, _spectral, largest


class GatedTapeNumbers(TapeNumbers):
    def _arrays(self, tape):
        s, w = tape.scenario, tape.weights
        yield from (w[k] for k in ("w", "w_prime", "b", "b_prime", "w_out", "b_out", "h0", "c0", "x", "y"))
        yield [s.learning_rate] + ([s.clip] if s.clip else [])
        yield from (tape.a, tape.O, tape.z, tape.yhat, tape.losses, [tape.loss], tape.dL_dO, tape.dL_da, tape.to_z)
        yield from tape.gates.values()
        yield from (v for v in (tape.a_prime, tape.c, tape.dL_da_prime) if v is not None)
        yield np.linalg.norm(np.concatenate((w["h0"][None], tape.O)), axis=1)
        # a narrow forward step writes a long vector by its norm (ã_t, a_t, each gate, c_t), computed here
        for v in (tape.a, tape.a_prime, tape.c, *tape.gates.values()):
            if v is not None:
                yield np.linalg.norm(np.asarray(v).reshape(tape.T, -1), axis=1)
        for v in (tape.a, tape.a_prime):  # each gate's pre-activation (aⁱ_t …), summarised by its norm
            if v is not None:
                yield np.linalg.norm(np.asarray(v).reshape(tape.T, len(tape.cell.GATES), -1), axis=2)
        for k in ("w", "w_prime", "b", "b_prime", "w_out", "b_out"):
            yield [np.linalg.norm(w[k]), np.max(np.abs(w[k]))]  # ‖·‖ and a summary's max |·|
        yield from (largest(v) for v in (tape.a, tape.O, tape.z, tape.yhat, tape.dL_dO, tape.dL_da, tape.to_z,
                                         tape.a_prime, tape.c, tape.dL_da_prime, *tape.gates.values()) if v is not None)
        J = np.stack([tape.backprop_jacobian(j) for j in range(1, tape.T + 1)])
        D = np.stack([tape.immediate_partial(k) for k in range(1, tape.T + 1)])
        Dh = np.stack([tape.immediate_partial(k, True) for k in range(1, tape.T + 1)])
        J_norm = _spectral(J)
        yield from (J, D, Dh, J_norm, _spectral(D), _spectral(Dh), largest(J), largest(D), largest(Dh))
        if tape.rtrl is not None and tape.rtrl.history is not None:  # SPEC §9: RTRL's forward step, its norms
            H = tape.rtrl.history
            yield tape.rtrl.rows  # the row a target adds, entry by entry
            for t in range(1, tape.T + 1):
                carried = J[t - 1] @ H[t - 2] if t > 1 else np.zeros_like(H[0])  # J_t·P_{t−1}
                yield [np.linalg.norm(carried), np.linalg.norm(H[t - 1] - carried), np.linalg.norm(H[t - 1])]
            for lo, hi in tape.rtrl.columns.values():  # a target's row, per parameter
                yield np.linalg.norm(tape.rtrl.rows[:, lo:hi], axis=1)
                yield largest(tape.rtrl.rows[:, lo:hi])  # a summary's max |·|
        diag = tape.gates["f"] if tape.c is not None else tape.gates["u"]
        position = {int(t): i for i, t in enumerate(tape.targets)}
        for t in (int(t) for t in tape.targets):
            row = tape.state_gradient(t)
            yield row
            yield [np.linalg.norm(row)]
            back = np.concatenate(([1.0], np.cumprod(J_norm[t - 1:0:-1])))  # ∏‖J_j‖₂, k = t … 1
            yield back
            ends = np.linalg.norm(row) * np.stack([_spectral(D), _spectral(Dh)])[:, t - 1::-1]
            yield (ends * back).ravel()
            yield np.cumprod(diag[t - 1:0:-1], axis=0)  # ∏ f_j (∏ u_j), j = k+1 … t
            yield [np.linalg.norm(tape.upstream[position[t]])]
        for param, table in tape.gradients.items():
            N = len(table)
            steps = (table.k if table.k is not None else table.t) - 1
            deltas = table.deltas(0, N)
            inputs = np.asarray(table.inputs, dtype=np.float64)[steps]
            terms = deltas[:, :, None] * inputs[:, None, :]
            kept = np.where(table.truncated[:, None, None], 0.0, terms)
            sums = np.cumsum(kept, axis=0)
            yield from (deltas, inputs, terms, sums, largest(deltas), largest(inputs))
            for stack in (terms, sums):
                flat = stack.reshape(N, -1)
                yield np.linalg.norm(flat, axis=1)
                yield np.max(np.abs(flat), axis=1)
            norm_delta = np.linalg.norm(deltas, axis=1)
            yield norm_delta
            if table.carry_rows is not None:
                carry = table.carry_rows
                rest = deltas - carry
                yield from (carry, rest, np.linalg.norm(carry, axis=1), np.linalg.norm(rest, axis=1))
                input_norm = np.linalg.norm(inputs, axis=1)  # the flow chart's and triangle's ‖carry term‖, ‖rest term‖
                yield from (np.linalg.norm(carry, axis=1) * input_norm, np.linalg.norm(rest, axis=1) * input_norm)
                with np.errstate(all="ignore"):
                    yield np.linalg.norm(carry, axis=1) / norm_delta
        for u in tape.updates.values():
            yield from (u.old, u.grad, u.clipped, u.new, [np.max(np.abs(np.asarray(u.new) - np.asarray(u.old)))])
            yield [np.linalg.norm(u.old), np.linalg.norm(u.grad), np.linalg.norm(u.clipped), np.linalg.norm(u.new)]
            yield [np.max(np.abs(np.asarray(a, dtype=np.float64))) for a in (u.old, u.grad, u.clipped, u.new)]
        if tape.chunks:  # TBPTT stepped chunk by chunk: every chunk's own tape (its run, terms, update)
            from rnnstep.methods.chunk_tape import ChunkedTape

            chunked = ChunkedTape(tape)
            for c in range(1, len(tape.chunks) + 1):
                chunk = chunked.chunk_tape(c)
                yield from self._arrays(chunk)
                for split in chunk.detached.values():  # full BPTT's terms of the chunk's targets, split (detached.py)
                    yield from (split.full, split.kept, split.left_out)
                    yield [np.linalg.norm(split.left_out), np.max(np.abs(split.left_out))]  # a summary
        if s.claims and not getattr(tape, "chunk", None):
            from rnnstep.verify import verify

            yield from ([r.recomputed] for r in verify(tape).results if r.recomputed is not None)
