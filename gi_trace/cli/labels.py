"""`gi-trace labels issue | void | sell`: the special signs, signed on the producer's machine.

`issue` makes fresh serials, signs each label with --key (the key never leaves
this machine), appends the label.issue statements, verifies their inclusion and
only then writes the print-ready sheet: a label that is not in the log would scan
as INVALID, so it is never printed.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from gi_trace.cli.connect import report, with_client
from gi_trace.cli.errors import friendly
from gi_trace.client import Client, Receipt
from gi_trace.client.drafts import label_issue
from gi_trace.domain.bodies import MAX_LABELS
from gi_trace.labels import issuing
from gi_trace.labels.issuing import DEFAULT_PER_STATEMENT, Label, new_labels
from gi_trace.labels.printing import SignText, sheet_labels
from gi_trace.labels.sheet import write_sheet

STATEMENTS_PER_POST = 40  # ≈ 1 MB a request at 200 labels a statement


@click.group(help="Issue, void and sell special-sign labels (the QR codes on GI packages).")
def labels() -> None:
    pass


def _sign_text(client: Client, batch: dict[str, Any]) -> tuple[SignText, list[str]]:
    product = client.get(f"/v1/products/{batch['product']}", auth=False)
    producer = client.get(f"/v1/orgs/{client.org}", auth=False)
    text = SignText(product["name"]["zh"], product["name"]["en"], producer["name"]["zh"],
                    producer["name"]["en"], producer.get("uscc"))
    return text, list(product["gtins"])


def _issue(client: Client, batch: str, issued: Sequence[Label], size: int) -> list[Receipt]:
    drafts = [label_issue(batch, group[0].gtin, [x.serial for x in group], [x.sig for x in group])
              for group in issuing.per_statement(issued, size)]
    receipts: list[Receipt] = []
    with click.progressbar(length=len(issued), label="appending label.issue statements",
                           file=sys.stderr) as bar:
        for start in range(0, len(drafts), STATEMENTS_PER_POST):
            group = drafts[start:start + STATEMENTS_PER_POST]
            receipts.extend(client.submit_many(group))
            bar.update(sum(len(d.body["serials"]) for d in group))
    return receipts


@labels.command("issue", help="Issue COUNT new labels for a batch you produced and write them to a "
                              "print-ready PDF sheet (A4, 3 × 8 labels a page).")
@click.option("--batch", required=True, help="the batch the labels go on")
@click.option("--count", type=click.IntRange(1, 1_000_000), required=True, help="how many labels")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="the PDF sheet to write (refused if it exists)")
@click.option("--gtin", help="the GTIN printed (default: the product's first)")
@click.option("--per-statement", type=click.IntRange(1, MAX_LABELS), default=DEFAULT_PER_STATEMENT,
              show_default=True, help="labels per label.issue statement")
@friendly
@with_client
def issue(client: Client, batch: str, count: int, out: Path, gtin: str | None,
          per_statement: int) -> None:
    if out.exists():
        raise click.ClickException(f"{out} exists; choose another --out (labels are never "
                                   "overwritten: an old sheet may still be in use)")
    found = client.get(f"/v1/batches/{batch}")
    text, gtins = _sign_text(client, found)
    gtin = gtin or gtins[0]
    if gtin not in gtins:
        raise click.ClickException(f"GTIN {gtin} is not one of {found['product']}'s: {', '.join(gtins)}")
    made = new_labels(client.private_key, gtin, found["lot"], count)
    receipts = _issue(client, batch, made, per_statement)
    report(client, receipts[-1:], types=False)
    # The Digital Link base the server resolves, which may differ from the URL used to reach it.
    base_url = client.get("/.well-known/gs1resolver", auth=False)["resolverRoot"]
    with out.open("xb") as sink:
        pages = write_sheet(sheet_labels(made, base_url, text), sink)
    click.echo(f"{count} labels for batch {batch} (lot {found['lot']}, GTIN {gtin}) in "
               f"{len(receipts)} statements; sheet {out}: {pages} pages")


@labels.command("void", help="Void labels you issued (misprinted, damaged, destroyed).")
@click.option("--serial", "serials", multiple=True, required=True, help="a serial; repeat for each")
@click.option("--reason", help="why, e.g. misprinted")
@friendly
@with_client
def void(client: Client, serials: tuple[str, ...], reason: str | None) -> None:
    report(client, [client.void_labels(list(serials), reason)])


@labels.command("sell", help="Record the sale of labelled packages you hold.")
@click.option("--serial", "serials", multiple=True, required=True, help="a serial; repeat for each")
@friendly
@with_client
def sell(client: Client, serials: tuple[str, ...]) -> None:
    report(client, [client.sell_labels(list(serials))])


COMMANDS = [labels]
