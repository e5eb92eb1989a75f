"""Where the published test vectors live, so every test finds them the same way."""

from __future__ import annotations

import os
from pathlib import Path


def vectors_dir() -> Path:
    """shared/vectors beside the checkout; ``$GI_TRACE_VECTORS`` overrides it."""
    override = os.environ.get("GI_TRACE_VECTORS")
    if override:
        return Path(override).expanduser().resolve()
    return Path(__file__).resolve().parents[2] / "shared" / "vectors"
