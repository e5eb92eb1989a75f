"""The GS1-Conformant resolver's documents: its description and the RFC 9264 linksets.

gi-trace resolves its own GTINs (AI 01), with or without lot and serial: the
verdict page of a label, the product and lot pages, and where the journey and
the verdict are as JSON. Each GS1 link type maps to one target here, so the
linkset (`?linkType=all`), a redirect (`?linkType=gs1:pip`) and the description
cannot disagree. Pure functions of the Digital Link and the base URL; what the
database knows (the product, the batch) is passed in, and %-escaped in a target like
any value: a target may become a Location header.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from .digital_link import DigitalLink, path_segment

GS1_VOC = "https://gs1.org/voc/"
PIP, TRACEABILITY, VERIFICATION, DEFAULT_LINK = (
    GS1_VOC + name for name in ("pip", "traceability", "verificationService", "defaultLink"))
LINKSET_TYPE = "application/linkset+json"
EPCIS_TYPE = "application/ld+json"
HREFLANG = ["zh", "en"]
ALL = ("all", "linkset")  # linkType values that ask for the whole linkset
# Spellings of GS1's namespace seen in the wild: CURIE, https, http, and ref.gs1.org's.
_NAMESPACES = ("gs1:", GS1_VOC, "http://gs1.org/voc/", "https://ref.gs1.org/voc/")


@dataclass(frozen=True)
class Target:
    href: str
    type: str
    title: str
    title_zh: str

    def to_dict(self) -> dict[str, Any]:
        return {"href": self.href, "type": self.type, "hreflang": HREFLANG, "title": self.title,
                "title*": [{"value": self.title_zh, "language": "zh"}]}


def description(base_url: str) -> dict[str, Any]:
    """The resolver description file served at /.well-known/gs1resolver."""
    return {
        "name": "gi-trace: geographical-indication products and their special-sign labels",
        "resolverRoot": base_url.rstrip("/"),
        "supportedPrimaryKeys": ["01"],
        "supportedLinkType": [{"namespace": GS1_VOC, "prefix": "gs1:"}],
        "linkTypeDefaultCanBeLinkset": False,
        "supportedContextValuesEnumerated": [],
    }


def anchor(link: DigitalLink, base_url: str) -> str:
    """The canonical Digital Link of the item: GTIN-14, no query."""
    return DigitalLink(gtin=link.gtin, lot=link.lot, serial=link.serial).uri(base_url)


def _targets(link: DigitalLink, base_url: str, product: str | None,
             batch: str | None) -> dict[str, list[Target]]:
    base = base_url.rstrip("/")
    page = DigitalLink(gtin=link.gtin, lot=link.lot, serial=link.serial, sig=link.sig).uri(base)
    if link.serial is not None:
        pip = Target(page, "text/html", "Scan verdict: is this label genuine?", "扫码验证：此标识是否为真")
        check = Target(page, "application/json", "Scan verdict with its offline proof (JSON)",
                       "扫码验证结果及离线证明（JSON）")
    elif link.lot is not None:
        pip = Target(page, "text/html", "The lot: producer, harvest, recall", "批次：生产者、收获、召回")
        check = Target(page, "application/json", "The lot's public facts (JSON)", "批次公开信息（JSON）")
    else:
        pip = Target(page, "text/html", "The GI product and its approved producers",
                     "地理标志产品及获准生产者")
        check = Target(page, "application/json", "The GI product and its approved producers (JSON)",
                       "地理标志产品及获准生产者（JSON）")
    journey: list[Target] = []
    if batch is not None:
        journey = [Target(f"{base}/v1/epcis/batches/{path_segment(batch)}", EPCIS_TYPE,
                          "The batch's journey as EPCIS 2.0 events (for its parties)",
                          "批次流转记录（EPCIS 2.0，供相关方查看）"),
                   Target(f"{base}/v1/batches/{path_segment(batch)}", "application/json",
                          "The batch's journey (for its parties)", "批次流转记录（供相关方查看）")]
    elif product is not None:
        journey = [Target(f"{base}/v1/batches?product={quote(product, safe='')}", "application/json",
                          "The product's batches (for their parties)", "产品的批次（供相关方查看）")]
    targets = {PIP: [pip], VERIFICATION: [check], DEFAULT_LINK: [pip]}
    if journey:
        targets[TRACEABILITY] = journey
    return targets


def linkset(link: DigitalLink, base_url: str, *, product: str | None = None,
            batch: str | None = None) -> dict[str, Any]:
    """The RFC 9264 linkset (application/linkset+json) of a GTIN, GTIN + lot or label.

    `batch` (the label's batch, or the lot's) and else `product` give the traceability
    link; with neither there is none. The verdict page keeps the label's `s`."""
    entry: dict[str, Any] = {"anchor": anchor(link, base_url)}
    for relation, targets in _targets(link, base_url, product, batch).items():
        entry[relation] = [target.to_dict() for target in targets]
    return {"linkset": [entry]}


def link_relation(link_type: str) -> str | None:
    """`gs1:pip`, `https://gs1.org/voc/pip`, … as the relation URI; None if not GS1's."""
    for namespace in _NAMESPACES:
        if link_type.startswith(namespace) and len(link_type) > len(namespace):
            return GS1_VOC + link_type[len(namespace):]
    return None


def redirect_for(link: DigitalLink, link_type: str, base_url: str, *, product: str | None = None,
                 batch: str | None = None) -> str | None:
    """Where `?linkType=<link_type>` goes: the first target of that relation. None when this
    resolver has no such link (the caller then answers with the default, the page itself) or
    when the whole linkset is asked for (`all`, `linkset`)."""
    relation = link_relation(link_type)
    if relation is None:
        return None
    targets = _targets(link, base_url, product, batch).get(relation)
    return targets[0].href if targets else None
