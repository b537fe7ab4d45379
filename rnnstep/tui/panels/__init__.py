"""One module per panel of the debugger, each a pure function of (tape, cursor, size).

``base`` holds the View (the tape, the cursor, which values a drill hides) and
the styles; ``network``, ``step``, ``sums``, ``flow`` and ``status`` draw one panel
each, as Rich renderables, with no Textual import. Every number goes through
``View.num`` and so through the one formatter (``rnnstep.numbers.fit``).
"""

from .base import View

__all__ = ["View"]
