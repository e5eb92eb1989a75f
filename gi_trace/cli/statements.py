"""`gi-trace sign` and `gi-trace submit`: sign on the client, send to the server, and check
that the server really included what was sent."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, TextIO

import click

from gi_trace.cli.connect import report, with_log_client
from gi_trace.cli.errors import friendly
from gi_trace.client import LogClient
from gi_trace.ledger import keys
from gi_trace.ledger.canonical import parse_json
from gi_trace.ledger.errors import MalformedError
from gi_trace.ledger.statement import VERSION, Envelope, format_ts, new_nonce
from gi_trace.ledger.statement import sign as sign_statement


def read_json(stream: TextIO) -> Any:
    return parse_json(stream.read())


@click.command(help="Sign a statement with a private key and print the envelope. The statement "
                    "needs type, actor and body; v, key, ts (now) and nonce (random) are filled in.")
@click.option("--key", "key_path", type=click.Path(exists=True, dir_okay=False), required=True)
@click.argument("statement", type=click.File("r", encoding="utf-8"), default="-")
@friendly
def sign(key_path: str, statement: TextIO) -> None:
    data = read_json(statement)
    if not isinstance(data, dict):
        raise MalformedError("a statement is a JSON object", field="statement", code="wrong-type")
    private = keys.load_private_key(key_path)
    defaults = {"v": VERSION, "key": keys.private_key_id(private),
                "ts": format_ts(datetime.now(UTC)), "nonce": new_nonce()}
    envelope = sign_statement({**defaults, **data}, private)
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
            envelopes.append(Envelope.from_dict(item))
        except MalformedError as e:
            raise (e.at(index) if isinstance(payload, list) else e) from None
    if not envelopes:
        raise MalformedError("an empty list has nothing to submit", code="batch-size")
    report(client, client.append(envelopes, many=isinstance(payload, list)), types=False)


COMMANDS = [sign, submit]
