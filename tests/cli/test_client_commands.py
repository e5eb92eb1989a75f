"""The client's command-line verbs: batch register/split/merge/process, ship, receive, reject,
recall. Each signs locally, submits, and prints the seq and the verified checkpoint."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from gi_trace.cli.main import cli
from gi_trace.client.drafts import label_issue
from gi_trace.domain import tables
from gi_trace.labels.issuing import new_labels
from gi_trace.ledger import keys, schema
from gi_trace.ledger.note import NoteSigner
from tests.cli.client_runs import VERIFIED, Run, assert_verified
from tests.domain.world import GTINS, PADDY, receive, ship


def logged(run: Run, seq: int) -> dict[str, Any]:
    """The statement at `seq` as the public log holds it."""
    row = run.shared.row(schema.records, seq=seq)
    statement: dict[str, Any] = json.loads(bytes(row.statement))
    return statement


def test_batch_register(run: Run) -> None:
    batch = run.shared.unique("village")
    result = run(run.world.coop_a, "batch", "register", "--batch", batch,
                 "--product", PADDY, "--lot", "MINLE2026-02", "--quantity", "120.5",
                 "--harvested", "2026-10-01", "--plot", "Hongguang plot 3", "--lat", "44.9012",
                 "--lon", "127.1453", "--plot-region", "230184",
                 "--village", "红光村", "Hongguang village")
    body = logged(run, assert_verified(result, run.service, "batch.register"))["body"]
    assert body["village"] == {"zh": "红光村", "en": "Hongguang village"}
    assert "quantity" not in body and "origin" not in body and len(body["_sd"]) == 2
    row = run.shared.row(tables.batches, batch=batch)
    assert (row.quantity, row.plot_region, row.village_zh) == ("120.5", "230184", "红光村")


def test_batch_register_refuses_a_plot_outside_the_region(run: Run) -> None:
    size = run.service.log.size()
    result = run(run.world.coop_a, "batch", "register", "--batch", run.shared.unique("outside"),
                 "--product", PADDY, "--lot", "L", "--quantity", "1", "--harvested", "2026-10-01",
                 "--plot-region", "230113")
    assert result.exit_code == 1 and "body.origin.region" in result.output, result.output
    assert run.service.log.size() == size


def test_sign_then_submit_a_v2_statement_with_its_disclosures(run: Run) -> None:
    paddy, shipment = run.shared.harvest(run.world.coop_a, "20"), run.shared.unique("S")
    statement = run.tmp / f"{shipment}.json"
    items = [{"batch": paddy, "quantity": "20"}]
    statement.write_text(json.dumps({"type": "shipment.send", "actor": "coop-a", "body": {
        "shipment": shipment, "to": "mill", "items": items}}))
    signed = run.runner.invoke(cli, ["sign", "--key", str(run.key_file(run.world.coop_a)),
                                     str(statement)])
    assert signed.exit_code == 0, signed.output
    envelope = json.loads(signed.output)
    assert set(envelope["statement"]["body"]) == {"_sd"}
    assert {name: value for _, name, value in envelope["disclosures"]} == {
        "shipment": shipment, "to": "mill", "items": items}
    path = run.tmp / f"{shipment}-envelope.json"
    path.write_text(signed.output)
    submitted = run.runner.invoke(cli, ["submit", "--url", run.url, "--log-key",
                                        run.service.log.signer.vkey(), str(path)])
    assert submitted.exit_code == 0, submitted.output
    assert run.shared.row(tables.shipments, shipment=shipment).receiver == "mill"


def test_sign_then_submit_a_label_issue_with_its_labels_beside_it(run: Run) -> None:
    paddy = run.shared.harvest(run.world.coop_a, "5")
    made = new_labels(run.world.coop_a.key, GTINS[PADDY][0], f"L{paddy}"[:20], 4)
    draft = label_issue(paddy, GTINS[PADDY][0], "1", made)
    statement = run.tmp / f"{paddy}.json"
    statement.write_text(json.dumps({"type": "label.issue", "actor": "coop-a", "body": draft.body,
                                     "labels": [{"serial": x.serial, "sig": x.sig} for x in made]}))
    signed = run.runner.invoke(cli, ["sign", "--key", str(run.key_file(run.world.coop_a)),
                                     str(statement)])
    assert signed.exit_code == 0, signed.output
    path = run.tmp / f"{paddy}-envelope.json"
    path.write_text(signed.output)
    submitted = run.runner.invoke(cli, ["submit", "--url", run.url, "--log-key",
                                        run.service.log.signer.vkey(), str(path)])
    assert submitted.exit_code == 0, submitted.output
    assert run.shared.row(tables.labels, serial=made[3].serial).batch == paddy


def test_batch_split(run: Run) -> None:
    paddy = run.shared.harvest(run.world.coop_a, "60")
    result = run(run.world.coop_a, "batch", "split", "--from", paddy, "--into", f"{paddy}a=40",
                 "--into", f"{paddy}b=19.5")
    assert_verified(result, run.service, "batch.split")
    assert run.shared.holding("coop-a", paddy) == Decimal("0.5")


def test_batch_merge(run: Run) -> None:
    first, second = (run.shared.harvest(run.world.coop_a, "10") for _ in range(2))
    result = run(run.world.coop_a, "batch", "merge", "--from", first, "--from", second,
                 "--into", f"{first}m", "--lot", "MERGED-1")
    assert_verified(result, run.service, "batch.merge")
    assert run.shared.holding("coop-a", f"{first}m") == 20


def test_batch_process(run: Run) -> None:
    paddy, shipment = run.shared.harvest(run.world.coop_a, "100"), run.shared.unique("S")
    run.service.log.append([ship(run.world.coop_a, shipment, "mill", [(paddy, "100")]),
                            receive(run.world.mill, shipment)])
    result = run(run.world.mill, "batch", "process", "--process", "milling", "--input",
                 f"{paddy}=100", "--output", f"{paddy}-rice", "--lot", "JH2026-1001",
                 "--quantity", "70")
    assert_verified(result, run.service, "batch.process")


def test_ship_then_receive(run: Run) -> None:
    paddy, shipment = run.shared.harvest(run.world.coop_a, "30"), run.shared.unique("S")
    sent = run(run.world.coop_a, "ship", "--shipment", shipment, "--to", "mill", "--item",
               f"{paddy}=10", "--item", "A-1=5")
    assert_verified(sent, run.service, "shipment.send")
    received = run(run.world.mill, "receive", "--shipment", shipment)
    assert_verified(received, run.service, "shipment.receive")
    assert run.shared.holding("mill", paddy) == 10


def test_ship_then_reject(run: Run) -> None:
    paddy, shipment = run.shared.harvest(run.world.coop_a, "30"), run.shared.unique("S")
    run(run.world.coop_a, "ship", "--shipment", shipment, "--to", "mill", "--item", f"{paddy}=30")
    rejected = run(run.world.mill, "reject", "--shipment", shipment, "--reason", "moisture 18.5 %")
    assert_verified(rejected, run.service, "shipment.reject")
    assert run.shared.holding("coop-a", paddy) == 30


def test_recall(run: Run) -> None:
    paddy = run.shared.harvest(run.world.coop_a, "5")
    result = run(run.world.regulator, "recall", "--batch", paddy, "--reason", "pesticide residue")
    assert_verified(result, run.service, "batch.recall")


def test_without_a_pinned_log_key_the_command_warns_it_trusted_the_server(run: Run) -> None:
    result = run(run.world.coop_a, "ship", "--shipment", run.shared.unique("S"), "--to", "mill",
                 "--item", "A-1=1", pin=False)
    assert result.exit_code == 0, result.output
    assert VERIFIED.search(result.output)
    assert "trusted the log key the server serves" in result.output
    assert run.service.log.signer.vkey() in result.output


def stranger_key(run: Run) -> str:
    return NoteSigner(run.service.log.origin, keys.generate()).vkey()


ERRORS: list[tuple[str, list[str], int, str]] = [
    ("over-the-quota", ["batch", "register", "--batch", "B-2", "--product", PADDY, "--lot", "L",
                        "--quantity", "300.6", "--harvested", "2026-10-01"],
     1, "HTTP 409 quota-exceeded [body.quantity]"),
    ("ships-what-it-does-not-hold", ["ship", "--shipment", "S-1", "--to", "mill", "--item", "A-1=1"],
     1, "HTTP 409 not-holder [body.items[0].quantity]"),
    ("item-without-quantity", ["ship", "--shipment", "S-1", "--to", "mill", "--item", "B-1"],
     2, "is not BATCH=QTY"),
    ("impossible-date", ["batch", "register", "--batch", "B-2", "--product", PADDY, "--lot", "L",
                         "--quantity", "1", "--harvested", "2026-13-01"], 2, "--harvested"),
    ("reject-without-reason", ["reject", "--shipment", "S-1"], 2, "--reason"),
]


@pytest.mark.parametrize(("args", "exit_code", "message"), [case[1:] for case in ERRORS],
                         ids=[case[0] for case in ERRORS])
def test_errors_are_one_clear_line_and_a_non_zero_exit(run: Run, args: list[str], exit_code: int,
                                                       message: str) -> None:
    size = run.service.log.size()
    result = run(run.world.coop_b, *args)
    assert result.exit_code == exit_code, result.output
    assert message in result.output and "Traceback" not in result.output
    assert run.service.log.size() == size


def test_a_server_whose_checkpoint_does_not_verify_is_not_trusted(run: Run) -> None:
    result = run.runner.invoke(cli, [
        "ship", "--url", run.url, "--key", str(run.key_file(run.world.coop_a)), "--org", "coop-a",
        "--log-key", stranger_key(run), "--shipment", run.shared.unique("S"), "--to", "mill",
        "--item", "A-1=1"])
    assert result.exit_code == 1
    assert "NOT VERIFIED (no-known-signature)" in result.output
    assert "Traceback" not in result.output


def test_an_unreachable_server_is_reported(run: Run) -> None:
    result = run.runner.invoke(cli, [
        "receive", "--url", "http://127.0.0.1:9", "--key", str(run.key_file(run.world.mill)),
        "--org", "mill", "--shipment", "S-1", "--timeout", "2"])
    assert result.exit_code == 1 and "cannot reach http://127.0.0.1:9" in result.output
    assert "Traceback" not in result.output


def test_a_key_file_that_is_not_a_key_is_reported(run: Run) -> None:
    bogus = run.tmp / "bogus.pem"
    bogus.write_text("not a key")
    result = run.runner.invoke(cli, ["recall", "--url", run.url, "--key", str(bogus), "--org",
                                     "cnipa", "--batch", "B-1", "--reason", "x"])
    assert result.exit_code == 1 and "bad-key" in result.output
    assert "Traceback" not in result.output


def test_submit_verifies_inclusion_and_refuses_an_unverifiable_server(run: Run) -> None:
    envelope = run.tmp / "envelope.json"
    envelope.write_text(json.dumps(run.world.coop_a.note(1).to_dict()))
    refused = run.runner.invoke(cli, ["submit", "--url", run.url, "--log-key", stranger_key(run),
                                      str(envelope)])
    assert refused.exit_code == 1 and "NOT VERIFIED" in refused.output
    again = run.tmp / "again.json"
    again.write_text(json.dumps(run.world.coop_a.note(2).to_dict()))
    result = run.runner.invoke(cli, ["submit", "--url", run.url, "--log-key",
                                     run.service.log.signer.vkey(), str(again)])
    assert result.exit_code == 0, result.output
    assert VERIFIED.search(result.output) and "warning" not in result.output
