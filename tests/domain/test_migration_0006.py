"""Migration 0006 upgrades a database that already holds the supply chain: existing rows get
neutral values (no packs, nothing labelled, each batch's producer its only grower)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError

from gi_trace.ledger.database import make_engine
from gi_trace.migrate import upgrade


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def upgrade_to(engine: Engine, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", "gi_trace:migrations")
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)


ROWS = [
    "INSERT INTO gi_products (product, name_zh, name_en, region_zh, region_en, region_codes, unit, "
    "processes, regulator, seq) VALUES ('p', 'p', 'p', 'r', 'r', '[\"230184\"]', 'kg', '{}', 'reg', 1)",
    "INSERT INTO gi_batches (batch, product, lot, quantity, producer, created_by, origin, recalled, seq) "
    "VALUES ('b', 'p', 'L', '10', 'coop', 'coop', 'register', false, 2)",
    "INSERT INTO gi_holdings (org, batch, quantity) VALUES ('coop', 'b', '10')",
    "INSERT INTO gi_shipments (shipment, sender, receiver, status, sent_ts, sent_seq) "
    "VALUES ('s', 'coop', 'mill', 'pending', '2026-01-01T00:00:00Z', 3)",
    "INSERT INTO gi_shipment_items (shipment, batch, quantity) VALUES ('s', 'b', '1')",
    "INSERT INTO gi_labels (serial, gtin, batch, lot, issuer, key, sig, status, issue_seq, issue_ts) "
    "VALUES ('SERIAL000001', '06931234000013', 'b', 'L', 'coop', 'k', 's', 'issued', 4, "
    "'2026-01-01T00:00:00Z')",
]


def test_existing_rows_get_neutral_values(engine: Engine) -> None:
    upgrade_to(engine, "0005")
    with engine.begin() as conn:
        for statement in ROWS:
            conn.execute(text(statement))
    upgrade(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT packs FROM gi_products")).scalar_one() == "[]"
        batch = conn.execute(text("SELECT producers, labelled, composition, charged FROM gi_batches")).one()
        assert tuple(batch) == ('["coop"]', "0", None, None)
        assert conn.execute(text("SELECT labelled FROM gi_holdings")).scalar_one() == "0"
        assert conn.execute(text("SELECT labelled FROM gi_shipment_items")).scalar_one() == "0"
        assert conn.execute(text("SELECT idx FROM gi_labels")).scalar_one() is None
        # New rows must say what they hold: the defaults that filled old rows are gone.
        with pytest.raises(IntegrityError):
            conn.execute(text("INSERT INTO gi_holdings (org, batch, quantity) VALUES ('x', 'b', '1')"))
