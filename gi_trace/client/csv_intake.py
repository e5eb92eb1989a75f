"""A cooperative's harvests as a CSV sheet, one batch.register a row.

    batch,product,lot,quantity,harvested,plot,lat,lon,plot_region,village_zh,village_en
    minle-2026-001,wuchang-rice-paddy,MINLE2026A,1200.5,2026-09-28,Plot 3,44.90,127.14,230184,红光村,Hongguang

`batch`, `lot`, `quantity` and `harvested` are required, `product` too unless a default is
given; the rest may be left empty. Quantities stay the exact text of the cell. UTF-8, with or
without the byte-order mark a spreadsheet writes. Rows are numbered as the file's lines
(the header is line 1), which is what a spreadsheet shows beside them.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass

from . import drafts
from .intake import Refusal, Row

REQUIRED = ("batch", "product", "lot", "quantity", "harvested")
OPTIONAL = ("plot", "lat", "lon", "plot_region", "village_zh", "village_en")
COLUMNS = REQUIRED + OPTIONAL

# A statement field → the column it came from, so a refusal names what the user typed.
_FIELD_COLUMNS = {"body.batch": "batch", "body.product": "product", "body.lot": "lot",
                  "body.quantity": "quantity", "body.harvested": "harvested",
                  "body.origin.plot": "plot", "body.origin.lat": "lat", "body.origin.lon": "lon",
                  "body.origin.region": "plot_region", "body.village.zh": "village_zh",
                  "body.village.en": "village_en", "body.village": "village_zh",
                  "body.origin": "plot"}


class SheetError(ValueError):
    """The sheet as a whole cannot be read (no header, unknown columns)."""


@dataclass(frozen=True)
class Sheet:
    rows: list[Row]
    refused: list[Refusal]  # rows that cannot even be made into a statement


def column(field: str | None) -> str | None:
    """The CSV column a refusal's statement field names (unchanged when not a column's)."""
    return _FIELD_COLUMNS.get(field, field) if field else field


def read_sheet(lines: Iterable[str], *, product: str | None = None) -> Sheet:
    reader = csv.DictReader(lines)
    header = [name.strip() for name in reader.fieldnames or []]
    if not header:
        raise SheetError("the sheet is empty: its first line must name the columns, e.g. "
                         + ",".join(COLUMNS))
    unknown = [name for name in header if name not in COLUMNS]
    if unknown:
        raise SheetError(f"unknown column {unknown[0]!r}; the columns are {', '.join(COLUMNS)}")
    needed = [name for name in REQUIRED if name not in header
              and not (name == "product" and product)]
    if needed:
        raise SheetError(f"missing column {needed[0]!r} (required: {', '.join(REQUIRED)})")
    reader.fieldnames = header
    rows: list[Row] = []
    refused: list[Refusal] = []
    for record in reader:
        number = reader.line_num
        cells = {name: (value or "").strip() for name, value in record.items() if name is not None}
        if None in record:
            refused.append(Refusal(number, "bad-row", None,
                                   f"more cells than the {len(header)} columns"))
        elif any(cells.values()):
            made = _row(number, cells, product)
            if isinstance(made, Row):
                rows.append(made)
            else:
                refused.append(made)
    return Sheet(rows, refused)


def _row(number: int, cells: dict[str, str], product: str | None) -> Row | Refusal:
    missing = [name for name in REQUIRED if not (cells.get(name) or (name == "product" and product))]
    if missing:
        return Refusal(number, "missing-value", missing[0], "required")
    zh, en = cells.get("village_zh"), cells.get("village_en")
    if bool(zh) != bool(en):
        return Refusal(number, "missing-value", "village_en" if zh else "village_zh",
                       "a village is named in Chinese and English, or not at all")
    return Row(number, drafts.batch_register(
        cells["batch"], cells.get("product") or str(product), cells["lot"], cells["quantity"],
        cells["harvested"], plot=cells.get("plot") or None, lat=cells.get("lat") or None,
        lon=cells.get("lon") or None, plot_region=cells.get("plot_region") or None,
        village={"zh": zh, "en": en} if zh and en else None))
