"""Who may connect: anyone on loopback, and on any other address only with the token; and only to this server.

The token travels as ``?token=…`` in the URL the teacher shares (as Jupyter's
does); the page then keeps it in a cookie so the websocket, the static files and
the downloads the page asks for carry it too. No token: 401. A wrong one: 403.
Before the token, every request must name this server in ``Host`` and, when it has an
``Origin``, come from this server's own page (``foreign``): 403 otherwise, loopback included.
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


def split_host(header: str) -> tuple[str, int | None] | None:
    """``Host`` (or an origin's authority) as (lower-case name, port or None); None when it is not one."""
    header = header.strip().lower()
    if header.startswith("["):  # [v6]:port
        name, _, rest = header[1:].partition("]")
        port_text = rest[1:] if rest.startswith(":") else ("" if not rest else None)
    else:
        name, _, port_text = header.rpartition(":") if ":" in header else (header, "", "")
    if not name or port_text is None:
        return None
    if port_text == "":
        return name, None
    if not port_text.isascii() or not port_text.isdigit() or not 0 < int(port_text) < 65536:
        return None
    return name, int(port_text)


def foreign(host: str | None, origin: str | None, names: set[str], port: int, scheme: str = "http") -> str | None:
    """Why a request is not for this server (None when it is).

    ``Host`` must name this server (one of ``names``, on ``port``): a rebound DNS name does not.
    ``Origin``, which a browser sends with every websocket and cross-site request, must be the
    page's own origin (``scheme://Host``): another site's page may not open a session.
    """
    if not host:
        return "no Host header"
    parsed = split_host(host)
    default_port = 443 if scheme in ("https", "wss") else 80
    if parsed is None or parsed[0] not in names or (parsed[1] or default_port) != port:
        return f"Host {host!r} is not this server"
    if origin is None:
        return None  # a navigation or a same-origin fetch: no Origin to check
    page_scheme = "https" if scheme in ("https", "wss") else "http"
    scheme_given, _, authority = origin.strip().lower().partition("://")
    given = split_host(authority)
    if scheme_given != page_scheme or given is None or (given[0], given[1] or default_port) != (parsed[0], port):
        return f"Origin {origin!r} is not this page's"
    return None
