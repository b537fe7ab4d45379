"""``rnnstep drill --anki DECK.apkg``: the drill's questions written as an Anki deck, whole or not at all."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from ..scenario import Scenario
from .usage import UsageError


def write_anki(args: argparse.Namespace, scenario: Scenario, seed: int | None) -> int:
    import shutil
    import tempfile

    from ..drill.anki import write_deck
    from ..drill.questions import questions
    from ..build import build_tape

    if args.plain or args.review:
        raise UsageError(f"drill: --anki writes a deck; it cannot go with --{'plain' if args.plain else 'review'}")
    target = Path(args.anki)
    if target.suffix.lower() != ".apkg":
        raise UsageError(f"drill: --anki {args.anki}: expected a file name ending in .apkg (Anki's deck package)")
    if target.is_dir():
        raise UsageError(f"drill: --anki {args.anki}: is a directory; expected a .apkg file to write")
    if target.exists() and not args.force:
        raise UsageError(f"drill: --anki {args.anki} exists; add --force to overwrite it (re-exported cards keep "
                         "their ids, so Anki updates them and keeps their schedule)")
    tape = build_tape(scenario)
    chosen = questions(tape, args.only, args.digits, args.paths)
    if args.count:
        chosen = chosen[: args.count]
    from ..partial import held, track, writing  # removed by SIGTERM and SIGHUP too, not only by unwinding

    folder = target.parent if str(target.parent) else Path(".")
    try:
        with held():
            handle, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=folder)
            track(temp)
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(handle, 0o666 & ~umask)  # mkstemp makes 0600; a deck gets a new file's permissions, as -o does
        os.close(handle)
    except OSError as exc:
        raise UsageError(f"drill: --anki {args.anki}: cannot write there: {exc.strerror or exc}") from None
    with writing(temp):
        try:
            notes = write_deck(Path(temp), chosen, scenario.name, args.digits)
            if target.exists() and not target.is_file():  # a device or pipe, as -o: write into it, never rename over it
                with open(temp, "rb") as deck, open(target, "wb") as out:
                    shutil.copyfileobj(deck, out)
            else:
                os.replace(temp, target)
        except OSError as exc:
            raise UsageError(f"drill: --anki {args.anki}: cannot write: {exc.strerror or exc}") from None
    again = f" (seed {seed}: repeat it with --seed {seed})" if seed is not None else ""
    print(f"wrote {notes} card{'s' if notes != 1 else ''} to {target}{again}")
    return 0
