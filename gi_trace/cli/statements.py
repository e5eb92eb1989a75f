"""`gi-trace sign` and `gi-trace submit`: sign on the client, send to the server, and check
that the server really included what was sent."""

from __future__ import annotations

import json
from typing import Any, TextIO

import click
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from gi_trace.cli.connect import report, with_log_client
from gi_trace.cli.errors import friendly
from gi_trace.client import LogClient
from gi_trace.client.drafts import Draft
from gi_trace.domain.disclosure_policy import CONFIDENTIAL
from gi_trace.domain.label_commitment import ATTACHMENT as LABELS
from gi_trace.ledger import keys
from gi_trace.ledger.canonical import parse_json
from gi_trace.ledger.errors import MalformedError
from gi_trace.ledger.statement import FIELDS, VERSION, Envelope, parse_ts

STATEMENT_FIELDS = frozenset(FIELDS)
ATTACHMENTS = frozenset({LABELS})  # what may travel beside a statement in an envelope


def read_json(stream: TextIO) -> Any:
    return parse_json(stream.read())


def _envelope(data: Any, private: Ed25519PrivateKey) -> Envelope:
    """Sign the v2 statement `data` (type, actor, body in full; ts and nonce optional) with
    its confidential fields sealed as the disclosure policy says."""
    if not isinstance(data, dict):
        raise MalformedError("a statement is a JSON object", field="statement", code="wrong-type")
    unknown = sorted(set(data) - STATEMENT_FIELDS - {LABELS})
    if unknown:
        raise MalformedError(f"unknown field {unknown[0]!r} (a statement has type, actor, body "
                             "and optionally ts, nonce; a label.issue its labels beside them)",
                             field=unknown[0], code="unknown-field")
    for name, kind in (("type", str), ("actor", str), ("body", dict)):
        if not isinstance(data.get(name), kind):
            raise MalformedError(f"needs {name!r} ({kind.__name__})", field=f"statement.{name}",
                                 code="missing-field")
    if data.get("v", VERSION) != VERSION:
        raise MalformedError(f"only v{VERSION} statements are signed now", field="statement.v",
                             code="bad-version")
    if "key" in data and data["key"] != keys.private_key_id(private):
        raise MalformedError("statement.key is not the id of the signing key",
                             field="statement.key", code="wrong-key")
    if data["type"] not in CONFIDENTIAL:
        raise MalformedError(f"unknown statement type {data['type']!r}", field="statement.type",
                             code="unknown-type")
    if "_sd" in data["body"]:
        raise MalformedError("give the body in full: its confidential fields are sealed here",
                             field="statement.body._sd", code="already-sealed")
    ts = parse_ts(data["ts"]) if "ts" in data else None
    attachments = {LABELS: data[LABELS]} if LABELS in data else None
    return Draft(data["type"], data["body"], attachments).sign(
        data["actor"], private, ts=ts, nonce=data.get("nonce"))


@click.command(help="Sign a v2 statement with a private key and print the envelope. The file "
                    "holds type, actor and the body in full (ts and nonce are optional: now, and "
                    "random; a label.issue may carry its labels beside them); the fields the "
                    "disclosure policy makes confidential are sealed here, with fresh salts, and "
                    "their disclosures printed in the envelope.")
@click.option("--key", "key_path", type=click.Path(exists=True, dir_okay=False), required=True)
@click.argument("statement", type=click.File("r", encoding="utf-8"), default="-")
@friendly
def sign(key_path: str, statement: TextIO) -> None:
    envelope = _envelope(read_json(statement), keys.load_private_key(key_path))
    click.echo(json.dumps(envelope.to_dict(), ensure_ascii=False, indent=2))


@click.command(help="Submit one envelope, or a JSON list of up to 1,000 (all or nothing), to a "
                    "gi-trace server, and verify each one's inclusion in a signed checkpoint.")
@click.argument("envelope", type=click.File("r", encoding="utf-8"), default="-")
@friendly
@with_log_client
def submit(client: LogClient, envelope: TextIO) -> None:
    payload = read_json(envelope)
    items = payload if isinstance(payload, list) else [payload]
    envelopes = []
    for index, item in enumerate(items):
        try:
            envelopes.append(Envelope.from_dict(item, attachments=ATTACHMENTS))
        except MalformedError as e:
            raise (e.at(index) if isinstance(payload, list) else e) from None
    if not envelopes:
        raise MalformedError("an empty list has nothing to submit", code="batch-size")
    report(client, client.append(envelopes, many=isinstance(payload, list)), types=False)


COMMANDS = [sign, submit]
