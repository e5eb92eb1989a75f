"""Fresh gi-trace instances to measure, and statements signed the way clients sign them.

An instance is a temporary directory with an operator key, a regulators file
(the genesis of one regulator) and a database (an SQLite file, or the scratch
PostgreSQL database emptied for it), initialised with `service.initialize` and
holding a number of producer organisations registered by the regulator, so
that the measured statements come from many actors and their nonces spread.

Each instance measures one kind of statement, one of two paths through the code:

- the ledger path, `key.add`: each producer adds a fresh key of its own, which
  only the ledger's identity rule checks (the domain keeps no projection of it);
- the GI domain path, `batch.register`: what producers sign most, a harvest
  registered against a GI product every producer was approved for beforehand
  (about five SQL statements of domain rules and projections per append).

A statement of the instance's kind is appended once at setup, so a kind the code
refuses is known (`Refused`) before anything is timed.

Statements are signed ahead of time in worker processes (the server never
signs); that work is never timed.
"""

from __future__ import annotations

import json
import multiprocessing
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import create_engine, text

from gi_trace.domain.disclosure_policy import draft
from gi_trace.ledger import keys
from gi_trace.ledger.encoding import b64url_encode
from gi_trace.ledger.errors import LedgerError
from gi_trace.ledger.genesis import save_genesis
from gi_trace.ledger.statement import Envelope
from gi_trace.service import initialize, open_service
from gi_trace.settings import Settings

