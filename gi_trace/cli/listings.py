"""`gi-trace listings check FILE.csv`: a platform's sweep of its listings, signed here.

Each row (url, shop, seller_uscc, product, codes; an optional `check` id) becomes a
listing.check signed with the platform's key, sent in lists of up to 1,000 (one POST each,
appended whole or not at all); then the verdicts, judged by the server from the log as it
is now, are read back and printed one line per listing. The label codes a row shows
(separated by spaces) are sealed as confidential fields before they leave this machine.
"""

from __future__ import annotations

import csv
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TextIO

import click

from gi_trace.cli.connect import with_client
from gi_trace.cli.errors import friendly
from gi_trace.client import Client
from gi_trace.client.drafts import Draft
from gi_trace.client.intake import MAX_LIST
from gi_trace.client.protection_drafts import listing_check

REQUIRED = ("url", "product")
PAGE = 500


@dataclass(frozen=True)
class Row:
    check: str
    draft: Draft


def _cell(cells: dict[str, Any], name: str) -> str | None:
    value = (cells.get(name) or "").strip()
    return value or None


def read_rows(lines: Iterable[str], platform: str) -> list[Row]:
    """The sheet's rows as listing.check drafts; a UsageError names the first row at fault."""
    reader = csv.DictReader(lines)
    missing = [name for name in REQUIRED if name not in (reader.fieldnames or [])]
    if missing:
        raise click.UsageError(f"the CSV needs the columns {', '.join(REQUIRED)}; missing "
                               f"{', '.join(missing)}")
    rows = []
    for number, cells in enumerate(reader, start=2):  # line 1 is the header
        url, product = _cell(cells, "url"), _cell(cells, "product")
        if url is None or product is None:
            raise click.UsageError(f"line {number}: url and product are required")
        check = _cell(cells, "check") or f"lc-{secrets.token_hex(8)}"
        codes = (_cell(cells, "codes") or "").split()
        rows.append(Row(check, listing_check(check, platform, url, product, shop=_cell(cells, "shop"),
                                             seller_uscc=_cell(cells, "seller_uscc"), codes=codes)))
    if not rows:
        raise click.UsageError("the CSV has no rows")
    return rows


def _verdicts(client: Client, platform: str, since: str, wanted: set[str]) -> dict[str, Any]:
    """The listings checked since `since` on `platform` among `wanted`, by check id."""
    found: dict[str, Any] = {}
    params: dict[str, Any] = {"platform": platform, "since": since, "limit": PAGE}
    while True:
        page = client.get("/v1/listings", params=params)
        found.update((item["check"], item) for item in page["items"] if item["check"] in wanted)
        if page["next"] is None:
            return found
        params["after"] = page["next"]


def _line(item: dict[str, Any]) -> str:
    reasons = ",".join(dict.fromkeys(r["code"] for r in item["reasons"])) or "-"
    return f"{item['check']}  {item['verdict']}  {reasons}  {item['url']}"


def sweep(client: Client, platform: str, rows: Sequence[Row]) -> list[dict[str, Any]]:
    """Sign and send the rows list by list, then read their verdicts back in the rows' order."""
    since = (datetime.now(UTC) - timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M:%SZ")
    for start in range(0, len(rows), MAX_LIST):
        client.submit_many([row.draft for row in rows[start:start + MAX_LIST]])
    found = _verdicts(client, platform, since, {row.check for row in rows})
    return [found[row.check] for row in rows]


@click.group(help="Listing checks: a platform's sweep of its listings, judged by the log.")
def listings() -> None:
    pass


@listings.command(help="Sign a listing.check for each row of FILE.csv (columns url, shop, "
                       "seller_uscc, product, codes; optional check) and print the verdicts.")
@click.argument("sheet", type=click.File("r", encoding="utf-8-sig"))
@click.option("--platform", help="the platform the listings are on (default: --org, a platform "
                                 "checking its own)")
@friendly
@with_client
def check(client: Client, sheet: TextIO, platform: str | None) -> None:
    platform = platform or client.org
    items = sweep(client, platform, read_rows(sheet, platform))
    for item in items:
        click.echo(_line(item))
    infringing = sum(item["verdict"] != "ok" for item in items)
    click.echo(f"{len(items)} listings checked: {len(items) - infringing} ok, {infringing} infringing")


COMMANDS = [listings]
