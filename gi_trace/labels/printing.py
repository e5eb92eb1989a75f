"""What goes on a printed special sign beside its QR, from a label and its issuer: the GI
product's name, the producer and its unified social credit code, as the sign rules ask."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol

from gi_trace.labels.digital_link import label_link
from gi_trace.labels.sheet import SheetLabel


class Printable(Protocol):
    @property
    def gtin(self) -> str: ...
    @property
    def lot(self) -> str: ...
    @property
    def serial(self) -> str: ...
    @property
    def sig(self) -> str: ...


@dataclass(frozen=True)
class SignText:
    product_zh: str
    product_en: str
    producer_zh: str
    producer_en: str
    uscc: str | None


def sheet_labels(labels: Iterable[Printable], base_url: str, text: SignText) -> Iterator[SheetLabel]:
    for label in labels:
        yield SheetLabel(uri=label_link(base_url, label.gtin, label.lot, label.serial, label.sig),
                         serial=label.serial, lot=label.lot, product_zh=text.product_zh,
                         product_en=text.product_en, producer_zh=text.producer_zh,
                         producer_en=text.producer_en, uscc=text.uscc)
