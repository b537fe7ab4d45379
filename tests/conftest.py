import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))  # reference.py and strategies.py

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _own_state_and_config(tmp_path_factory, monkeypatch):
    """The debugger remembers where a file was left ($XDG_STATE_HOME) and reads a config file ($XDG_CONFIG_HOME):
    each test starts with empty ones of its own, never the machine's nor another test's (it may set its own)."""
    folder = tmp_path_factory.mktemp("xdg")
    monkeypatch.setenv("XDG_STATE_HOME", str(folder / "state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(folder / "config"))


# On CI (CI=1, as GitHub Actions and most runners set it) every run tries the same examples, so a red build is
# the code's, not the draw's; locally each run draws anew and keeps what failed in .hypothesis/.
from hypothesis import settings  # noqa: E402

settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
