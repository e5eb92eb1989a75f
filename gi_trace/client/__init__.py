"""gi_trace.client: a Python client that signs locally and verifies what the log answers.

Standard library HTTP only (urllib); the private key never leaves the process.
"""

from __future__ import annotations

from .client import Client
from .drafts import Draft
from .errors import (
    ClientError,
    ProblemError,
    SetupError,
    StatementError,
    TransportError,
    VerificationError,
)
from .log import LogClient, Receipt, SignedCheckpoint

__all__ = [
    "Client",
    "ClientError",
    "Draft",
    "LogClient",
    "ProblemError",
    "Receipt",
    "SetupError",
    "SignedCheckpoint",
    "StatementError",
    "TransportError",
    "VerificationError",
]
