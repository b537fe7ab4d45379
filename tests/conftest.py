import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))  # reference.py and strategies.py

# On CI (CI=1, as GitHub Actions and most runners set it) every run tries the same examples, so a red build is
# the code's, not the draw's; locally each run draws anew and keeps what failed in .hypothesis/.
from hypothesis import settings  # noqa: E402

settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
