"""The auth endpoints' bodies; their descriptions are the protocol's documentation."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from gi_trace.domain.full_match import FullMatch
from gi_trace.ledger.statement import ID_PATTERN, KEY_ID_PATTERN

from .seal import MAX_SEALED


class ChallengeRequestSchema(Schema):
    org = fields.String(required=True, validate=FullMatch(ID_PATTERN.pattern),
                        metadata={"description": "the organisation's id"})
    key = fields.String(required=True, validate=FullMatch(KEY_ID_PATTERN.pattern),
                        metadata={"description": "key id: hex SHA-256 of the raw public key"})


class ChallengeSchema(Schema):
    challenge = fields.String(required=True, metadata={
        "description": 'sign b"gi-trace/v1/auth\\n" + challenge (UTF-8) with the key'})
    expires = fields.String(required=True, metadata={"description": "RFC 3339 UTC"})


class TokenRequestSchema(Schema):
    challenge = fields.String(required=True, validate=validate.Length(1, MAX_SEALED),
                              metadata={"description": "as returned by /v1/auth/challenge"})
    signature = fields.String(required=True, validate=validate.Length(1, 200), metadata={
        "description": 'base64url Ed25519 signature over b"gi-trace/v1/auth\\n" + challenge'})


class TokenSchema(Schema):
    token = fields.String(required=True, metadata={"description": "send as Authorization: Bearer"})
    expires = fields.String(required=True, metadata={"description": "RFC 3339 UTC"})
    org = fields.String(required=True)
    key = fields.String(required=True, metadata={"description": "the key id that signed"})
