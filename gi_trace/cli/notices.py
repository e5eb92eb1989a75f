"""`gi-trace notices send|answer|list`: takedown notices from the command line.

A regulator or the GI's association sends a platform a notice (a listing, a reason, evidence
and a deadline); the platform answers acknowledged, removed or disputed (with a reason). Each
signs one statement here (the evidence sealed as a confidential field) and returns once a
signed checkpoint includes it. A photo given as evidence is hashed here: only its SHA-256
goes to the log, never the photo.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import click

from gi_trace.cli.connect import report, with_client
from gi_trace.cli.errors import friendly
from gi_trace.client import Client
from gi_trace.client.protection_drafts import notice_answer, notice_send
from gi_trace.domain.bodies_protection import NOTICE_ANSWERS, NOTICE_REASONS
from gi_trace.domain.queries.notices import STATUSES


@click.group(help="Takedown notices to e-commerce platforms, and their answers.")
def notices() -> None:
    pass


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@notices.command(help="Send a platform a takedown notice (regulators and the association).")
@click.argument("notice")
@click.option("--platform", required=True, help="the platform's org id")
@click.option("--reason", required=True, type=click.Choice(NOTICE_REASONS))
@click.option("--deadline", required=True,
              help="when the listing must be down, RFC 3339 UTC, e.g. 2026-12-01T12:00:00Z")
@click.option("--listing", help="the listing check's id")
@click.option("--listing-url", help="the listing's address, when it was never checked "
                                           "(--url is the server's)")
@click.option("--detail", help="what the platform should know (public)")
@click.option("--report", "reports", multiple=True, help="a counterfeit report id; repeat")
@click.option("--listing-evidence", "listings", multiple=True,
              help="a listing check id as evidence; repeat")
@click.option("--anomaly", "anomalies", multiple=True, help="a scan anomaly, in words; repeat")
@click.option("--photo", "photos", multiple=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="a photo file: its SHA-256 is the evidence; repeat")
@friendly
@with_client
def send(client: Client, notice: str, platform: str, reason: str, deadline: str,
         listing: str | None, listing_url: str | None, detail: str | None, reports: tuple[str, ...],
         listings: tuple[str, ...], anomalies: tuple[str, ...], photos: tuple[Path, ...]) -> None:
    if listing is None and listing_url is None:
        raise click.UsageError("name the listing: --listing (a check id), --listing-url, or both")
    evidence = {kind: list(values) for kind, values in (
        ("reports", reports), ("listings", listings), ("anomalies", anomalies),
        ("photos", [_digest(photo) for photo in photos])) if values}
    report(client, [client.submit_draft(notice_send(
        notice, platform, reason, deadline, listing=listing, url=listing_url, detail=detail,
        evidence=evidence))])


@notices.command(help="Answer a notice sent to your platform: acknowledged, removed or disputed.")
@click.argument("notice")
@click.option("--status", required=True, type=click.Choice(NOTICE_ANSWERS))
@click.option("--reason", help="why (required to dispute)")
@friendly
@with_client
def answer(client: Client, notice: str, status: str, reason: str | None) -> None:
    if status == "disputed" and not reason:
        raise click.UsageError("a dispute gives its --reason")
    report(client, [client.submit_draft(notice_answer(notice, status, reason))])


@notices.command("list", help="Notices, one a line: id, platform, status, deadline, response "
                              "time; evidence where you may read it.")
@click.option("--platform", help="notices to this platform")
@click.option("--status", type=click.Choice(STATUSES))
@click.option("--overdue", is_flag=True, help="only those past their deadline, not settled")
@friendly
@with_client
def list_(client: Client, platform: str | None, status: str | None, overdue: bool) -> None:
    params = {"platform": platform, "status": status, "overdue": "true" if overdue else None,
              "limit": 500}
    after = None
    while True:
        query = {k: v for k, v in {**params, "after": after}.items() if v is not None}
        page = client.get("/v1/notices", params=query)
        for n in page["items"]:
            response = "-" if n["response_seconds"] is None else f"{n['response_seconds']} s"
            line = (f"{n['notice']}  {n['platform']}  {n['status']}  due {n['deadline']}  "
                    f"response {response}{'  OVERDUE' if n['overdue'] else ''}")
            if "evidence" in n:
                line += f"  evidence {n['evidence']}"
            click.echo(line)
        after = page["next"]
        if after is None:
            break


COMMANDS = [notices]
