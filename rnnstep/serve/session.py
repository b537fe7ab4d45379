"""One browser tab's process: ``python -m rnnstep.serve.session``, started by the server (or
``main`` run in a child forked from the warm process, see ``warm``).

The server names the served scenario files in ``RNNSTEP_SERVE_SCENARIOS`` (a JSON
list of paths, the first one opens) and sets ``TEXTUAL_DRIVER`` so Textual talks
to it over stdin/stdout instead of a terminal; ``RNNSTEP_SERVE_MODE=drill`` runs a
drill on the first scenario instead of the debugger. The process reads those files and
nothing else; each scenario keeps only its file name, so no server path can reach
the page. If the server dies, the session ends too (it watches its parent).
"""

from __future__ import annotations

import json
import os
import sys
import threading
from dataclasses import replace
from pathlib import Path

from ..scenario import Scenario, load_scenario_file

ENV_SCENARIOS = "RNNSTEP_SERVE_SCENARIOS"
ENV_MODE = "RNNSTEP_SERVE_MODE"  # "debug" (the debugger) or "drill"


def served_scenarios(paths: list[str]) -> list[Scenario]:
    """Load the served files, each renamed to its bare file name (the server checked them already)."""
    return [replace(load_scenario_file(Path(p)), source=Path(p).name) for p in paths]


def _exit_with_parent(parent: int) -> None:
    """End this process when the server that started it is gone (its children are re-parented)."""
    def watch() -> None:
        while os.getppid() == parent:
            threading.Event().wait(1.0)
        os._exit(0)

    threading.Thread(target=watch, name="rnnstep-parent-watch", daemon=True).start()


def main() -> int:
    paths = json.loads(os.environ[ENV_SCENARIOS])
    _exit_with_parent(os.getppid())
    scenarios = served_scenarios(paths)
    if os.environ.get(ENV_MODE) == "drill":
        from .drill import ServedDrillApp

        app = ServedDrillApp(scenarios[0])
    else:
        from .app import ServedApp

        app = ServedApp(scenarios)
    app.run()
    return app.return_code or 0


if __name__ == "__main__":
    sys.exit(main())
