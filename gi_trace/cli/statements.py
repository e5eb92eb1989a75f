"""`gi-trace sign` and `gi-trace submit`: sign on the client, send to the server."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, TextIO

import click

from gi_trace.cli.errors import friendly
from gi_trace.cli.http import post_json
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


@click.command(help="Submit one envelope, or a JSON list of up to 1,000, to a gi-trace server.")
@click.option("--url", required=True, help="the server's base URL, e.g. http://127.0.0.1:8000")
@click.argument("envelope", type=click.File("r", encoding="utf-8"), default="-")
@friendly
def submit(url: str, envelope: TextIO) -> None:
    payload = read_json(envelope)
    if isinstance(payload, list):
        for index, item in enumerate(payload):
            try:
                Envelope.from_dict(item)
            except MalformedError as e:
                raise e.at(index) from None
    else:
        Envelope.from_dict(payload)
    result = post_json(url.rstrip("/") + "/v1/statements", payload)
    for entry in result if isinstance(result, list) else [result]:
        click.echo(f"seq {entry['seq']}  leaf {entry['leaf_hash']}")


COMMANDS = [sign, submit]
