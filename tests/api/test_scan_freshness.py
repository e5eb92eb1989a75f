"""The scanner keeps each label's verdict parts and proof per log size (LabelView): a change
appended by another process between two scans shows on the second, the proof follows the new
checkpoint, the JSON text says what the verdict's dict says, and the cache stays bounded."""

from __future__ import annotations

import json
from typing import Any

import pytest

from gi_trace.api.scan import SCANNER
from gi_trace.labels import verdict as verdict_module
from gi_trace.labels.digital_link import parse
from gi_trace.labels.scans import ScanPolicy
from gi_trace.labels.verdict import Scanner
from tests.api.test_scan import (  # the fixtures and helpers of the scan tests
    LOT,
    SERIAL,
    codes,
    link,
    scanning,
    template,
    verdict,
)
from tests.api.test_scan_proof import independently_verified
from tests.domain.world import PADDY, issue, recall, receive, sell, serials, ship, suspend, void

__all__ = ["scanning", "template"]


def scanner_of(client: Any) -> Scanner:
    found: Scanner = client.application.extensions[SCANNER]
    return found


@pytest.mark.parametrize(("change", "expected", "reason_codes"), [
    (lambda w: [void(w.coop_a, [SERIAL])], "INVALID", ["voided"]),
    (lambda w: [recall(w.regulator, "A-1")], "RECALLED", ["recalled"]),
    (lambda w: [suspend(w.regulator, PADDY, "coop-a")], "WARNING", ["producer-suspended"]),
    (lambda w: [ship(w.coop_a, "S-1", "shop-1", [("A-1", "10")]), receive(w.shop_1, "S-1"),
                sell(w.shop_1, [SERIAL])], "WARNING", ["sold"]),
], ids=["void", "recall", "suspension", "sale"])
def test_a_change_appended_between_two_scans_shows_on_the_second(
        scanning: Any, change: Any, expected: str, reason_codes: list[str]) -> None:
    world, service, client = scanning
    first = verdict(client, link(signer=world.coop_a))
    assert first["verdict"] == "GENUINE" and first["label"]["status"] == "issued"
    service.log.append(change(world))  # another Log than the app's: as another process would
    second = verdict(client, link(signer=world.coop_a))
    assert (second["verdict"], codes(second)) == (expected, reason_codes)
    assert second["proof"]["inclusion"]["tree_size"] > first["proof"]["inclusion"]["tree_size"]
    assert independently_verified(second)
    if reason_codes == ["sold"]:
        assert second["label"]["status"] == "sold" and second["label"]["sold"]
        assert [step["type"] for step in second["journey"]][-2:] == ["shipment.send", "label.sell"]


def test_a_reinstatement_clears_the_warning_at_once(scanning: Any) -> None:
    world, service, client = scanning
    service.log.append([suspend(world.regulator, PADDY, "coop-a")])
    assert codes(verdict(client, link(signer=world.coop_a))) == ["producer-suspended"]
    service.log.append([suspend(world.regulator, PADDY, "coop-a", reinstate=True)])
    assert verdict(client, link(signer=world.coop_a))["verdict"] == "GENUINE"


def test_an_unknown_serial_issued_later_is_known_at_its_next_scan(scanning: Any) -> None:
    world, service, client = scanning
    later = serials("A-1", 1, 40)[0]
    assert codes(verdict(client, link(later, signer=world.coop_a))) == ["unknown-label"]
    service.log.append([issue(world.coop_a, "A-1", [later])])
    assert verdict(client, link(later, signer=world.coop_a))["verdict"] == "GENUINE"


def test_scans_of_an_unchanged_log_reuse_the_view_and_the_proof_stays_valid(scanning: Any) -> None:
    world, _, client = scanning
    first = verdict(client, link(signer=world.coop_a))
    view = scanner_of(client)._views[SERIAL]
    again = verdict(client, link(signer=world.coop_a))
    assert scanner_of(client)._views[SERIAL] is view  # not rebuilt
    assert again["proof"] == first["proof"] and independently_verified(again)
    assert again["scans"]["count"] == first["scans"]["count"] + 1
    assert again["scans"]["token"] != first["scans"]["token"]


def test_the_json_text_is_the_verdicts_dict(scanning: Any) -> None:
    world, service, _ = scanning
    scanner = Scanner(service.engine, service.log, ScanPolicy(50, 5, 300, 50))
    for path in (link(signer=world.coop_a), link(lot="LB-1", signer=world.coop_a),
                 link(serials("A-1", 1, 99)[0], signer=world.coop_a)):
        found = scanner.scan(parse(path), record=False)
        assert json.loads(found.json(json.dumps)) == json.loads(json.dumps(found.to_dict()))
    found = scanner.scan(parse(link(signer=world.coop_a)), record=False)
    found.reasons.append({"code": "x"})  # the scan's own parts may change: still the dict
    found.batch = {"batch": "other"}  # a shared part replaced: encoded afresh, not from the view
    assert json.loads(found.json(json.dumps)) == json.loads(json.dumps(found.to_dict()))


def test_the_views_kept_are_bounded_and_an_evicted_label_is_judged_afresh(
        scanning: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    world, _, client = scanning
    monkeypatch.setattr(verdict_module, "VIEWS_KEPT", 2)
    labels = serials("A-1", 3)
    for serial in labels:
        assert verdict(client, link(serial, signer=world.coop_a))["verdict"] == "GENUINE"
    assert list(scanner_of(client)._views) == labels[1:]
    data = verdict(client, link(labels[0], signer=world.coop_a))
    assert data["verdict"] == "GENUINE" and data["link"]["lot"] == LOT
    assert list(scanner_of(client)._views) == [labels[2], labels[0]]


def test_the_labels_of_one_issue_share_its_tree(scanning: Any) -> None:
    world, _, client = scanning
    first, second = serials("A-1", 2)
    for serial in (first, second):
        assert independently_verified(verdict(client, link(serial, signer=world.coop_a)))
    scanner = scanner_of(client)
    proofs = [scanner._views[serial].proof for serial in (first, second)]
    assert proofs[0] is not None and proofs[1] is not None
    assert proofs[0]["statement"] == proofs[1]["statement"]
    assert proofs[0]["label"]["index"] != proofs[1]["label"]["index"]
    assert list(scanner.trees._trees) == [proofs[0]["seq"]]  # one tree for both


def test_a_label_issued_after_the_checkpoint_read_gets_its_proof_at_the_next_scan(
        scanning: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """On PostgreSQL a scan may read the checkpoint, then see a label an append committed right
    after: no checkpoint holds its issue yet. That scan goes without a proof, and keeps no view."""
    world, service, _ = scanning
    scanner = Scanner(service.engine, service.log, ScanPolicy(50, 5, 300, 50))
    size = service.log.size()
    monkeypatch.setattr(scanner, "_size", lambda note: size - 1)  # the issue is the last entry
    early = scanner.scan(parse(link(signer=world.coop_a)), record=False)
    assert (early.verdict, early.proof, scanner._views.get(SERIAL)) == ("GENUINE", None, None)
    monkeypatch.undo()
    later = scanner.scan(parse(link(signer=world.coop_a)), record=False)
    assert later.proof is not None and independently_verified(later.to_dict() | {
        "link": {**later.link, "uri": ""}})
