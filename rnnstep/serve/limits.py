"""How much one client may take of a class server, so that one tab (or one web page) cannot lock out the rest.

* ``PER_CLIENT`` sessions per client address (``--per-client``); the class's token is shared, so the
  class as a whole is capped by ``--max-sessions``;
* a websocket message over ``MESSAGE_BYTES`` is ignored (the page's keys and pastes are far smaller),
  and one over ``SOCKET_BYTES`` closes that tab's socket unread;
* keys: a session's budget of ``KEYS_BURST`` input events refills at ``KEYS_PER_SECOND``; a message
  that costs more than is left is dropped whole (a held key or a moving mouse stays well inside);
* a request's headers must arrive within ``HEADER_SECONDS`` (slow clients that never finish are closed);
* file descriptors: the soft limit is raised to the hard one, and new sessions are refused while
  fewer than ``FD_RESERVE`` are left, so the server can still answer (and end) the ones it has.
"""

from __future__ import annotations

import os
import re
import time

PER_CLIENT = 4
MESSAGE_BYTES = 64 * 1024
SOCKET_BYTES = 1024 * 1024
KEYS_PER_SECOND = 60.0
KEYS_BURST = 240.0
HEADER_SECONDS = 10.0
FD_RESERVE = 64

# One input event: a CSI sequence (arrow keys, mouse reports), an ESC pair, a UTF-8 character or a byte.
_EVENT = re.compile(rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[\x00-\x7f]|[\xc0-\xff][\x80-\xbf]*|.", re.S)


def events(keys: bytes) -> int:
    """How many input events ``keys`` holds (what the app will process, one by one)."""
    return len(_EVENT.findall(keys))


class KeyBudget:
    """A token bucket of input events for one session."""

    def __init__(self, rate: float = KEYS_PER_SECOND, burst: float = KEYS_BURST,
                 clock=time.monotonic) -> None:
        self.rate, self.burst, self.clock = rate, burst, clock
        self.left = burst
        self.at = clock()

    def take(self, keys: bytes) -> bool:
        """True (and spent) when ``keys`` fits in what is left; False: drop them, nothing spent."""
        now = self.clock()
        self.left = min(self.burst, self.left + (now - self.at) * self.rate)
        self.at = now
        cost = events(keys)
        if cost > self.left:
            return False
        self.left -= cost
        return True


def raise_open_files() -> tuple[int, int]:
    """Raise this process's soft limit of open files to its hard limit; the (soft, hard) limits now."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else max(soft, 65536)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
            soft = wanted
        except (ValueError, OSError):
            pass
    return soft, hard


def files_left() -> int | None:
    """How many more files this process may open (None where /proc cannot say)."""
    import resource

    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    if soft == resource.RLIM_INFINITY:
        return None
    try:
        return soft - len(os.listdir("/proc/self/fd"))
    except OSError:
        return None
