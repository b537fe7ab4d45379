"""Commands typed at the go-to prompt (:) besides a place to go: watches and conditional breakpoints.

    watch gradients.w.running_sum      pin a value to the watch line
    unwatch gradients.w.running_sum    unpin it (``unwatch`` alone: all)
    break when |term| < 1e-6           stop (c) where the condition first holds
    unbreak when |term| < 1e-6         remove it (``unbreak when`` alone: every condition)

``parse`` returns None for anything else (a step number, a phase or an id), so the
prompt goes there as before; a command it cannot read is a ValueError with one sentence.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..conditions import ConditionError, parse_condition
from ..watches import WatchError, tape_watch

VERBS = ("watch", "unwatch", "break when", "unbreak when")


@dataclass(frozen=True)
class Command:
    verb: str  # watch | unwatch | break | unbreak
    argument: object = None  # a Watch, a Condition, or None (all)


def parse(tape, text: str) -> Command | None:
    body = " ".join(text.split())
    lowered = body.lower()
    if lowered == "watch" or lowered.startswith("watch "):
        rest = body[5:].strip()
        if not rest:
            raise ValueError("watch what? e.g. watch gradients.w.running_sum")
        try:
            return Command("watch", tape_watch(rest, tape))
        except WatchError as exc:
            raise ValueError(f"watch: {exc}") from None
    if lowered == "unwatch" or lowered.startswith("unwatch "):
        rest = body[7:].strip()
        if not rest:
            return Command("unwatch")
        try:
            return Command("unwatch", tape_watch(rest, tape))
        except WatchError as exc:
            raise ValueError(f"unwatch: {exc}") from None
    for verb in ("break", "unbreak"):
        if lowered == verb or lowered.startswith(verb + " "):
            rest = body[len(verb):].strip()
            if not rest.lower().startswith("when") and verb == "break":
                raise ValueError("break when …: e.g. break when |term| < 1e-6 (b sets a breakpoint on this step)")
            if verb == "unbreak" and rest.lower() in ("", "when"):
                return Command("unbreak")
            try:
                return Command(verb, parse_condition(rest))
            except ConditionError as exc:
                raise ValueError(f"{verb} {exc}") from None
    return None
