"""JSON and text over HTTP with the standard library only, so the client adds no dependency.

Every non-2xx answer becomes a ProblemError carrying the server's problem+json
fields; every failure to get an answer becomes a TransportError. A 503 (the
log's writer lock was busy) is retried after the server's Retry-After: nothing
was written, so sending the same signed bytes again is safe.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from typing import Any

from .errors import ProblemError, TransportError

JSON = "application/json"
PROBLEM = "application/problem+json"
MAX_RETRY_WAIT = 5.0
API_PREFIX = "/v1"


def api_root(base_url: str) -> str:
    """The server's root: every path the client asks for starts with /v1 itself, so a base URL
    copied from an API address (`https://gi.example/v1/`) loses its trailing /v1."""
    root = base_url.rstrip("/")
    return root[:-len(API_PREFIX)] if root.endswith(API_PREFIX) else root


class Http:
    """A base URL, a timeout and a retry budget; no state beyond that."""

    def __init__(self, base_url: str, *, timeout: float = 30.0, busy_retries: int = 2) -> None:
        parsed = urllib.parse.urlsplit(base_url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise TransportError(f"not an http(s) base URL: {base_url!r}", code="bad-url")
        self.base_url = api_root(base_url)
        self.timeout = timeout
        self.busy_retries = busy_retries

    def url(self, path: str, params: Mapping[str, Any] | None = None) -> str:
        query = f"?{urllib.parse.urlencode(params)}" if params else ""
        return f"{self.base_url}/{path.lstrip('/')}{query}"

    def request(self, method: str, path: str, *, params: Mapping[str, Any] | None = None,
                payload: Any = None, headers: Mapping[str, str] | None = None,
                accept: str = JSON) -> bytes:
        """The body of a 2xx answer; raises ProblemError or TransportError otherwise."""
        url = self.url(path, params)
        data = None if payload is None else json.dumps(payload, ensure_ascii=False).encode("utf-8")
        all_headers = {"Accept": f"{accept}, {PROBLEM}", **(headers or {})}
        if data is not None:
            all_headers["Content-Type"] = JSON
        for attempt in range(self.busy_retries + 1):
            request = urllib.request.Request(url, data=data, method=method, headers=all_headers)
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    body: bytes = response.read()
                    return body
            except urllib.error.HTTPError as e:
                with e:
                    error = _problem(e)
                    wait = _retry_after(e)
                if error.status != 503 or wait is None or attempt == self.busy_retries:
                    raise error from None
                time.sleep(wait)
            except (urllib.error.URLError, OSError) as e:
                reason = getattr(e, "reason", e)
                raise TransportError(f"cannot reach {self.base_url}: {reason}",
                                     code="unreachable") from e
        raise AssertionError("unreachable")  # pragma: no cover - the loop always returns or raises

    def get_json(self, path: str, *, params: Mapping[str, Any] | None = None,
                 headers: Mapping[str, str] | None = None) -> Any:
        return _json(self.request("GET", path, params=params, headers=headers), self.url(path))

    def get_text(self, path: str, *, params: Mapping[str, Any] | None = None) -> str:
        body = self.request("GET", path, params=params, accept="text/plain")
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError as e:
            raise TransportError(f"{self.url(path)} answered with bytes that are not UTF-8",
                                 code="bad-response") from e

    def post_json(self, path: str, payload: Any, *,
                  headers: Mapping[str, str] | None = None) -> Any:
        return _json(self.request("POST", path, payload=payload, headers=headers), self.url(path))


def _json(body: bytes, url: str) -> Any:
    try:
        return json.loads(body)
    except ValueError as e:
        raise TransportError(f"{url} answered with something that is not JSON",
                             code="bad-response") from e


def _problem(error: urllib.error.HTTPError) -> ProblemError:
    try:
        body: Any = json.loads(error.read())
    except (ValueError, OSError):
        body = None
    return ProblemError.from_body(error.code, body, str(error.reason or ""))


def _retry_after(error: urllib.error.HTTPError) -> float | None:
    value = error.headers.get("Retry-After") if error.headers else None
    try:
        return min(float(value), MAX_RETRY_WAIT) if value is not None else None
    except ValueError:
        return None
