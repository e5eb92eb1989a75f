"""The client of one organisation: signs with a key that never leaves this process.

    client = Client("https://gi.example", "minle-coop", load_private_key("minle-coop.pem"),
                    log_key=OPERATOR_VKEY)
    receipt = client.register_batch("minle-2026-001", "wuchang-rice-paddy", "MINLE2026A",
                                    "12000", "2026-09-28")
    receipt.seq, receipt.tree_size        # appended, and proved included in a signed checkpoint

Statements are v2: the fields that gi_trace.domain.disclosure_policy makes confidential
are sealed here into salted disclosures, so the public log holds only their digests.
Every submit returns only after the statement's inclusion in a checkpoint
signed by the pinned operator key has been verified (see log.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from gi_trace.ledger.errors import LedgerError
from gi_trace.ledger.keys import private_key_id
from gi_trace.ledger.note import NoteVerifier
from gi_trace.ledger.statement import Envelope

from .actions import Actions
from .auth import Authenticator
from .drafts import Draft
from .errors import ProblemError, StatementError
from .log import LogClient, Receipt
from .precheck import check_dates

DraftLike = Draft | tuple[str, dict[str, Any]]
"""A Draft, or (type, body) for a statement with nothing beside it."""


class Client(Actions, LogClient):
    """Builds, signs and submits statements as `org`, and reads with its own token.

    `log_key` pins the operator key (TOFU when omitted: see LogClient).
    """

    def __init__(self, base_url: str, org: str, private_key: Ed25519PrivateKey, *,
                 log_key: str | NoteVerifier | None = None, origin: str | None = None,
                 timeout: float = 30.0) -> None:
        super().__init__(base_url, log_key=log_key, origin=origin, timeout=timeout)
        self.org = org
        self._private_key = private_key
        self._auth = Authenticator(self.http, org, private_key)

    def __repr__(self) -> str:
        # Never show the private key, not even by accident in a log line.
        return f"Client({self.base_url!r}, org={self.org!r}, key={self.key_id[:12]}…)"

    @property
    def key_id(self) -> str:
        return private_key_id(self._private_key)

    @property
    def private_key(self) -> Ed25519PrivateKey:
        """The org's key, for what is signed on this machine besides statements (label signatures)."""
        return self._private_key

    # -- writing ---------------------------------------------------------------------------
    def sign(self, type_: str, body: dict[str, Any], *, ts: datetime | None = None,
             attachments: Mapping[str, Any] | None = None) -> Envelope:
        """A fresh v2 statement (now, random nonce) by this org, signed here, its confidential
        fields sealed as the disclosure policy says."""
        return self.sign_draft(Draft(type_, body, attachments), ts=ts)

    def sign_draft(self, draft: Draft, *, ts: datetime | None = None) -> Envelope:
        ts = ts or datetime.now(UTC)
        check_dates(draft, ts)
        try:
            return draft.sign(self.org, self._private_key, ts=ts)
        except KeyError as e:
            raise StatementError(f"unknown statement type {draft.type!r}", code="unknown-type",
                                 field="statement.type") from e
        except LedgerError as e:
            raise StatementError(e.message, code=e.code, field=e.field) from e

    def submit(self, type_: str, body: dict[str, Any], *,
               attachments: Mapping[str, Any] | None = None) -> Receipt:
        """Sign and append one statement; return once its inclusion is verified."""
        return self.submit_draft(Draft(type_, body, attachments))

    def submit_draft(self, draft: Draft) -> Receipt:
        return self.append([self.sign_draft(draft)])[0]

    def submit_many(self, statements: Sequence[DraftLike]) -> list[Receipt]:
        """Sign and append several statements in one POST: all are appended or none.

        On a refusal the ProblemError's `index` names the statement at fault.
        """
        envelopes = []
        for index, item in enumerate(statements):
            try:
                envelopes.append(self.sign_draft(item if isinstance(item, Draft) else Draft(*item)))
            except StatementError as e:
                raise StatementError(f"statement {index}: {e.message}", code=e.code,
                                     field=e.field) from e
        return self.append(envelopes, many=True)

    # -- authenticated reads ---------------------------------------------------------------
    def token(self, *, refresh: bool = False) -> str:
        """A bearer token for this org (challenge signed with its key), cached until expiry."""
        return self._auth.token(refresh=refresh)

    def get(self, path: str, *, params: Mapping[str, Any] | None = None, auth: bool = True) -> Any:
        """GET a JSON read of the API, authenticated as this org unless `auth=False`.

        A 401 with a cached token means it expired or was revoked early: the
        token is renewed once and the read retried.
        """
        if not auth:
            return self.http.get_json(path, params=params)
        try:
            return self.http.get_json(path, params=params, headers=self._bearer())
        except ProblemError as e:
            if e.status != 401:
                raise
        return self.http.get_json(path, params=params, headers=self._bearer(refresh=True))

    def _bearer(self, *, refresh: bool = False) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(refresh=refresh)}"}
