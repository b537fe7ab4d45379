"""``rnnstep serve``: the debugger served to a class's browsers (needs rnnstep[serve])."""

from __future__ import annotations

import argparse

from .usage import UsageError


def run(args: argparse.Namespace) -> int:
    try:
        import aiohttp  # noqa: F401
        import textual_serve  # noqa: F401
    except ImportError:
        raise UsageError("serve: needs the serve extra: pip install '.[serve]' in the rnnstep folder "
                         "(the test extra includes it)") from None
    from ..serve.access import choose_token
    from ..serve.catalog import catalog
    from ..serve.server import serve

    served = catalog(args.files)
    from .. import budget
    from ..usertext import shown_line

    for item in served:  # each tab builds its tape and draws its screens: priced before anyone connects
        budget.require(budget.screen_price(item.scenario), f"serve: {shown_line(str(item.path))}", item.scenario,
                       args.force,
                       "serve scenarios with fewer steps, targets or hidden units")
    try:
        serve(served, args.host, args.port, choose_token(args.host, args.token), args.max_sessions, args.idle_minutes,
              drill=args.drill, per_client=args.per_client, warm=not args.cold)
    except OSError as exc:  # the port is taken, the address is not this machine's
        raise UsageError(f"serve: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}") from None
    return 0
