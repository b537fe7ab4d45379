"""Who may connect: anyone on loopback, and on any other address only with the token.

The token travels as ``?token=…`` in the URL the teacher shares (as Jupyter's
does); the page then keeps it in a cookie so the websocket, the static files and
the downloads the page asks for carry it too. No token: 401. A wrong one: 403.
"""

from __future__ import annotations

import hmac
import ipaddress
import re
import secrets

TOKEN_PATTERN = re.compile(r"[A-Za-z0-9._~-]{8,128}")  # fits a URL unescaped


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and localhost: only this machine can reach such a server."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to anything


def choose_token(host: str, given: str | None) -> str | None:
    """The token the server requires: ``given``, a fresh random one off loopback, or none on loopback."""
    if given is not None:
        return given
    return None if is_loopback(host) else secrets.token_urlsafe(24)


def cookie_name(port: int) -> str:
    return f"rnnstep-token-{port}"  # cookies ignore the port: two servers on one host keep theirs apart


def verdict(required: str | None, offered: str | None) -> int | None:
    """None when the request may pass; else the HTTP status that refuses it (401 none offered, 403 wrong)."""
    if required is None:
        return None
    if not offered:
        return 401
    return None if hmac.compare_digest(offered.encode(), required.encode()) else 403
