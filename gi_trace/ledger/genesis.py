"""The regulators file: the self-signed `org.register` envelopes that open the log."""

from __future__ import annotations

import json
from pathlib import Path

from .canonical import parse_json
from .errors import MalformedError
from .identity import TrustRoots
from .statement import Envelope


def load_genesis(path: str | Path) -> list[Envelope]:
    """Read a JSON list of signed envelopes, refusing anything that is not a trust root."""
    try:
        data = parse_json(Path(path).read_bytes())
    except OSError as e:
        raise MalformedError(f"cannot read regulators file {path}: {e}", code="bad-genesis") from e
    if not isinstance(data, list) or not data:
        raise MalformedError(f"{path}: must be a non-empty JSON list of signed org.register "
                             "envelopes", code="bad-genesis")
    envelopes = [Envelope.from_dict(item) for item in data]
    TrustRoots.from_genesis(envelopes)
    return envelopes


def save_genesis(envelopes: list[Envelope], path: str | Path) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps([e.to_dict() for e in envelopes], ensure_ascii=False, indent=2)
                    + "\n", encoding="utf-8")
