# mypy: disable-error-code="untyped-decorator"
# (flask-smorest ships no type hints; its decorators keep the views' signatures.)
"""POST /v1/auth/challenge and /v1/auth/token: a bearer token for an org that proves its key."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from .caller import authenticator
from .protocol import DESCRIPTION
from .schemas import ChallengeRequestSchema, ChallengeSchema, TokenRequestSchema, TokenSchema

blp = Blueprint("auth", __name__, url_prefix="/v1/auth", description=DESCRIPTION)


@blp.route("/challenge")
class Challenge(MethodView):
    @blp.arguments(ChallengeRequestSchema, as_kwargs=True)
    @blp.response(200, ChallengeSchema)
    @blp.alt_response(401, response="UNAUTHORIZED")
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def post(self, org: str, key: str) -> dict[str, Any]:
        """A challenge for `org` to sign with `key`; the key must be the org's and unrevoked."""
        issued = authenticator().challenge(org, key)
        return {"challenge": issued.value, "expires": issued.expires_text}


@blp.route("/token")
class Token(MethodView):
    @blp.arguments(TokenRequestSchema, as_kwargs=True)
    @blp.response(200, TokenSchema)
    @blp.alt_response(401, response="UNAUTHORIZED")
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def post(self, challenge: str, signature: str) -> dict[str, Any]:
        """A bearer token (1 hour) for the signed answer to a live challenge."""
        issued = authenticator().token(challenge, signature)
        return {"token": issued.value, "expires": issued.expires_text, "org": issued.org,
                "key": issued.key}
