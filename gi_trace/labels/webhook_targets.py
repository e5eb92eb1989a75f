"""Where a webhook may send: not into the operator's own network.

Any registered organisation names a webhook's URL, and the service then POSTs to it from
inside its network: left open, that lets an org make the service call its database's
admin port, a cloud metadata address or a neighbour (server-side request forgery). So a
delivery goes only to a host whose every address is public, unless the operator allows
private targets (`GI_TRACE_WEBHOOK_PRIVATE_TARGETS=1`, e.g. an intranet receiver).
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit


def private_target(url: str) -> str | None:
    """Why `url` may not be sent to (a non-public address, or none at all), else None."""
    parts = urlsplit(url)
    host = parts.hostname
    if not host:
        return "the webhook's URL names no host"
    try:
        infos = socket.getaddrinfo(host, parts.port or (443 if parts.scheme == "https" else 80),
                                   type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as e:
        return f"cannot resolve {host}: {e}"
    for *_, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%")[0])
        if not address.is_global:
            return f"{host} is {address}, not a public address"
    return None
