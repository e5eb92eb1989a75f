"""The JSON Schema (2020-12, as OpenAPI 3.1 uses it) of a scan verdict: the contract phone apps
and other verifiers are written against, published in the OpenAPI document of the scan route.

`additionalProperties: false` on the parts that carry a label's facts is deliberate: a
field that appears there unannounced (a quantity, a plot, a shipment id) is a leak, and
the tests validate every verdict against this schema.
"""

from __future__ import annotations

from typing import Any

_NAME: dict[str, Any] = {"type": ["object", "null"], "required": ["zh", "en"],
                         "properties": {"zh": {"type": "string"}, "en": {"type": "string"}},
                         "additionalProperties": False}
_TEXT: dict[str, Any] = {"type": "object", "required": ["zh", "en"],
                         "properties": {"zh": {"type": "string"}, "en": {"type": "string"}}}
_HEX32 = {"type": "string", "pattern": "^[0-9a-f]{64}$"}
_DATE = {"type": ["string", "null"]}


def _object(properties: dict[str, Any], *, nullable: bool = False, closed: bool = True) -> dict[str, Any]:
    return {"type": ["object", "null"] if nullable else "object", "required": sorted(properties),
            "properties": properties, "additionalProperties": not closed}


_STEP_DETAIL = {"type": "object", "additionalProperties": False, "properties": {
    "lot": {"type": "string"}, "harvested": _DATE, "village": _NAME, "process": {"type": "string"},
    "to": {"type": "string"}, "to_name": _NAME, "received": _DATE, "reason": {"type": "string"},
    "gtin": {"type": "string"}}}

VERDICT_SCHEMA: dict[str, Any] = {
    "title": "Scan verdict",
    "description": (
        "GENUINE; RECALLED (red: do not eat or sell); WARNING (suspended producer, sold already, or "
        "scanned in a pattern that suggests a copied code); INVALID (unknown, altered, bad "
        "signature — then nothing else is said about the label — or voided). Parts other than "
        "`verdict`, `link`, `reasons` and `checked` are null or empty when the code is not a label "
        "that was issued as printed."),
    **_object({
        "verdict": {"enum": ["GENUINE", "RECALLED", "WARNING", "INVALID"]},
        "link": _object({"gtin": {"type": ["string", "null"]}, "lot": {"type": ["string", "null"]},
                         "serial": {"type": ["string", "null"]}, "s": {"type": ["string", "null"]},
                         "uri": {"type": "string"}}),
        "reasons": {"type": "array", "items": _object({
            "code": {"enum": ["unknown-label", "gtin-mismatch", "lot-mismatch", "signature-missing",
                              "bad-signature", "voided", "recalled", "producer-suspended", "sold",
                              "scanned-after-sale", "scanned-too-often", "far-apart"]},
            "text": _TEXT, "advice": _TEXT})},
        "label": _object({"status": {"enum": ["issued", "sold", "void"]}, "issued": {"type": "string"},
                          "sold": _DATE, "voided": _DATE,
                          "pack": {"type": ["string", "null"],
                                   "description": "the net quantity the label covers, in the "
                                                  "product's unit (v2)"}}, nullable=True),
        "product": _object({"product": {"type": "string"}, "name": _NAME,
                            "region": {"type": "object"}, "unit": {"type": "string"}}, nullable=True),
        "producer": {**_object({"org": {"type": "string"}, "name": _NAME,
                                "uscc": {"type": ["string", "null"]},
                                "region": {"type": ["string", "null"]}}, nullable=True),
                     "description": "the special-sign user who issued the label"},
        "batch": {**_object({"batch": {"type": "string"}, "lot": {"type": "string"},
                             "harvested": _DATE, "recalled": {"type": "boolean"},
                             "recall_reason": {"type": ["string", "null"]}}, nullable=True),
                  "description": "the batch the label was issued for; `harvested` is the earliest "
                                 "harvest it descends from"},
        "harvests": {"type": "array", "items": _object({
            "batch": {"type": "string"}, "lot": {"type": "string"}, "producer": {"type": "string"},
            "producer_name": _NAME, "harvested": _DATE, "village": _NAME})},
        "retailer": {**_object({"org": {"type": "string"}, "name": _NAME}, nullable=True),
                     "description": "the shop that sold the label, or that holds all its goods"},
        "journey": {"type": "array", "description": "the label's own lineage, oldest first",
                    "items": _object({"seq": {"type": "integer"}, "ts": {"type": "string"},
                                      "type": {"type": "string"}, "batch": {"type": "string"},
                                      "actor": {"type": "string"}, "actor_name": _NAME,
                                      "detail": _STEP_DETAIL})},
        "scans": _object({"count": {"type": "integer"}, "first": _DATE,
                          "token": {"type": ["string", "null"]}}, nullable=True),
        "proof": {**_object({
            "seq": {"type": "integer"},
            "statement": {"type": ["string", "null"],
                          "description": "the label.issue statement as signed, base64url (null for a "
                                         "v1 issue, whose statement lists other labels)"},
            "signature": {"type": ["string", "null"]},
            "key": _object({"id": {"type": "string"}, "pub": {"type": "string"}}),
            "label": {**_object({"serial": {"type": "string"}, "sig": {"type": "string"},
                                 "index": {"type": "integer"},
                                 "hashes": {"type": "array", "items": _HEX32}}, nullable=True),
                      "description": "this label's leaf JCS({serial, sig}), its index and RFC 9162 "
                                     "path (bottom-up) to the statement's labels_root"},
            "leaf_hash": _HEX32,
            "inclusion": _object({"tree_size": {"type": "integer"},
                                  "hashes": {"type": "array", "items": _HEX32}, "root": _HEX32}),
            "checkpoint": {"type": "string", "description": "the signed checkpoint (C2SP signed note)"},
            "operator_key": {"type": "string"},
            "witnesses": {"type": "integer"}}, nullable=True),
            "description": "the offline proof: label leaf → labels_root → log entry → checkpoint"},
        "checked": {"type": "array", "items": {"type": "string"}},
    }),
}
