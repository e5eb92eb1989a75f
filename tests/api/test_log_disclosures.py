"""Entries carry the public leaves; a bearer token adds the disclosures its caller may read; a
regulator pages through everything kept beside the log (an audit bundle with disclosures).

Checked with hashlib and json only: a disclosure's digest is base64url(SHA-256(prefix +
JCS([salt, name, value]))), and it must be listed in the statement's body._sd.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator
from typing import Any

import pytest

from gi_trace.ledger.genesis import load_genesis
from gi_trace.ledger.note import NoteVerifier
from gi_trace.ledger.record import Record
from gi_trace.ledger.sidecar import Sidecar
from gi_trace.service import audit_log
from tests.api.helpers import assert_problem
from tests.api.reads.world import Season, World, add_season, open_world
from tests.support import Actor

PREFIX = b"gi-trace/v2/disclosure\n"
CALLERS = ("regulator", "producer", "mill", "retailer", "distributor", "unrelated")


@pytest.fixture(scope="module")
def season(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[World, Season]]:
    with open_world(tmp_path_factory.mktemp("disclosures")) as world:
        yield world, add_season(world)


def entries(world: World, who: Actor | None = None) -> list[dict[str, Any]]:
    resp = world.get(f"/v1/log/entries?end={world.log.size()}", who)
    assert resp.status_code == 200, resp.get_data(as_text=True)
    assert resp.headers["Vary"] == "Authorization"
    if who is not None:
        assert resp.headers["Cache-Control"] == "private, no-store"
    found: list[dict[str, Any]] = resp.get_json()["entries"]
    return found


def jcs(value: Any) -> bytes:
    """RFC 8785 for the values of this world: strings, lists and objects of them."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def digest(disclosure: list[Any]) -> str:
    raw = hashlib.sha256(PREFIX + jcs(disclosure)).digest()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def may_read(world: World, who: str, entry: dict[str, Any]) -> bool:
    """DESIGN.md's rule, from the readers the server keeps: actor, named readers, regulators."""
    org = getattr(world, who).org
    readers = world.log.sidecars(entry["seq"], entry["seq"] + 1)[entry["seq"]].readers
    return who == "regulator" or entry["statement"]["actor"] == org or org in readers


def test_the_public_gets_digests_and_never_a_disclosure(season: tuple[World, Season]) -> None:
    world, _ = season
    found = entries(world)
    assert not any("disclosures" in e for e in found)
    sends = [e["statement"] for e in found if e["statement"]["type"] == "shipment.send"]
    assert sends and all(list(s["body"]) == ["_sd"] for s in sends)
    assert {len(s["body"]["_sd"]) for s in sends} == {3, 4}  # shipment, to, items (and an SSCC)


@pytest.mark.parametrize("who", CALLERS)
def test_each_caller_gets_the_disclosures_it_may_read(season: tuple[World, Season], who: str) -> None:
    world, _ = season
    for entry in entries(world, getattr(world, who)):
        sealed = entry["statement"]["body"].get("_sd", [])
        if not sealed or not may_read(world, who, entry):
            assert "disclosures" not in entry, (who, entry["seq"])
            continue
        assert sorted(digest(d) for d in entry["disclosures"]) == sealed


# (shipment, statement type) → who besides regulators reads its disclosures
READERS = {
    ("consignment-7a1", "shipment.send"): {"producer", "mill"},
    ("consignment-7a1", "shipment.receive"): {"mill", "producer"},
    ("consignment-7b2", "shipment.send"): {"mill", "retailer"},
    ("consignment-7c3", "shipment.send"): {"mill", "distributor"},
    ("consignment-7c3", "shipment.reject"): {"distributor", "mill"},
}


@pytest.mark.parametrize(("key", "readers"), READERS.items(), ids=["-".join(k) for k in READERS])
def test_a_shipment_is_disclosed_to_its_two_parties_only(season: tuple[World, Season],
                                                         key: tuple[str, str], readers: set[str]) -> None:
    world, _ = season
    shipment, type_ = key
    for who in CALLERS:
        disclosed = [dict((name, value) for _, name, value in e["disclosures"])
                     for e in entries(world, getattr(world, who))
                     if e["statement"]["type"] == type_ and "disclosures" in e]
        mine = [d for d in disclosed if d["shipment"] == shipment]
        assert len(mine) == (1 if who in readers | {"regulator"} else 0), who


def test_a_voided_or_sold_label_is_disclosed_to_its_issuer(season: tuple[World, Season]) -> None:
    world, labels = season
    for type_, serial, actor in (("label.sell", labels.sold, world.retailer),
                                 ("label.void", labels.voided, world.mill)):
        for who in (actor, world.mill, world.regulator):
            [entry] = [e for e in entries(world, who) if e["statement"]["type"] == type_]
            assert {name: value for _, name, value in entry["disclosures"]}["serials"] == [serial]
        [entry] = [e for e in entries(world, world.producer) if e["statement"]["type"] == type_]
        assert "disclosures" not in entry


