"""A webhook receiver for the tests: a real HTTP server in a thread, and an RFC 9421 verifier
written here from the RFC (not gi_trace's signer), as an independent subscriber would.

The verifier parses Signature-Input (RFC 8941 inner list and parameters), rebuilds the
signature base per RFC 9421 §2.5 from the request as received, checks Content-Digest
(RFC 9530) against the body, and verifies with `cryptography`'s Ed25519.
"""

from __future__ import annotations

import base64
import hashlib
import re
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    headers: dict[str, str]  # lowercase names
    body: bytes


@dataclass
class Receiver:
    """Answers each request with the next of `answers` (then 204); `hold` keeps a request
    unanswered until released, as a receiver that is slow while the sender dies."""

    port: int
    answers: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    hold: threading.Event | None = None
    arrived: threading.Event = field(default_factory=threading.Event)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/gi"

    def keys_seen(self) -> list[str]:
        return [r.headers["idempotency-key"] for r in self.received]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def serving(receiver: Receiver) -> Iterator[Receiver]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            receiver.received.append(Received("POST", self.path,
                                              {k.lower(): v for k, v in self.headers.items()}, body))
            receiver.arrived.set()
            if receiver.hold is not None:
                receiver.hold.wait(10)
            code = receiver.answers.pop(0) if receiver.answers else 204
            try:
                self.send_response(code)
                self.send_header("Content-Length", "0")
                self.end_headers()
            except OSError:
                pass  # the sender is gone

        def log_message(self, *_: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", receiver.port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        if receiver.hold is not None:
            receiver.hold.set()
        server.shutdown()
        server.server_close()
        thread.join(5)


# -- RFC 9421 ------------------------------------------------------------------------------------

class SignatureError(Exception):
    pass


_PARAM = re.compile(r';([a-z*][a-z0-9_.*-]*)=("(?:[^"\\]|\\.)*"|-?[0-9]+)')


def _parse_input(value: str) -> tuple[str, list[str], dict[str, str | int]]:
    """`label=("c1" "c2");p=v;…` (RFC 8941 dictionary of one inner list, RFC 9421 §4.1)."""
    m = re.fullmatch(r'([a-z*][a-z0-9_.*-]*)=\(((?:"[^"]*"(?: "[^"]*")*)?)\)((?:;[^;]+)*)', value.strip())
    if m is None:
        raise SignatureError(f"Signature-Input not understood: {value}")
    components = re.findall(r'"([^"]*)"', m.group(2))
    params: dict[str, str | int] = {}
    for name, raw in _PARAM.findall(m.group(3)):
        params[name] = raw[1:-1] if raw.startswith('"') else int(raw)
    return m.group(1), components, params


def _serialize_params(components: list[str], params: dict[str, str | int]) -> str:
    inner = "(" + " ".join(f'"{c}"' for c in components) + ")"
    return inner + "".join(f";{k}=" + (f'"{v}"' if isinstance(v, str) else str(v))
                           for k, v in params.items())


def verify(request: Received, target_uri: str, public_key: bytes) -> dict[str, str | int]:
    """Verify the request's signature; its parameters, or SignatureError."""
    label, components, params = _parse_input(request.headers["signature-input"])
    sig = re.fullmatch(rf'{re.escape(label)}=:([A-Za-z0-9+/=]+):', request.headers["signature"].strip())
    if sig is None:
        raise SignatureError("no signature under the label of Signature-Input")
    digest = base64.b64encode(hashlib.sha256(request.body).digest()).decode()
    if request.headers.get("content-digest") != f"sha-256=:{digest}:":
        raise SignatureError("Content-Digest does not match the body")
    lines = []
    for name in components:
        if name == "@method":
            value = request.method
        elif name == "@target-uri":
            value = target_uri
        elif name.startswith("@"):
            raise SignatureError(f"derived component {name} not supported here")
        else:
            value = request.headers[name].strip()
        lines.append(f'"{name}": {value}')
    lines.append(f'"@signature-params": {_serialize_params(components, params)}')
    base = "\n".join(lines).encode()
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(base64.b64decode(sig.group(1)), base)
    except Exception as e:
        raise SignatureError("signature does not verify") from e
    return params