POSTGRES_ADMIN_URL = os.environ.get("GI_TRACE_BENCH_POSTGRES_URL",
                                    "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
POSTGRES_DATABASE = "gi_trace_bench"
ORIGIN = "bench.gi-trace.localhost/log"
BATCH, KEY_ADD = "batch.register", "key.add"
KINDS = (KEY_ADD, BATCH)        # measured in this order, each in its own instance
PATHS = {KEY_ADD: "ledger path", BATCH: "GI domain path"}
PRODUCT = "wuchang-rice"
GTIN = "06901234567892"
PACK = "2.5"                # kg: the pack one label covers
QUOTA = "1000000000"        # kg a year per producer: never the limit here
ORGS = 16


@dataclass(frozen=True)
class Signer:
    """An organisation and its raw private key (bytes, so worker processes can rebuild it)."""

    org: str
    seed: bytes

    @classmethod
    def new(cls, org: str) -> Signer:
        private = keys.generate()
        return cls(org, private.private_bytes(serialization.Encoding.Raw,
                                              serialization.PrivateFormat.Raw,
                                              serialization.NoEncryption()))

    def key(self) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(self.seed)


def harvest_date() -> str:
    """A recent past date (a harvest may not lie in the future)."""
    return (datetime.now(UTC) - timedelta(days=30)).strftime("%Y-%m-%d")


def statement_body(kind: str, index: int, org: str, harvested: str) -> dict[str, Any]:
    """The body of measured statement `index`: about 400 canonical bytes with its envelope."""
    if kind == KEY_ADD:
        return {"org": org, "pub": keys.public_key_b64(keys.generate()),
                "reason": f"bench: new receiving-desk handheld scanner #{index:08d} at the Minle "
                          "warehouse, Wuchang, Heilongjiang (replaces a lost one)"}
    return {
        "batch": f"{org}-b{index:08d}",
        "product": PRODUCT,
        "lot": f"L{harvested[:4]}-{index % 97:02d}-{index:06d}"[:20],
        "quantity": f"{1000 + index % 900}.5",
        "harvested": harvested,
        "origin": {"plot": f"minle-{index % 40:02d}-{index % 1000:04d}",
                   "lat": "44.9312", "lon": "127.1634"},
    }


def envelope_json(envelope: Envelope) -> str:
    """The envelope as a client posts it (the statement is its canonical JSON text), with the
    disclosures of its confidential fields."""
    signature = b64url_encode(envelope.signature)
    disclosures = json.dumps([d.to_json() for d in envelope.disclosures or ()], ensure_ascii=False,
                             separators=(",", ":"))
    return (f'{{"disclosures":{disclosures},"signature":"{signature}",'
            f'"statement":{envelope.statement.canonical.decode()}}}')


Job = tuple[str, list[Signer], int, int, bool]


def _sign_range(job: Job) -> list[Any]:
    kind, signers, start, stop, as_json = job
    private = {s.org: s.key() for s in signers}
    now, harvested = datetime.now(UTC), harvest_date()
    out: list[Any] = []
    for index in range(start, stop):
        signer = signers[index % len(signers)]
        envelope = draft(kind, signer.org, private[signer.org],
                         statement_body(kind, index, signer.org, harvested), ts=now)
        out.append(envelope_json(envelope) if as_json else envelope)
    return out


def sign_envelopes(kind: str, signers: list[Signer], count: int) -> list[Envelope]:
    """`count` signed envelopes, signed here (for small numbers)."""
    envelopes: list[Envelope] = _sign_range((kind, signers, 0, count, False))
    return envelopes


def _ranges(start: int, count: int, chunk: int) -> list[tuple[int, int]]:
    return [(i, min(i + chunk, start + count)) for i in range(start, start + count, chunk)]


def sign_json(kind: str, signers: list[Signer], count: int, *, start: int = 0,
              processes: int = 2) -> list[str]:
    """`count` signed envelopes as JSON lines, statement i by signers[i % len(signers)]."""
    jobs: list[Job] = [(kind, signers, a, b, True) for a, b in _ranges(start, count, 1000)]
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        return [line for chunk in pool.map(_sign_range, jobs) for line in chunk]


def signed_chunks(kind: str, signers: list[Signer], count: int, chunk: int, *, start: int = 0,
                  processes: int = 2, ahead: int = 4) -> Iterator[list[Envelope]]:
    """Lists of `chunk` signed envelopes, signed in worker processes at most `ahead` lists
    ahead of the consumer (so memory stays bounded and timestamps stay fresh)."""
    jobs: list[Job] = [(kind, signers, a, b, False) for a, b in _ranges(start, count, chunk)]
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        pending = [pool.apply_async(_sign_range, (job,)) for job in jobs[:ahead]]
        submitted = len(pending)
        while pending:
            result = pending.pop(0).get(timeout=600)
            if submitted < len(jobs):
                pending.append(pool.apply_async(_sign_range, (jobs[submitted],)))
                submitted += 1
            yield result


def path_name(statements: str) -> str:
    """How the report names the path a kind of statement takes: "ledger path (`key.add`)"."""
    return f"{PATHS.get(statements, statements)} (`{statements}`)"


# -- instances ---------------------------------------------------------------------------------
class Refused(Exception):
    """The code under test refuses the kind of statement an instance was to measure."""


@dataclass
class Instance:
    kind: str
    settings: Settings
    directory: Path
    regulator: Signer
    orgs: list[Signer]
    statements: str = KEY_ADD       # the type of the measured statements

    def env(self) -> dict[str, str]:
        """The settings as the GI_TRACE_* environment of `gi-trace serve` or `audit verify`."""
        return {f"GI_TRACE_{name.upper()}": str(value) for name, value in asdict(self.settings).items()}

    def log_size(self) -> int:
        service = open_service(self.settings)
        try:
            return service.log.size()
        finally:
            service.engine.dispose()

    def transactions(self) -> int:
        """Append transactions so far: each one writes exactly one checkpoint."""
        service = open_service(self.settings)
        try:
            with service.engine.connect() as conn:
                return int(conn.scalar(text("SELECT count(*) FROM log_checkpoints")) or 0)
        finally:
            service.engine.dispose()


def _name(text: str) -> dict[str, str]:
    return {"zh": text, "en": text}


def _setup_batches(regulator: Signer, producers: list[Signer]) -> list[Envelope]:
    """A GI product and every producer approved for it, this year and the harvest's."""
    key = regulator.key()
    years = sorted({int(harvest_date()[:4]), datetime.now(UTC).year})
    envelopes = [draft("product.register", regulator.org, key, {
        "product": PRODUCT, "name": {"zh": "五常大米", "en": "Wuchang rice"},
        "region": {"name": {"zh": "五常市", "en": "Wuchang"}, "codes": ["230184"]},
        "unit": "kg", "gtins": [GTIN], "packs": [PACK, "5"]})]
    envelopes += [draft("producer.approve", regulator.org, key,
                        {"product": PRODUCT, "producer": p.org, "year": year, "quota": QUOTA})
                  for p in producers for year in years]
    return envelopes


def make_instance(kind: str, directory: Path, database_url: str, *, statements: str = KEY_ADD,
                  orgs: int = ORGS, clock_skew_seconds: int = 300) -> Instance:
    """A fresh, initialised instance measuring `statements`: genesis of one regulator, `orgs`
    producers, and what the measured statements need (see the module docstring). Raises
    Refused when the code under test refuses that kind of statement."""
    if statements not in PATHS:
        raise ValueError(f"no benchmark fixture for {statements!r} statements")
    directory.mkdir(parents=True, exist_ok=True)
    settings = Settings(database_url=database_url,
                        operator_key=str(directory / "operator.pem"),
                        regulators=str(directory / "regulators.json"),
                        origin=ORIGIN, base_url="http://127.0.0.1",
                        clock_skew_seconds=clock_skew_seconds)
    regulator = Signer.new("bench-regulator")
    reg_key = regulator.key()
    save_genesis([draft("org.register", regulator.org, reg_key,
                        {"org": regulator.org, "name": _name("Bench regulator"),
                         "roles": ["regulator"], "keys": [keys.public_key_b64(reg_key)]})],
                 settings.regulators)
    initialize(settings)
    producers = [Signer.new(f"producer-{i:02d}") for i in range(orgs)]
    instance = Instance(kind, settings, directory, regulator, producers, statements)
    service = open_service(settings)
    try:
        log = service.log
        log.append([draft("org.register", regulator.org, reg_key,
                          {"org": p.org, "name": _name(f"Producer {p.org}"), "roles": ["producer"],
                           "keys": [keys.public_key_b64(p.key())], "region": "230184"})
                    for p in producers])
        if statements == KEY_ADD:
            log.append(_sign_range((KEY_ADD, producers, 20_000_000, 20_000_001, False)))
        else:
            try:
                log.append(_setup_batches(regulator, producers))
                log.append(_sign_range((BATCH, producers, 20_000_000, 20_000_001, False)))
            except LedgerError as e:
                raise Refused(f"`{BATCH}` is refused by this code: {e.code}: {e.message}") from e
    finally:
        service.engine.dispose()
    return instance


# -- the scratch PostgreSQL database -----------------------------------------------------------
class Postgres:
    """The scratch database `gi_trace_bench`: made at open, emptied per instance, dropped at close."""

    def __init__(self, admin_url: str = POSTGRES_ADMIN_URL, name: str = POSTGRES_DATABASE) -> None:
        self.admin_url = admin_url
        self.name = name
        self.url = admin_url.rsplit("/", 1)[0] + f"/{name}"
        self.error: str | None = None
        self._created = False

    def _admin(self, statement: str) -> None:
        engine = create_engine(self.admin_url, isolation_level="AUTOCOMMIT",
                               connect_args={"connect_timeout": 5})
        try:
            with engine.connect() as conn:
                conn.execute(text(statement))
        finally:
            engine.dispose()

    def open(self) -> bool:
        try:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            self._admin(f'CREATE DATABASE "{self.name}"')
        except Exception as e:  # unreachable for any reason: the PG runs are skipped
            self.error = f"PostgreSQL not reachable at {self.admin_url}: {e}".splitlines()[0]
            return False
        self._created = True
        return True

    def reset(self) -> str:
        """Empty the scratch database for a fresh instance; its URL."""
        engine = create_engine(self.url)
        try:
            with engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        finally:
            engine.dispose()
        return self.url

    def close(self) -> None:
        if self._created:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            self._created = False

    def query(self, sql: str) -> str:
        engine = create_engine(self.admin_url, connect_args={"connect_timeout": 5})
        try:
            with engine.connect() as conn:
                return str(conn.scalar(text(sql)))
        finally:
            engine.dispose()


def instance_for(kind: str, directory: Path, postgres: Postgres | None, **kwargs: Any) -> Instance:
    if kind == "postgres":
        assert postgres is not None
        return make_instance(kind, directory, postgres.reset(), **kwargs)
    return make_instance(kind, directory, f"sqlite:///{directory}/gi-trace.db", **kwargs)


def json_list(lines: list[str]) -> str:
    """Envelope JSON lines as one JSON list (a group append)."""
    return "[" + ",".join(lines) + "]"


def describe_statements(instance: Instance) -> str:
    """What the instance's measured statements are, for the report."""
    line = _sign_range((instance.statements, instance.orgs, 0, 1, True))[0]
    return (f"{path_name(instance.statements)}: {statement_bytes(line)} bytes of canonical "
            "statement")


def statement_bytes(line: str) -> int:
    """Length in bytes of the canonical statement inside an envelope line."""
    statement = json.loads(line)["statement"]
    return len(json.dumps(statement, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode())
