"""Assembles the running ledger from settings: engine, operator key, trust roots, rules.

Both the web app and the command line start from here, so they can never
disagree about which database, key or regulators they use.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine

from gi_trace.domain.supply_chain import SupplyChain
from gi_trace.domain.tables import metadata as domain_tables
from gi_trace.ledger import keys
from gi_trace.ledger.audit import AuditResult, RecordSource, audit
from gi_trace.ledger.cosignature import load_witnesses
from gi_trace.ledger.cosigned import Cosignatures
from gi_trace.ledger.database import make_engine, make_scratch_engine, write_transaction
from gi_trace.ledger.genesis import load_genesis
from gi_trace.ledger.identity import TrustRoots
from gi_trace.ledger.log import Log
from gi_trace.ledger.note import NoteSigner, NoteVerifier
from gi_trace.ledger.replay import rebuild
from gi_trace.ledger.rules import Rule
from gi_trace.ledger.statement import Envelope
from gi_trace.migrate import NotInitialised, upgrade
from gi_trace.settings import Settings


@dataclass
class Service:
    settings: Settings
    engine: Engine
    log: Log
    genesis: list[Envelope]
    cosignatures: Cosignatures


def load_genesis_if_any(settings: Settings) -> list[Envelope]:
    path = Path(settings.regulators)
    return load_genesis(path) if path.exists() else []


def operator_signer(settings: Settings) -> NoteSigner:
    if not Path(settings.operator_key).exists():
        raise NotInitialised(f"no operator key at {settings.operator_key}: run `gi-trace init`")
    return NoteSigner(settings.origin, keys.load_private_key(settings.operator_key))


def open_service(settings: Settings, engine: Engine | None = None) -> Service:
    engine = engine or make_engine(settings.database_url)
    genesis = load_genesis_if_any(settings)
    log = Log(engine, operator_signer(settings), TrustRoots.from_genesis(genesis), domain_rules(),
              window=timedelta(seconds=settings.clock_skew_seconds))
    return Service(settings, engine, log, genesis, witness_cosignatures(settings, engine))


def witness_cosignatures(settings: Settings, engine: Engine) -> Cosignatures:
    """The cosignatures of the witnesses in GI_TRACE_WITNESSES (none when the file is absent)."""
    path = Path(settings.witnesses)
    witnesses = load_witnesses(path) if path.exists() else []
    return Cosignatures(engine, witnesses, skew_seconds=settings.clock_skew_seconds)


@dataclass(frozen=True)
class InitReport:
    created_operator_key: bool
    genesis_appended: int
    log_size: int


def initialize(settings: Settings) -> InitReport:
    """Create or upgrade the database, make the operator key if missing, write the genesis."""
    created = False
    if not Path(settings.operator_key).exists():
        keys.save_private_key(keys.generate(), settings.operator_key)
        created = True
    engine = make_engine(settings.database_url)
    try:
        upgrade(engine)
        service = open_service(settings, engine)
        appended = 0
        if service.genesis and service.log.size() == 0:
            appended = len(service.log.append(service.genesis))
        return InitReport(created, appended, service.log.size())
    finally:
        engine.dispose()


def domain_rules() -> list[Rule]:
    """The rules the GI domain adds to the ledger's identity rule."""
    return [SupplyChain()]


def audit_log(source: RecordSource, operator: NoteVerifier, genesis: list[Envelope], *,
              progress: Callable[[int, int], None] | None = None) -> AuditResult:
    """Replay `source` into a scratch database, trusting only `operator` and `genesis`."""
    with tempfile.TemporaryDirectory(prefix="gi-trace-audit-") as scratch_dir:
        scratch = make_scratch_engine(f"{scratch_dir}/replay.db")
        try:
            upgrade(scratch)
            return audit(source, operator, TrustRoots.from_genesis(genesis), domain_rules(),
                         scratch, progress=progress)
        finally:
            scratch.dispose()


def rebuild_projections(service: Service, *, progress: Callable[[int], None] | None = None) -> int:
    """Replay the log into emptied projection tables, holding the writer lock meanwhile."""
    with write_transaction(service.engine) as conn:
        return rebuild(conn, service.log.identity, service.log.rules,
                       list(reversed(domain_tables.sorted_tables)), progress=progress)
