"""`gi-trace labels issue | void | sell`: the special signs, signed on the issuer's machine.

`issue` makes fresh serials, signs each label with --key (the key never leaves
this machine), appends one label.issue statement per 10,000 labels -- each commits to
its labels by a Merkle root, and the labels travel beside it, never into the public
log -- verifies their inclusion and only then writes the print-ready sheet: a label
that is not in the log would scan as INVALID, so it is never printed. Beside the sheet goes
a CSV of each label's serial and Digital Link URI, for variable-data printers that print
their own QR codes.

`void` and `sell` send their serials as confidential fields (sealed on this machine by
the disclosure policy): the log shows only their digests.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TextIO

import click

from gi_trace.cli.connect import report, with_client
from gi_trace.cli.errors import friendly
from gi_trace.client import Client, Receipt
from gi_trace.client.drafts import Draft, label_issue
from gi_trace.domain.bodies import MAX_LABELS
from gi_trace.labels import issuing
from gi_trace.labels.issuing import DEFAULT_PER_STATEMENT, Label, new_labels
from gi_trace.labels.printing import SignText, sheet_labels
from gi_trace.labels.sheet import SheetLabel, write_sheet

# Labels sent in one POST: ≈ 125 bytes a label beside its statement, so ≈ 5 MB a request,
# under the server's 8 MB default (GI_TRACE_MAX_REQUEST_BYTES).
LABELS_PER_POST = 40_000


@click.group(help="Issue, void and sell special-sign labels (the QR codes on GI packages).")
def labels() -> None:
    pass


def _sign_text(client: Client, product: dict[str, Any]) -> SignText:
    issuer = client.get(f"/v1/orgs/{client.org}", auth=False)
    return SignText(product["name"]["zh"], product["name"]["en"], issuer["name"]["zh"],
                    issuer["name"]["en"], issuer.get("uscc"))


def _pack(product: dict[str, Any], pack: str) -> str:
    """The pack as given, if the product declares it (the server judges when the read does
    not say which packs it has)."""
    try:
        wanted = Decimal(pack)
    except InvalidOperation:
        raise click.BadParameter(f"{pack!r} is not a decimal quantity", param_hint="--pack") from None
    declared = product.get("packs")
    if declared is not None and wanted not in {Decimal(str(p)) for p in declared}:
        raise click.BadParameter(
            f"{product['product']} declares packs of {', '.join(map(str, declared))} "
            f"{product.get('unit', '')}".rstrip(), param_hint="--pack")
    return pack


def _posts(drafts: Sequence[Draft]) -> list[list[Draft]]:
    """The drafts grouped into requests of at most LABELS_PER_POST labels (one at least)."""
    posts: list[list[Draft]] = []
    size = LABELS_PER_POST
    for draft in drafts:
        count = draft.body["count"]
        if size + count > LABELS_PER_POST:
            posts.append([])
            size = 0
        posts[-1].append(draft)
        size += count
    return posts


def _issue(client: Client, batch: str, pack: str, issued: Sequence[Label], size: int) -> list[Receipt]:
    drafts = [label_issue(batch, group[0].gtin, pack, group)
              for group in issuing.per_statement(issued, size)]
    receipts: list[Receipt] = []
    with click.progressbar(length=len(issued), label="appending label.issue statements",
                           file=sys.stderr) as bar:
        for post in _posts(drafts):
            receipts.extend(client.submit_many(post) if len(post) > 1
                            else [client.submit_draft(post[0])])
            bar.update(sum(d.body["count"] for d in post))
    return receipts


def _listed(labels: Iterable[SheetLabel], sink: TextIO) -> Iterator[SheetLabel]:
    """The labels on their way to the sheet, each one's serial and URI written to the CSV as it
    passes (the sheet streams, and so does its list)."""
    writer = csv.writer(sink, lineterminator="\n")
    writer.writerow(["serial", "uri"])
    for label in labels:
        writer.writerow([label.serial, label.uri])
        yield label


def _new_file(path: Path, option: str) -> None:
    if path.exists():
        raise click.ClickException(f"{path} exists; choose another {option} (labels are never "
                                   "overwritten: an old sheet may still be in use)")


@labels.command("issue", help="Issue COUNT new labels, each covering one PACK of a batch you hold "
                              "and are approved to label, and write them to a print-ready PDF "
                              "sheet (A4, 3 × 8 labels a page) and a CSV of serial,uri beside it "
                              "for variable-data printers. Up to 10,000 labels go in one "
                              "statement.")
@click.option("--batch", required=True, help="the batch the labels go on")
@click.option("--pack", required=True,
              help="net quantity one label covers, one of the product's packs, e.g. 5 (kg)")
@click.option("--count", type=click.IntRange(1, 1_000_000), required=True, help="how many labels")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="the PDF sheet to write (refused if it exists)")
@click.option("--csv", "csv_out", type=click.Path(dir_okay=False, path_type=Path),
              help="the CSV of serial,uri to write (default: --out with .csv; refused if it exists)")
@click.option("--gtin", help="the GTIN printed (default: the product's first)")
@click.option("--per-statement", type=click.IntRange(1, MAX_LABELS), default=DEFAULT_PER_STATEMENT,
              show_default=True, help="labels per label.issue statement")
@friendly
@with_client
def issue(client: Client, batch: str, pack: str, count: int, out: Path, csv_out: Path | None,
          gtin: str | None, per_statement: int) -> None:
    listing = csv_out or out.with_suffix(".csv")
    if listing == out:
        raise click.BadParameter("the CSV would overwrite the sheet", param_hint="--csv")
    _new_file(out, "--out")
    _new_file(listing, "--csv")
    found = client.get(f"/v1/batches/{batch}")
    product = client.get(f"/v1/products/{found['product']}", auth=False)
    pack = _pack(product, pack)
    gtins = list(product["gtins"])
    gtin = gtin or gtins[0]
    if gtin not in gtins:
        raise click.ClickException(f"GTIN {gtin} is not one of {found['product']}'s: {', '.join(gtins)}")
    text = _sign_text(client, product)
    made = new_labels(client.private_key, gtin, found["lot"], count)
    receipts = _issue(client, batch, pack, made, per_statement)
    report(client, receipts, types=False)
    # The Digital Link base the server resolves, which may differ from the URL used to reach it.
    base_url = client.get("/.well-known/gs1resolver", auth=False)["resolverRoot"]
    with out.open("xb") as sink, listing.open("x", encoding="utf-8", newline="") as rows:
        pages = write_sheet(_listed(sheet_labels(made, base_url, text), rows), sink)
    statements = "1 statement" if len(receipts) == 1 else f"{len(receipts)} statements"
    click.echo(f"{count} labels of {pack} for batch {batch} (lot {found['lot']}, GTIN {gtin}) in "
               f"{statements}; sheet {out}: {pages} pages")
    click.echo(f"serials and URIs for variable-data printers: {listing}")


@labels.command("void", help="Void labels you issued (misprinted, damaged, destroyed). The serials "
                             "and reason are sent as confidential fields.")
@click.option("--serial", "serials", multiple=True, required=True, help="a serial; repeat for each")
@click.option("--reason", help="why, e.g. misprinted")
@friendly
@with_client
def void(client: Client, serials: tuple[str, ...], reason: str | None) -> None:
    report(client, [client.void_labels(list(serials), reason)])


@labels.command("sell", help="Record the sale of labelled packages you hold. The serials are sent "
                             "as confidential fields.")
@click.option("--serial", "serials", multiple=True, required=True, help="a serial; repeat for each")
@friendly
@with_client
def sell(client: Client, serials: tuple[str, ...]) -> None:
    report(client, [client.sell_labels(list(serials))])


COMMANDS = [labels]
