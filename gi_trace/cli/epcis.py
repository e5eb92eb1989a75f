"""`gi-trace epcis export`: a batch's journey or a period's events as one EPCIS 2.0 document,
fetched from a server as your organisation (you get what the API lets you read)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from gi_trace.cli.connect import with_client
from gi_trace.cli.errors import friendly
from gi_trace.client import Client
from gi_trace.domain.queries.paging import MAX_LIMIT


@click.group(help="GS1 EPCIS 2.0 (JSON-LD) exports, for partners' and other regions' systems.")
def epcis() -> None:
    pass


def _period(client: Client, start: str, end: str | None) -> dict[str, Any]:
    """Every page of /v1/epcis/events, joined: a page shorter than the limit is the last."""
    params: dict[str, Any] = {"from": start, "limit": MAX_LIMIT, **({"to": end} if end else {})}
    document: dict[str, Any] = client.get("/v1/epcis/events", params=params)
    page = document["epcisBody"]["eventList"]
    while len(page) == MAX_LIMIT:
        after = page[-1]["gitrace:seq"]
        page = client.get("/v1/epcis/events", params={**params, "after": after})["epcisBody"]["eventList"]
        document["epcisBody"]["eventList"].extend(page)
    return document


@epcis.command("export", help="Export the journey of --batch (with its ancestors and descendants), "
                              "or the events signed from --from to --to, as EPCIS 2.0 JSON-LD.")
@click.option("--batch", help="a batch id: its journey")
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%d"]),
              help="start of a period (UTC), inclusive: 2026-10-01 or 2026-10-01T08:00:00Z")
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%d"]),
              help="end of the period (UTC), exclusive; default: no end")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default="-",
              show_default=True, help="the file to write, - for standard output")
@friendly
@with_client
def export(client: Client, batch: str | None, start: datetime | None, end: datetime | None,
           out: Path) -> None:
    if (batch is None) == (start is None):
        raise click.UsageError("give either --batch or --from")
    if batch is not None and end is not None:
        raise click.UsageError("--to goes with --from, not with --batch")
    if batch is not None:
        document = client.get(f"/v1/epcis/batches/{batch}")
    else:
        assert start is not None
        document = _period(client, f"{start:%Y-%m-%dT%H:%M:%S}Z",
                           f"{end:%Y-%m-%dT%H:%M:%S}Z" if end else None)
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    if str(out) == "-":
        click.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        click.echo(f"wrote {len(document['epcisBody']['eventList'])} events to {out}", err=True)


COMMANDS = [epcis]
