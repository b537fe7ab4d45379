"""This machine's own addresses: the names a request may carry in ``Host``, and the links the teacher shares.

A browser page on any site can make a student's (or the teacher's) browser open a websocket
to ``127.0.0.1:8000``, and a name that an attacker's DNS points at 127.0.0.1 (DNS rebinding)
reaches the server with the attacker's name in ``Host``. So a request is served only when its
``Host`` names this server — an address it listens on, or this machine's own name — and when
its ``Origin``, if any, is the page's own origin (see ``access.foreign``).
"""

from __future__ import annotations

import fcntl
import ipaddress
import socket
import struct

_SIOCGIFADDR = 0x8915  # Linux: an interface's IPv4 address


def interface_addresses() -> list[str]:
    """Every address of this machine's interfaces (IPv4 by ioctl, IPv6 from /proc), loopback included."""
    found: list[str] = []
    try:
        names = [name for _, name in socket.if_nameindex()]
    except OSError:
        names = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        for name in names:
            try:
                packed = fcntl.ioctl(probe.fileno(), _SIOCGIFADDR, struct.pack("256s", name.encode()[:15]))
            except OSError:
                continue  # no IPv4 address on this interface
            found.append(socket.inet_ntoa(packed[20:24]))
    try:
        with open("/proc/net/if_inet6", encoding="ascii") as table:
            for line in table:
                digits = line.split()[0]
                found.append(str(ipaddress.ip_address(bytes.fromhex(digits))))
    except (OSError, ValueError, IndexError):
        pass
    return list(dict.fromkeys(found))


def shareable(addresses: list[str]) -> list[str]:
    """The addresses another machine can use: not loopback, not link-local (those need a zone), v4 first."""
    kept = []
    for text in addresses:
        try:
            address = ipaddress.ip_address(text)
        except ValueError:
            continue
        if not (address.is_loopback or address.is_link_local or address.is_unspecified or address.is_multicast):
            kept.append(address)
    return [str(a) for a in sorted(kept, key=lambda a: (a.version, a))]


def own_names(host: str) -> set[str]:
    """The host names a request to a server listening on ``host`` may carry (lower case, IPv6 unbracketed)."""
    names = {"localhost", "127.0.0.1", "::1", host.strip("[]").lower()}
    try:
        listening = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        listening = None  # a host name: the one given, and the loopback names
    if listening is not None and listening.is_unspecified:  # every interface: each address, and this machine's name
        names.update(a.lower() for a in interface_addresses())
        names.update({socket.gethostname().lower(), socket.getfqdn().lower()})
    elif listening is not None and listening.is_loopback:
        names.add(str(listening))
    return {n for n in names if n}
