"""The delivery worker: a thread per process that dispatches the log into the outbox and sends
what is due, signed (RFC 9421), retrying with backoff.

Its state is all in the database (gi_trace/labels/outbox.py), so stopping it — or the
process dying mid-request — loses nothing: the delivery's lease lapses and a worker
sends it again, with the same idempotency key.
"""

from __future__ import annotations

import logging
import random
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from sqlalchemy import Engine

from . import outbox
from .http_signatures import WebhookSigner
from .webhook_targets import private_target

log = logging.getLogger(__name__)
MAX_ERROR = 500  # characters of an error kept for the delivery log


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, not a delivery: following it would send the body elsewhere
    than the signed target URI."""

    def redirect_request(self, *_: object, **__: object) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirects)


@dataclass(frozen=True)
class WorkerSettings:
    base_url: str  # for the payloads' links to the log
    retry: outbox.Retry
    poll_seconds: float
    lease_ms: int  # longer than timeout_seconds, or a slow receiver is sent to twice
    timeout_seconds: float
    batch: int = 20
    private_targets: bool = False  # allow hosts on private, loopback or link-local addresses


def now_ms() -> int:
    return time.time_ns() // 1_000_000


class DeliveryWorker:
    def __init__(self, engine: Engine, signer: WebhookSigner, settings: WorkerSettings) -> None:
        self.engine = engine
        self.signer = signer
        self.settings = settings
        self._rng = random.Random()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="gi-trace-webhooks", daemon=True)
        self._thread.start()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def wake(self) -> None:
        """Look at the log now (after an append) rather than at the next poll."""
        self._wake.set()

    def stop(self, timeout: float | None = None) -> None:
        self._stopping.set()
        self._wake.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stopping.is_set():
            self._wake.clear()
            try:
                busy = self.run_once() == self.settings.batch
            except Exception:  # the database may be away a while: try again at the next poll
                log.exception("webhook delivery pass failed")
                busy = False
            if not busy:
                self._wake.wait(self.settings.poll_seconds)

    def run_once(self) -> int:
        """Dispatch new records, then send the due deliveries; how many were sent."""
        outbox.dispatch(self.engine, self.settings.base_url, now_ms())
        claims = outbox.claim(self.engine, now_ms(), self.settings.lease_ms, self.settings.batch)
        for claim in claims:
            if self._stopping.is_set():
                break  # the claims left lapse and are sent again
            code, error = self.send(claim)
            outbox.finish(self.engine, claim, now_ms(), code=code, error=error,
                          retry=self.settings.retry, rng=self._rng)
        return len(claims)

    def send(self, claim: outbox.Claim) -> tuple[int | None, str | None]:
        """POST the payload: the status answered, or None and why nothing was."""
        if claim.url is None:
            return None, "the webhook was removed"
        refused = None if self.settings.private_targets else private_target(claim.url)
        if refused is not None:
            return None, refused
        headers = self.signer.headers("POST", claim.url, claim.payload, claim.idempotency_key,
                                      created=int(time.time()))
        request = urllib.request.Request(claim.url, data=claim.payload, headers=headers,
                                         method="POST")
        try:
            with _opener.open(request, timeout=self.settings.timeout_seconds) as response:
                return int(response.status), None
        except urllib.error.HTTPError as e:
            e.close()
            return e.code, None
        except (OSError, ValueError) as e:  # refused, timed out, reset, bad URL
            return None, f"{type(e).__name__}: {e}"[:MAX_ERROR]