@pytest.mark.parametrize("who", [None, *CALLERS])
def test_entries_never_carry_labels_or_their_signatures(season: tuple[World, Season],
                                                        who: str | None) -> None:
    """Not even the issuer's or a regulator's: entries are the leaves, and attachments are none
    of them (the sold and voided serials are disclosures, for their readers)."""
    world, labels = season
    text = json.dumps(entries(world, None if who is None else getattr(world, who)))
    assert not any(sig in text for sig in labels.sigs)
    allowed = {labels.sold, labels.voided} if who in ("regulator", "mill") else \
        {labels.sold} if who == "retailer" else set()
    assert {s for s in labels.serials if s in text} == allowed
    assert '"labels"' not in text


def sidecars(world: World, who: Actor, start: int = 0, end: int | None = None) -> Any:
    query = f"start={start}" + ("" if end is None else f"&end={end}")
    return world.get(f"/v1/log/sidecars?{query}", who)


def test_sidecars_are_for_regulators_only(season: tuple[World, Season]) -> None:
    world, _ = season
    resp = world.get("/v1/log/sidecars")
    assert_problem(resp, 401, "unauthenticated")
    for who in (world.producer, world.mill, world.retailer):
        assert_problem(sidecars(world, who), 403, "not-a-regulator")


def test_a_regulator_reads_every_disclosure_and_attachment(season: tuple[World, Season]) -> None:
    world, labels = season
    resp = sidecars(world, world.regulator)
    assert resp.status_code == 200
    assert resp.headers["Cache-Control"] == "private, no-store"
    body = resp.get_json()
    assert body["next"] is None
    found = [Sidecar.from_json(item) for item in body["sidecars"]]
    assert found == sorted(found, key=lambda s: s.seq)
    stored = world.log.sidecars(0, world.log.size(), attachments=True)
    assert {s.seq: (s.disclosures, dict(s.attachments)) for s in found} == {
        seq: (s.disclosures, dict(s.attachments)) for seq, s in stored.items()}
    [issue] = [s for s in found if s.attachments]
    assert [label["serial"] for label in issue.attachments["labels"]] == labels.serials
    assert all("readers" not in item for item in body["sidecars"])


def test_sidecars_page_by_ranges_of_records(season: tuple[World, Season]) -> None:
    world, _ = season
    size, seen, start = world.log.size(), [], 0
    while True:
        body = sidecars(world, world.regulator, start, start + 7).get_json()
        page = [item["seq"] for item in body["sidecars"]]
        assert all(start <= seq < start + 7 for seq in page)
        seen += page
        if body["next"] is None:
            break
        assert body["next"] == start + 7
        start = body["next"]
    assert start + 7 >= size
    assert seen == sorted(world.log.sidecars(0, size))


@pytest.mark.parametrize(("query", "field"), [("start=-1", "start"), ("start=5&end=5", "end"),
                                              ("end=x", "end")])
def test_bad_ranges_are_422(season: tuple[World, Season], query: str, field: str) -> None:
    world, _ = season
    assert_problem(world.get(f"/v1/log/sidecars?{query}", world.regulator), 422, "bad-argument",
                   field=field)


class HttpLikeSource:
    """What an auditor reads over HTTP: the entries anyone reads, and a regulator's sidecars."""

    def __init__(self, world: World, regulator: Actor | None) -> None:
        self.world, self.regulator = world, regulator
        self.size = world.log.size()

    def latest_checkpoint(self) -> str:
        return str(self.world.get("/v1/log/checkpoint").get_data(as_text=True))

    def checkpoints(self) -> list[tuple[int, str]]:
        return []

    def records(self) -> Iterator[Record]:
        for item in entries(self.world):
            yield Record.from_json(item)

    def sidecars(self) -> Iterator[Sidecar] | None:
        if self.regulator is None:
            return None
        body = sidecars(self.world, self.regulator, 0, self.size).get_json()
        return iter([Sidecar.from_json(item) for item in body["sidecars"]])


@pytest.mark.parametrize("disclosed", [True, False], ids=["regulator-bundle", "public"])
def test_an_audit_over_http_checks_every_digest_with_the_sidecars(season: tuple[World, Season],
                                                                  disclosed: bool) -> None:
    world, _ = season
    source = HttpLikeSource(world, world.regulator if disclosed else None)
    operator = NoteVerifier.from_vkey(world.get("/v1/log/key").get_data(as_text=True))
    result = audit_log(source, operator, load_genesis(world.settings.regulators))
    assert result, result.failure
    assert result.disclosed is disclosed
    assert (result.unchecked == 0) is disclosed
