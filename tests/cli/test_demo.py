"""`gi-trace demo`: a realistic Wuchang rice season that loads fast, once, whole, and audits --
as v2 statements lawful under the rules of statement v2: packs, special-sign users approved
per product inside the region, labels printed by the mill while it holds the rice, within
what the harvests can yield, with valid USCC check characters."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import stat
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, create_engine, select

from gi_trace.cli import demo as demo_module
from gi_trace.cli import demo_chain, demo_protection
from gi_trace.cli.demo_chain import (
    HEMA,
    MILL,
    PADDY,
    RICE,
    SHUANGCHENG,
    WUCHANG,
    WUMART,
    Step,
    harvest_season,
    uscc,
)
from gi_trace.cli.demo_protection import ASSOCIATION, HEILONGJIANG, PLATFORM
from gi_trace.cli.main import cli
from gi_trace.client import drafts
from gi_trace.domain import tables
from gi_trace.domain.bodies import USCC_PATTERN
from gi_trace.domain.bodies_protection import BODIES as PROTECTION_BODIES
from gi_trace.domain.disclosure_policy import CONFIDENTIAL
from gi_trace.domain.epcis.export import Exporter
from gi_trace.domain.gs1 import valid_check_digit
from gi_trace.domain.queries.listings import get_listing
from gi_trace.domain.queries.visibility import OPERATOR
from gi_trace.domain.regions import inside
from gi_trace.domain.uscc import valid_uscc
from gi_trace.labels import receipts, report_queue
from gi_trace.labels.digital_link import parse
from gi_trace.labels.listing_verdict import INFRINGING, judge
from gi_trace.labels.receipt_status import receipt_status
from gi_trace.labels.scans import ScanPolicy
from gi_trace.labels.tables import reports
from gi_trace.ledger import schema
from gi_trace.service import operator_signer
from gi_trace.settings import Settings
from tests.domain.world import dump
from tests.epcis_schema import schema_errors
from tests.live_server import live_server
from tests.vectors import vectors_dir

CJK = re.compile(r"[\u4e00-\u9fff]")
VECTORS = vectors_dir() / "gi-trace-v2" / "v2_vectors.json"


@dataclass(frozen=True)
class Demo:
    env: dict[str, str]
    keys_dir: Path
    seconds: float
    output: str

    @contextmanager
    def engine(self) -> Iterator[Engine]:
        engine = create_engine(self.env["GI_TRACE_DATABASE_URL"])
        try:
            yield engine
        finally:
            engine.dispose()

    def rows(self, table: Any) -> list[Any]:
        with self.engine() as engine, engine.connect() as conn:
            return list(conn.execute(select(table)))


def demo_env(root: Path, database_url: str | None = None) -> dict[str, str]:
    return {"GI_TRACE_DATABASE_URL": database_url or f"sqlite:///{root}/demo.db",
            "GI_TRACE_OPERATOR_KEY": str(root / "operator.pem"),
            "GI_TRACE_REGULATORS": str(root / "regulators.json")}


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    """The demo, run once from nothing (no database, no keys, no regulators file)."""
    root = tmp_path_factory.mktemp("demo")
    env, keys_dir = demo_env(root), root / "keys"
    started = time.monotonic()
    result = CliRunner(env=env).invoke(cli, ["demo", "--keys-dir", str(keys_dir)])
    seconds = time.monotonic() - started
    assert result.exit_code == 0, result.output
    return Demo(env, keys_dir, seconds, result.output)


def test_the_demo_loads_in_under_30_seconds_and_the_audit_passes(loaded: Demo) -> None:
    assert loaded.seconds < 30
    assert "demo loaded: " in loaded.output and "DEMO ONLY" in loaded.output
    audit = CliRunner(env=loaded.env).invoke(cli, ["audit", "verify", "--db",
                                                   loaded.env["GI_TRACE_DATABASE_URL"]])
    assert audit.exit_code == 0, audit.output
    assert audit.output.startswith("OK: ")


def test_the_demo_audits_as_the_public_sees_it_too(loaded: Demo) -> None:
    audit = CliRunner(env=loaded.env).invoke(cli, ["audit", "verify", "--public", "--db",
                                                   loaded.env["GI_TRACE_DATABASE_URL"]])
    assert audit.exit_code == 0, audit.output
    assert audit.output.startswith("OK: ")


def records(loaded: Demo) -> list[dict[str, Any]]:
    """The signed statements of the log, in order, as the public reads them."""
    return [json.loads(bytes(row.statement)) for row in loaded.rows(schema.records)]


def test_every_statement_after_the_genesis_is_v2_with_its_confidential_fields_sealed(
        loaded: Demo) -> None:
    statements = records(loaded)
    assert {s["v"] for s in statements[1:]} == {2}
    for statement in statements:
        hidden = CONFIDENTIAL[statement["type"]]
        assert not hidden & statement["body"].keys(), statement
    sealed = [s for s in statements if "_sd" in s["body"]]
    assert {s["type"] for s in sealed} >= {"batch.register", "batch.split", "batch.process",
                                           "shipment.send", "shipment.receive", "label.void",
                                           "label.sell"}


def test_the_demo_loads_only_once(loaded: Demo) -> None:
    before = len(loaded.rows(tables.batch_events))
    again = CliRunner(env=loaded.env).invoke(cli, ["demo", "--keys-dir", str(loaded.keys_dir)])
    assert again.exit_code == 0 and "not loaded again" in again.output
    assert len(loaded.rows(tables.batch_events)) == before
    assert len(loaded.rows(reports)) == 1


def test_every_name_is_bilingual_and_every_code_is_valid(loaded: Demo) -> None:
    for row in [*loaded.rows(tables.orgs), *loaded.rows(tables.products)]:
        assert CJK.search(row.name_zh) and row.name_en.isascii(), row
    for row in loaded.rows(tables.orgs):
        assert re.fullmatch(USCC_PATTERN, row.uscc) and valid_uscc(row.uscc), row.uscc
    assert uscc("91", "350100", "M000100Y") == "91350100M000100Y43"  # GB 32100's own example
    vectors = json.loads(VECTORS.read_text(encoding="utf-8"))["uscc"]["valid"]
    assert uscc("93", "230184", "MA1B2C3D") in vectors  # Minle's code, as the v2 vectors have it
    gtins = loaded.rows(tables.gtins)
    assert {g.product for g in gtins} == {PADDY, RICE} and len(gtins) == 3
    assert all(valid_check_digit(g.gtin) for g in gtins)


def test_the_gi_products_declare_milling_under_a_yield_and_their_packs(loaded: Demo) -> None:
    products = {p.product: p for p in loaded.rows(tables.products)}
    assert json.loads(products[PADDY].processes) == {"milling": {"to": RICE, "max_yield": "0.7"}}
    assert json.loads(products[RICE].packs) == ["2.5", "5"]
    assert json.loads(products[PADDY].packs)
    assert {p.unit for p in products.values()} == {"kg"}
    assert all(json.loads(p.region_codes) == ["230184"] for p in products.values())
    lineage = [edge for edge in loaded.rows(tables.lineage) if edge.kind == "process"]
    batches = {b.batch: b for b in loaded.rows(tables.batches)}
    for output in {edge.child for edge in lineage}:
        used = sum(Decimal(e.quantity) for e in lineage if e.child == output)
        assert Decimal(batches[output].quantity) <= used * Decimal("0.70")


def test_three_growers_and_the_mill_are_approved_inside_the_region_and_the_fourth_is_not(
        loaded: Demo) -> None:
    approvals = loaded.rows(tables.approvals)
    assert sorted((a.product, a.producer) for a in approvals) == [
        (RICE, MILL.org), (PADDY, "lalin-coop"), (PADDY, "longfeng-farm"), (PADDY, "minle-coop")]
    assert all(Decimal(a.used) <= Decimal(a.quota) for a in approvals)
    orgs = {o.org: o for o in loaded.rows(tables.orgs)}
    assert all(inside(orgs[a.producer].region, [WUCHANG]) for a in approvals)
    roles = {org: json.loads(o.roles) for org, o in orgs.items()}
    assert roles[SHUANGCHENG.org] == ["producer"] and roles[MILL.org] == ["processor"]
    assert not inside(orgs[SHUANGCHENG.org].region, [WUCHANG])
    assert sorted(r[0] for r in roles.values()) == sorted(
        ["regulator", "producer", "producer", "producer", "producer", "processor", "distributor",
         "retailer", "retailer", "platform", "association", "regulator"])
    retailers = [o for o in loaded.rows(tables.orgs) if json.loads(o.roles) == ["retailer"]]
    assert {o.region[:2] for o in retailers} == {"11"}  # Beijing


def test_every_harvest_shows_its_village_and_lies_in_the_region(loaded: Demo) -> None:
    harvests = [b for b in loaded.rows(tables.batches) if b.origin == "register"]
    assert len(harvests) == 4
    for harvest in harvests:
        assert CJK.search(harvest.village_zh) and harvest.village_en.isascii()
        assert harvest.plot_region == WUCHANG and date.fromisoformat(harvest.harvested) <= date.today()


def test_the_mill_labels_the_bags_while_it_holds_the_rice_in_one_statement_a_run(
        loaded: Demo) -> None:
    statements = records(loaded)
    issues = [(seq, s) for seq, s in enumerate(statements) if s["type"] == "label.issue"]
    assert [(s["actor"], s["body"]["pack"], s["body"]["count"]) for _, s in issues] == [
        (MILL.org, "5", 24), (MILL.org, "2.5", 12)]
    shipped = next(seq for seq, s in enumerate(statements)
                   if s["type"] == "shipment.send" and s["actor"] == MILL.org)
    assert all(seq < shipped for seq, _ in issues)  # printed before the rice left the mill
    labels = loaded.rows(tables.labels)
    assert len(labels) == 36 and {x.issuer for x in labels} == {MILL.org}
    logged = b"".join(bytes(r.statement) for r in loaded.rows(schema.records))
    assert not any(x.serial.encode() in logged or x.sig.encode() in logged for x in labels)
    # Within mass balance: what the labels cover is a sliver of what the harvests could yield.
    covered = sum(Decimal(s["body"]["pack"]) * s["body"]["count"] for _, s in issues)
    assert covered == Decimal(150)


def test_the_demo_prints_a_genuine_a_sold_a_voided_and_a_recalled_label(loaded: Demo) -> None:
    shown = dict(re.findall(r"^  ([^:]+): (http\S+)$", loaded.output, re.MULTILINE))
    assert set(shown) == {"genuine, on the shelf", "sold", "voided by the producer",
                          "recalled batch"}
    status = {x.serial: x.status for x in loaded.rows(tables.labels)}
    serials = {what: parse(uri).serial for what, uri in shown.items()}
    assert status[serials["genuine, on the shelf"]] == "issued"
    assert status[serials["sold"]] == "sold" and status[serials["voided by the producer"]] == "void"
    recalled = {b.lot for b in loaded.rows(tables.batches) if b.recalled}
    assert parse(shown["recalled batch"]).lot in recalled
    listed = (loaded.keys_dir.parent / "demo-labels.txt").read_text(encoding="utf-8")
    assert all(uri in listed for uri in shown.values())


def test_the_season_has_shipments_received_rejected_and_in_transit(loaded: Demo) -> None:
    statuses = [s.status for s in loaded.rows(tables.shipments)]
    assert statuses.count("rejected") == 1 and statuses.count("pending") == 1
    assert statuses.count("received") >= 6
    origins = {b.origin for b in loaded.rows(tables.batches)}
    assert origins == {"register", "split", "process"}


def test_the_recall_reaches_the_rice_on_both_retailers_shelves(loaded: Demo) -> None:
    recalled = {b.batch for b in loaded.rows(tables.batches) if b.recalled}
    assert len(recalled) >= 2  # the harvest and the rice milled from it
    shelves = {(h.org, h.batch) for h in loaded.rows(tables.holdings) if h.batch in recalled}
    assert {org for org, _ in shelves} >= {WUMART.org, HEMA.org}


def test_the_demo_keys_are_marked_and_private(loaded: Demo) -> None:
    readme = (loaded.keys_dir / "README-DEMO-ONLY.txt").read_text(encoding="utf-8")
    assert "DEMO ONLY" in readme
    pems = sorted(loaded.keys_dir.glob("*.pem"))
    # the regulator, the season's 8 orgs, Wumart's lost scanner, Hema's desk, the platform, the
    # association and Heilongjiang's regulator
    assert len(pems) == 14
    assert {f"{org.org}.pem" for org in (PLATFORM, ASSOCIATION, HEILONGJIANG)} <= {p.name for p in pems}
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in pems)


@pytest.fixture
def demo_server(loaded: Demo) -> Iterator[str]:
    with live_server(Settings.from_env(loaded.env)) as url:
        yield url


def test_a_retailer_signs_with_its_demo_key_to_receive_the_pending_delivery(
        loaded: Demo, demo_server: str) -> None:
    pending = next(s for s in loaded.rows(tables.shipments) if s.status == "pending")
    vkey = operator_signer(Settings.from_env(loaded.env)).vkey()  # what the operator publishes
    result = CliRunner().invoke(cli, [
        "receive", "--url", demo_server, "--key", str(loaded.keys_dir / f"{pending.receiver}.pem"),
        "--org", pending.receiver, "--log-key", vkey, "--shipment", pending.shipment])
    assert result.exit_code == 0, result.output
    assert "(verified)" in result.output


def test_a_refused_step_loads_nothing_and_names_the_step(tmp_path: Path, database_url: str,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    real_story = demo_chain.story

    def story_with_a_bad_step(*args: Any) -> list[Step]:
        return [*real_story(*args), Step(HEMA.org, drafts.shipment_receive("no-such-shipment"),
                                         "receive a shipment that was never sent")]
    monkeypatch.setattr(demo_module, "story", story_with_a_bad_step)
    env, keys_dir = demo_env(tmp_path, database_url), tmp_path / "keys"
    failed = CliRunner(env=env).invoke(cli, ["demo", "--keys-dir", str(keys_dir)])
    assert failed.exit_code == 1 and "Traceback" not in failed.output
    assert "demo step" in failed.output and "unknown-shipment" in failed.output
    demo = Demo(env, keys_dir, 0, failed.output)
    assert demo.rows(reports) == []  # the shopper's report was withdrawn with the statements
    monkeypatch.setattr(demo_module, "story", real_story)
    retried = CliRunner(env=env).invoke(cli, ["demo", "--keys-dir", str(keys_dir)])
    assert retried.exit_code == 0 and "demo loaded" in retried.output, retried.output
    assert len(demo.rows(reports)) == 1


@pytest.mark.postgres
def test_the_demo_loads_and_audits_on_postgresql_too(tmp_path: Path, postgres_url: str) -> None:
    """The shopper's report goes through the PostgreSQL path of the report queue (a sender's
    advisory lock), the story through the same Log: both whole, and the audit passes."""
    env = demo_env(tmp_path, postgres_url)
    result = CliRunner(env=env).invoke(cli, ["demo", "--keys-dir", str(tmp_path / "keys")])
    assert result.exit_code == 0 and "receipt code" in result.output, result.output
    demo = Demo(env, tmp_path / "keys", 0, result.output)
    assert len(demo.rows(reports)) == 1 and len(demo.rows(tables.rewards)) == 1
    for mode in ([], ["--public"]):
        audit = CliRunner(env=env).invoke(cli, ["audit", "verify", *mode, "--db", postgres_url])
        assert audit.exit_code == 0 and audit.output.startswith("OK: "), audit.output


def test_the_season_is_the_latest_harvest_in() -> None:
    assert harvest_season(date(2026, 11, 26)) == 2026
    assert harvest_season(date(2027, 3, 1)) == 2026


def test_the_delivery_left_pending_carries_an_sscc_for_the_receiving_desk(loaded: Demo) -> None:
    # (another test of this module may have received it since: look at the SSCC, not the status)
    labelled = [s for s in loaded.rows(tables.shipments) if s.sscc is not None]
    assert len(labelled) == 1 and labelled[0].shipment.startswith("ship-harbin-hema-")
    assert labelled[0].shipment.endswith("-03") and valid_check_digit(labelled[0].sscc)


# -- the protection story ------------------------------------------------------------------
STORY = [  # after the season's recall, in log order
    ("org.register", "cnipa"), ("org.register", "cnipa"), ("org.register", "cnipa"),
    ("recall.ack", WUMART.org),
    ("listing.check", PLATFORM.org),
    ("notice.send", ASSOCIATION.org),
    ("notice.answer", PLATFORM.org), ("notice.answer", PLATFORM.org),
    ("case.open", "cnipa"), ("case.transfer", "cnipa"),
    ("case.accept", HEILONGJIANG.org), ("case.close", HEILONGJIANG.org),
    ("reward.grant", HEILONGJIANG.org)]


def the_report(loaded: Demo) -> report_queue.Report:
    [row] = loaded.rows(reports)
    with loaded.engine() as engine, engine.connect() as conn:
        report = report_queue.get_report(conn, row.id)
    assert report is not None
    return report


def test_the_protection_story_follows_the_season_on_the_log_in_order(loaded: Demo) -> None:
    statements = records(loaded)
    recall = next(seq for seq, s in enumerate(statements) if s["type"] == "batch.recall")
    story = statements[recall + 1:recall + 1 + len(STORY)]  # (another test may append after it)
    assert [(s["type"], s["actor"]) for s in story] == STORY
    report = the_report(loaded).id
    by_type = {s["type"]: s["body"] for s in story}
    check = by_type["listing.check"]["check"]
    assert by_type["notice.send"]["listing"] == check
    assert by_type["case.open"]["sources"] == {"reports": [report], "listings": [check],
                                               "notices": [by_type["notice.send"]["notice"]]}
    assert by_type["case.transfer"]["to"] == HEILONGJIANG.org
    assert (by_type["reward.grant"]["report"], by_type["reward.grant"]["case"]) == (
        report, by_type["case.open"]["case"])


def test_the_platform_removes_the_unapproved_sellers_listing_within_the_deadline(
        loaded: Demo) -> None:
    [listing] = loaded.rows(tables.listings)
    orgs = loaded.rows(tables.orgs)
    assert valid_uscc(listing.seller_uscc) and listing.seller_uscc not in {o.uscc for o in orgs}
    assert listing.platform == PLATFORM.org and listing.url.startswith("https://demo-mall.example/")
    [notice] = loaded.rows(tables.notices)
    assert (notice.listing, notice.sender, notice.status) == (listing.check, ASSOCIATION.org, "removed")
    assert notice.sent_ts <= notice.acknowledged_ts <= notice.answered_ts < notice.deadline
    roles = {o.org: json.loads(o.roles) for o in orgs}
    assert roles[PLATFORM.org] == ["platform"] and roles[ASSOCIATION.org] == ["association"]
    assert "invented" in PLATFORM.en and "虚构" in PLATFORM.zh


def test_the_listing_check_finds_the_seller_not_approved(loaded: Demo) -> None:
    [row] = loaded.rows(tables.listings)
    policy = ScanPolicy.from_settings(Settings.from_env(loaded.env))
    with loaded.engine() as engine, engine.connect() as conn:
        listing = get_listing(conn, row.check)
        assert listing is not None
        verdict = judge(conn, listing, policy)
    assert verdict.verdict == INFRINGING
    assert "seller-not-approved" in {reason["code"] for reason in verdict.reasons}


def test_the_notice_s_evidence_is_the_shopper_s_report_and_photo_of_a_copied_code(
        loaded: Demo) -> None:
    report = the_report(loaded)
    [notice] = loaded.rows(tables.notices)
    with loaded.engine() as engine, engine.connect() as conn:
        photo = report_queue.get_photo(conn, report.id)
    assert photo is not None and photo[1] == "image/png"
    assert json.loads(notice.evidence)["reports"] == [report.id]
    assert json.loads(notice.evidence)["photos"] == [hashlib.sha256(photo[0]).hexdigest()]
    assert report.uri is not None and report.contact is None  # no personal data
    status = {x.serial: x.status for x in loaded.rows(tables.labels)}
    assert status[parse(report.uri).serial] == "sold"  # the fake bag copies a sold bag's code
    [listing] = loaded.rows(tables.listings)
    assert json.loads(listing.codes) == [report.uri]


def test_beijing_transfers_the_case_to_heilongjiang_which_closes_it_confirmed_and_public(
        loaded: Demo) -> None:
    [case] = loaded.rows(tables.cases)
    assert (case.opened_by, case.holder, case.status, case.outcome) == (
        "cnipa", HEILONGJIANG.org, "closed", "confirmed")
    assert case.published and "Heilongjiang" in case.public_summary
    regions = {o.org: o.region for o in loaded.rows(tables.orgs)}
    assert regions["cnipa"][:2] == "11" and regions[HEILONGJIANG.org][:2] == "23"
    events = sorted(loaded.rows(tables.case_events), key=lambda e: e.seq)
    assert [(e.type, e.actor, e.to) for e in events] == [
        ("case.open", "cnipa", None), ("case.transfer", "cnipa", HEILONGJIANG.org),
        ("case.accept", HEILONGJIANG.org, None), ("case.close", HEILONGJIANG.org, None)]


def receipt_code(loaded: Demo) -> str:
    code = re.search(r"receipt code \(shown only here\) ([A-Z2-7-]{39}) reads report", loaded.output)
    assert code is not None, loaded.output
    return code[1]


def test_the_shopper_s_receipt_code_shows_the_reward(loaded: Demo) -> None:
    code = receipt_code(loaded)
    with loaded.engine() as engine:
        found = receipts.find_report(engine, code, "a-tester", limit=5, now=int(time.time()))
        assert found == the_report(loaded).id
        with engine.connect() as conn:
            status = receipt_status(conn, found)
    assert status.state == "rewarded" and status.reward is not None
    assert status.reward.amount == demo_protection.REWARD_YUAN
    logged = b"".join(bytes(r.statement) for r in loaded.rows(schema.records))
    assert code.encode() not in logged and receipts.canonical(code).encode() not in logged


def test_the_printed_receipt_command_shows_the_reward_and_the_case_is_public(
        loaded: Demo, demo_server: str) -> None:
    command = re.search(r"curl -H '([^:]+): ([^']+)' \S+(/v1/reports/receipt)$", loaded.output,
                        re.MULTILINE)
    assert command is not None, loaded.output
    header, code, path = command.groups()
    request = urllib.request.Request(demo_server + path, headers={header: code})
    with urllib.request.urlopen(request) as response:
        status = json.load(response)
    assert status["state"] == "rewarded" and status["reward"]["amount"] == demo_protection.REWARD_YUAN
    with urllib.request.urlopen(f"{demo_server}/v1/typical-cases") as response:
        typical = json.load(response)["items"]
    [case] = loaded.rows(tables.cases)
    assert [c["case"] for c in typical] == [case.case]


def test_one_holder_acknowledges_the_recall_and_the_other_does_not(loaded: Demo) -> None:
    [ack] = loaded.rows(tables.recall_acks)
    assert ack.org == WUMART.org and Decimal(ack.withdrawn) > 0
    holders = {h.org for h in loaded.rows(tables.holdings) if h.batch == ack.batch}
    assert {WUMART.org, HEMA.org} <= holders


def test_the_projections_rebuilt_from_the_demo_log_are_identical(loaded: Demo,
                                                                  tmp_path: Path) -> None:
    copy = tmp_path / "copy.db"
    shutil.copy(loaded.env["GI_TRACE_DATABASE_URL"].removeprefix("sqlite:///"), copy)
    env = {**loaded.env, "GI_TRACE_DATABASE_URL": f"sqlite:///{copy}"}
    demo = Demo(env, loaded.keys_dir, 0, "")
    with demo.engine() as engine:
        live = dump(engine)
    assert live["gi_cases"] and live["gi_notices"] and live["gi_rewards"]
    result = CliRunner(env=env).invoke(cli, ["projections", "rebuild"])
    assert result.exit_code == 0, result.output
    with demo.engine() as engine:
        assert dump(engine) == live


def test_the_epcis_export_holds_the_season_and_no_protection_statement(loaded: Demo) -> None:
    settings = Settings.from_env(loaded.env)
    exporter = Exporter(settings.base_url, settings.gs1_company_prefix_length)
    with loaded.engine() as engine, engine.connect() as conn:
        document, more = exporter.period(conn, datetime(2000, 1, 1, tzinfo=UTC), None,
                                         viewer=OPERATOR, created=datetime.now(UTC), limit=500)
        seasonal = set(conn.scalars(select(tables.batch_events.c.seq)))
    assert more is None and schema_errors(document) == []
    events = document["epcisBody"]["eventList"]
    statements = records(loaded)
    protection = {seq for seq, s in enumerate(statements) if s["type"] in PROTECTION_BODIES}
    assert len(protection) == len(STORY) - 3  # all but the three org.register
    assert {e["gitrace:seq"] for e in events} == seasonal and not seasonal & protection
    assert not {e["gitrace:statement"] for e in events} & set(PROTECTION_BODIES)
