"""The fixed words of gi-trace's EPCIS documents: JSON-LD contexts, CBV values, units.

CBV values are the bare words EPCIS 2.0 JSON-LD allows ("shipping", not
urn:epcglobal:cbv:bizstep:shipping). gi-trace's own fields live in the `gitrace:`
namespace, which EPCIS admits as a user extension.
"""

from __future__ import annotations

EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/epcis-context.jsonld"
NAMESPACE = "https://gi-trace.dev/ns/epcis/"
PREFIX = "gitrace"
CONTEXT: list[str | dict[str, str]] = [EPCIS_CONTEXT, {PREFIX: NAMESPACE}]
SCHEMA_VERSION = "2.0"
MEDIA_TYPE = "application/ld+json"

# The unit of a GI product (bodies.ProductRegister) → UN/ECE Recommendation 20 code. Units
# that count things (bottle, box, piece) have none: EPCIS reads a quantity without `uom`
# as a count of instances of the class.
UOM = {"kg": "KGM", "g": "GRM", "t": "TNE"}


def ext(name: str) -> str:
    """A gi-trace extension field name, e.g. `gitrace:seq`."""
    return f"{PREFIX}:{name}"
