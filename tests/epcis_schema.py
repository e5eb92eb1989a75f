"""GS1's EPCIS 2.0 JSON schema (shared/vectors/epcis) as a validator that never goes online.

Formats are checked too: `uri` and `date-time` need rfc3986-validator and
rfc3339-validator (dev extra); without them jsonschema would skip those checks
silently, so the validator refuses to start.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator, FormatChecker
from referencing import Registry

from tests.vectors import vectors_dir


def epcis_dir() -> Path:
    return vectors_dir() / "epcis"


@functools.cache
def validator() -> Draft7Validator:
    schema = json.loads((epcis_dir() / "EPCIS-JSON-Schema.json").read_text(encoding="utf-8"))
    Draft7Validator.check_schema(schema)
    checker = FormatChecker()
    unchecked = {"uri", "date-time"} - set(checker.checkers)
    assert not unchecked, f"formats {unchecked} would go unchecked: pip install -e '.[dev]'"
    # An empty registry: a $ref to anything outside the schema fails instead of being fetched.
    return Draft7Validator(schema, format_checker=checker, registry=Registry())


def schema_errors(document: Any) -> list[str]:
    """Every violation, as "path: message"; empty when the document is valid."""
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator().iter_errors(document)]
