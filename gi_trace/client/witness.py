"""A witness run against a gi-trace server: fetch, verify, prove consistent, cosign, publish.

The server is trusted for nothing: the checkpoint must carry the operator's
signature under the key pinned in the witness's state, and must provably
extend the checkpoint the witness holds (gi_trace.ledger.witness). Only then
is it cosigned, held, and the cosignature posted back to the server.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gi_trace.ledger.checkpoint import Checkpoint
from gi_trace.ledger.cosignature import Cosignature
from gi_trace.ledger.note import add_signatures
from gi_trace.ledger.witness import WitnessState, check_extends

from .log import LogClient

COSIGNATURES = "/v1/log/cosignatures"


@dataclass(frozen=True)
class Cosigned:
    """One witnessed checkpoint: what was held before, what was cosigned, what the log kept."""

    previous: Checkpoint | None
    checkpoint: Checkpoint
    cosignature: Cosignature
    note: str
    answer: Any


class Witness:
    """Cosigns the checkpoints of the log at `base_url`, keeping its state in `state`.

    Without a log key pinned in the state, the first run pins the key the
    server serves (trust on first use); `tofu` then says so.
    """

    def __init__(self, state: WitnessState, base_url: str, *,
                 clock: Callable[[], float] = time.time, timeout: float = 30.0) -> None:
        self.state = state
        self.client = LogClient(base_url, log_key=state.log_key, timeout=timeout)
        self.clock = clock
        self.tofu = False

    def cosign(self) -> Cosigned:
        with self.state.locked():
            if self.state.log_key is None:
                self.state.pin_log_key(self.client.log_key())
                self.tofu = True
            signed = self.client.checkpoint()
            previous = self.state.held()
            check_extends(previous, signed.checkpoint, self.client.consistency_proof)
            cosignature = self.state.cosigner().cosign(signed.checkpoint, int(self.clock()))
            self.state.hold(signed.note)
        note = add_signatures(signed.note, [cosignature.line()])
        answer = self.client.http.post_json(COSIGNATURES, {"note": note})
        return Cosigned(previous, signed.checkpoint, cosignature, note, answer)
