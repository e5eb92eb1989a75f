"""One GI world behind one live server for a whole test module.

A fresh log and server per test costs about a second (migrations, then the
server's shutdown poll), so the client and CLI tests share one per module and
stay independent by never reusing an id: each test harvests its own batches
(`harvest`) and names its own shipments (`unique`).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select

from gi_trace.client import Client
from gi_trace.domain import tables
from gi_trace.service import Service, initialize, open_service
from tests.domain.world import PADDY, World, register
from tests.live_server import live_server
from tests.support import Actor, instance_settings


@dataclass
class Shared:
    service: Service
    url: str
    world: World
    _ids: Iterator[int] = field(default_factory=itertools.count)

    @property
    def log_key(self) -> str:
        """The operator's verifier key, as a client would get it out of band."""
        return self.service.log.signer.vkey()

    def connect(self, actor: Actor, **kwargs: Any) -> Client:
        kwargs.setdefault("log_key", self.log_key)
        return Client(self.url, actor.org, actor.key, timeout=10, **kwargs)

    def unique(self, prefix: str) -> str:
        return f"{prefix}-{next(self._ids)}"

    def harvest(self, actor: Actor, quantity: str, *, product: str = PADDY) -> str:
        """A new batch of `actor`'s, appended straight to the log; returns its id."""
        batch = self.unique(f"{actor.org}-h")
        self.service.log.append([register(actor, batch, quantity, product=product)])
        return batch

    def holding(self, org: str, batch: str) -> Decimal:
        h = tables.holdings.c
        with self.service.engine.connect() as conn:
            text = conn.scalar(select(h.quantity).where((h.org == org) & (h.batch == batch)))
        return Decimal(text) if text else Decimal(0)

    def row(self, table: Any, **where: Any) -> Any:
        query = select(table)
        for name, value in where.items():
            query = query.where(table.c[name] == value)
        with self.service.engine.connect() as conn:
            return conn.execute(query).first()


@contextmanager
def open_shared(root: Path) -> Iterator[Shared]:
    world = World()
    settings = instance_settings(root, world.regulator.register_self())
    initialize(settings)
    service = open_service(settings)
    try:
        service.log.append(world.setup())
        with live_server(settings) as url:
            yield Shared(service, url, world)
    finally:
        service.engine.dispose()
