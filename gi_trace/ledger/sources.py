"""Where an audit reads a log from: the database itself, or a server over HTTP.

The third source, an exported bundle, lives with its format in bundle.py.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, Engine, select

from . import schema
from .checkpoint import Checkpoint
from .errors import MalformedError
from .note import parse_note
from .record import Record
from .sidecar import Sidecar, all_sidecars

PAGE = 1000


class DatabaseSource:
    """Reads the tables directly, streaming, as an auditor with database access would.

    Use it as a context manager: everything is read in one snapshot, so appends
    that commit during the audit are neither seen nor mistaken for tampering. The
    database holds the disclosures too; `disclosed=False` reads it as the public would.
    """

    def __init__(self, engine: Engine, *, disclosed: bool = True) -> None:
        self.engine = engine
        self.disclosed = disclosed
        self._conn: Connection | None = None

    def __enter__(self) -> DatabaseSource:
        conn = self.engine.connect()
        if self.engine.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        conn.begin()
        self._conn = conn
        return self

    def __exit__(self, *_: object) -> None:
        if self._conn is not None:
            self._conn.rollback()
            self._conn.close()
            self._conn = None

    @property
    def conn(self) -> Connection:
        if self._conn is None:
            raise RuntimeError("use DatabaseSource as a context manager")
        return self._conn

    def latest_checkpoint(self) -> str | None:
        c = schema.checkpoints.c
        return self.conn.scalar(select(c.note).order_by(c.size.desc()).limit(1))

    def checkpoints(self) -> Iterator[tuple[int, str]]:
        c = schema.checkpoints.c
        rows = self.conn.execution_options(yield_per=PAGE).execute(
            select(c.size, c.note).order_by(c.size))
        for row in rows:
            yield row.size, row.note

    def records(self) -> Iterator[Record]:
        r = schema.records.c
        rows = self.conn.execution_options(yield_per=PAGE).execute(
            select(r.seq, r.statement, r.signature, r.prev, r.record_hash).order_by(r.seq))
        for row in rows:
            yield Record(row.seq, bytes(row.statement), bytes(row.signature), bytes(row.prev),
                         bytes(row.record_hash))


    def sidecars(self) -> Iterator[Sidecar] | None:
        return all_sidecars(self.conn) if self.disclosed else None


class HttpSource:
    """Reads a running service's public endpoints, page by page; with a regulator's bearer
    token (`authorization` gives the header's value) it reads the sidecars too."""

    def __init__(self, base_url: str, *, timeout: float = 30,
                 authorization: Callable[[], str] | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.authorization = authorization
        self._checkpoint: str | None = None

    def _get(self, path: str, *, authorized: bool = False) -> bytes:
        request = urllib.request.Request(self.base_url + path)
        if authorized and self.authorization is not None:
            request.add_header("Authorization", self.authorization())
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                body: bytes = response.read()
                return body
        except urllib.error.HTTPError as e:
            if e.code == 404 and path.endswith("/checkpoint"):
                return b""
            raise MalformedError(f"GET {path}: HTTP {e.code}", code="http-error") from e
        except (urllib.error.URLError, OSError) as e:
            raise MalformedError(f"GET {self.base_url}{path}: {e}", code="unreachable") from e

    def operator_key(self) -> str:
        return self._get("/v1/log/key").decode().strip()

    def latest_checkpoint(self) -> str | None:
        # Fixed at the first call, so the records read afterwards are judged against it.
        if self._checkpoint is None:
            self._checkpoint = self._get("/v1/log/checkpoint").decode() or None
        return self._checkpoint

    def checkpoints(self) -> Sequence[tuple[int, str]]:
        return []

    def sidecars(self) -> Iterator[Sidecar] | None:
        """A regulator's pages of /v1/log/sidecars; None without a token (a public audit)."""
        return None if self.authorization is None else self._sidecars()

    def _limit(self) -> int:
        note = self.latest_checkpoint()
        return Checkpoint.from_text(parse_note(note).text).size if note else 0

    def _sidecars(self) -> Iterator[Sidecar]:
        limit = self._limit()
        for start in range(0, limit, PAGE):
            end = min(start + PAGE, limit)
            page: Any = json.loads(self._get(f"/v1/log/sidecars?start={start}&end={end}",
                                             authorized=True))
            for item in page.get("sidecars", []) if isinstance(page, dict) else []:
                try:
                    yield Sidecar.from_json(item)
                except (KeyError, TypeError, ValueError) as e:
                    raise MalformedError(f"GET /v1/log/sidecars: not a sidecar ({e})",
                                         code="bad-sidecars") from e

    def records(self) -> Iterator[Record]:
        """Records up to the size of the checkpoint read first (the log may grow meanwhile)."""
        limit = self._limit()
        start = 0
        while start < limit:
            end = min(start + PAGE, limit)
            page: Any = json.loads(self._get(f"/v1/log/entries?start={start}&end={end}"))
            entries = page.get("entries", []) if isinstance(page, dict) else []
            for item in entries:
                yield Record.from_json(item)
            if not entries:
                return
            start += len(entries)
