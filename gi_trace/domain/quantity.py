"""Exact decimal quantities: the wire form is a decimal string, arithmetic is `Decimal`."""

from __future__ import annotations

import re
from decimal import Decimal

QUANTITY_PATTERN = re.compile(r"^(0|[1-9][0-9]{0,14})(\.[0-9]{1,6})?$")


def parse_quantity(text: str) -> Decimal:
    return Decimal(text)


def format_quantity(value: Decimal) -> str:
    """Canonical text: no exponent, no trailing zeros ("1200.50" → "1200.5", "3.000" → "3")."""
    text = format(value.normalize(), "f")
    return text if text != "-0" else "0"
