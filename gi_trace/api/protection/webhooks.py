# mypy: disable-error-code="untyped-decorator"
# (flask-smorest ships no type hints; its decorators keep the views' signatures.)
"""GET /v1/webhooks…: an organisation's webhooks and their delivery log; the key deliveries
are signed with. And the delivery worker, started with the app.

Registrations themselves are statements (webhook.register / webhook.remove); these reads
show the subscriber what was sent, when, what its server answered and when the next try
is. Only the organisation that registered a webhook reads it (its url is confidential).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import event

from gi_trace.api.auth.caller import protected, require_caller
from gi_trace.api.auth.errors import Forbidden
from gi_trace.api.context import current_service
from gi_trace.api.reads.access import not_found
from gi_trace.api.reads.connection import connection
from gi_trace.api.schemas import MAX_INDEX
from gi_trace.domain.queries import webhooks
from gi_trace.domain.queries.paging import DEFAULT_LIMIT, MAX_LIMIT
from gi_trace.labels import http_signatures, outbox
from gi_trace.labels.webhook_delivery import DeliveryWorker, WorkerSettings
from gi_trace.ledger import keys
from gi_trace.ledger.encoding import b64url_encode
from gi_trace.service import Service

WORKER = "gi_trace.webhooks"

blp = Blueprint("webhooks", __name__, url_prefix="/v1/webhooks", description=(
    "An organisation's webhooks (registered by signed webhook.register statements) and their "
    "delivery log: every attempt, what the receiver answered, the next retry. Deliveries are "
    "signed with HTTP Message Signatures (RFC 9421) by the operator key."))


def _time(ms: int | None) -> str | None:
    if ms is None:
        return None
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat(timespec="milliseconds").replace(
        "+00:00", "Z")


class Time(fields.Field):  # type: ignore[type-arg]
    """Milliseconds since the epoch, as RFC 3339 UTC with milliseconds."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return _time(value)


class RegistrationSchema(Schema):
    webhook = fields.String(required=True)
    url = fields.String(required=True, allow_none=True, metadata={
        "description": "null only in a database rebuilt without the registration's disclosures"})
    events = fields.List(fields.String(), required=True)
    seq = fields.Integer(required=True, metadata={"description": "the webhook.register entry"})
    removed_seq = fields.Integer(required=True, allow_none=True,
                                 metadata={"description": "the webhook.remove entry, if removed"})


class AttemptSchema(Schema):
    attempt = fields.Integer(required=True)
    at = Time(required=True, attribute="at_ms")
    code = fields.Integer(required=True, allow_none=True,
                          metadata={"description": "the HTTP status the receiver answered"})
    error = fields.String(required=True, allow_none=True,
                          metadata={"description": "why no answer came (refused, timed out…)"})


class DeliverySchema(Schema):
    id = fields.Integer(required=True)
    event = fields.String(required=True, metadata={
        "description": "log-<seq> or report-<id>; with the webhook, the Idempotency-Key sent"})
    kind = fields.String(required=True, validate=validate.OneOf(("recall", "notice", "case", "report")))
    status = fields.String(required=True, validate=validate.OneOf(
        (outbox.PENDING, outbox.SENDING, outbox.DELIVERED, outbox.FAILED)))
    attempts = fields.List(fields.Nested(AttemptSchema), required=True)
    created = Time(required=True, attribute="created_ms")
    next_attempt = Time(required=True, attribute="next_ms",
                        metadata={"description": "when a pending delivery is tried again"})
    done = Time(required=True, attribute="done_ms")
    last_code = fields.Integer(required=True, allow_none=True)
    last_error = fields.String(required=True, allow_none=True)


class DeliveryPageArgs(Schema):
    limit = fields.Integer(load_default=DEFAULT_LIMIT, validate=validate.Range(1, MAX_LIMIT))
    before = fields.Integer(validate=validate.Range(1, MAX_INDEX), metadata={
        "description": "the `next` of the previous page: deliveries older than this id"})


class SigningKeySchema(Schema):
    keyid = fields.String(required=True, metadata={"description": "hex SHA-256 of the raw key"})
    alg = fields.String(required=True)
    public_key = fields.String(required=True, metadata={"description": "raw Ed25519, base64url"})
    tag = fields.String(required=True)
    components = fields.List(fields.String(), required=True)


RegistrationList = Schema.from_dict(
    {"items": fields.List(fields.Nested(RegistrationSchema), required=True)}, name="Webhooks")
DeliveryPage = Schema.from_dict({
    "items": fields.List(fields.Nested(DeliverySchema), required=True),
    "next": fields.Integer(required=True, allow_none=True, metadata={
        "description": "pass as `before` for the next page; null on the last page"}),
}, name="WebhookDeliveries")


@blp.route("")
class Registrations(MethodView):
    @blp.response(200, RegistrationList)
    @protected(blp)
    def get(self) -> dict[str, Any]:
        """The caller's webhooks, removed ones too."""
        return {"items": webhooks.registrations(connection(), require_caller().org)}


@blp.route("/<webhook>/deliveries")
class Deliveries(MethodView):
    @blp.arguments(DeliveryPageArgs, location="query")
    @blp.response(200, DeliveryPage)
    @blp.alt_response(404, response="NOT_FOUND")
    @protected(blp)
    def get(self, args: dict[str, Any], webhook: str) -> dict[str, Any]:
        """One webhook's deliveries, newest first, each with its attempts."""
        caller = require_caller()
        conn = connection()
        org = webhooks.owner(conn, webhook)
        if org is None:
            not_found("webhook", webhook)
        if org != caller.org:
            raise Forbidden(f"webhook {webhook!r} is {org}'s: only it reads its deliveries",
                            code="not-yours")
        limit = args["limit"]
        found = outbox.deliveries_of(conn, webhook, before=args.get("before"), limit=limit + 1)
        return {"items": found[:limit], "next": found[limit - 1].id if len(found) > limit else None}


@blp.route("/signing-key")
class SigningKey(MethodView):
    @blp.response(200, SigningKeySchema)
    def get(self) -> dict[str, Any]:
        """The public key deliveries are signed with, and what the signature covers."""
        private = keys.load_private_key(current_service().settings.operator_key)
        return {"keyid": keys.private_key_id(private), "alg": http_signatures.ALG,
                "public_key": b64url_encode(keys.public_bytes(private)),
                "tag": http_signatures.TAG, "components": list(http_signatures.COMPONENTS)}


def worker_settings(service: Service) -> WorkerSettings:
    s = service.settings
    return WorkerSettings(
        base_url=s.base_url,
        retry=outbox.Retry(base_ms=s.webhook_backoff_ms, max_ms=s.webhook_backoff_max_ms,
                           max_attempts=s.webhook_max_attempts,
                           max_age_ms=s.webhook_max_age_seconds * 1000),
        poll_seconds=s.webhook_poll_ms / 1000, lease_ms=s.webhook_lease_ms,
        timeout_seconds=s.webhook_timeout_ms / 1000,
        private_targets=bool(s.webhook_private_targets))


def new_worker(service: Service) -> DeliveryWorker:
    signer = http_signatures.WebhookSigner(keys.load_private_key(service.settings.operator_key))
    return DeliveryWorker(service.engine, signer, worker_settings(service))


def init_app(app: Flask, api: Any, service: Service) -> None:
    """The reads; and, unless GI_TRACE_WEBHOOK_WORKER=0, this process's delivery worker, woken
    after each accepted POST (an append or a report) and stopped with the app's engine."""
    api.register_blueprint(blp)
    if not service.settings.webhook_worker:
        return
    worker = app.extensions[WORKER] = new_worker(service)
    def _stop(engine: Any) -> None:
        # The pool was emptied before this event: the worker, stopped now, may have put a
        # connection back into the new one; close it too, so none is left to the collector.
        worker.stop()
        engine.pool.dispose()

    event.listen(service.engine, "engine_disposed", _stop)

    def _wake(response: Response) -> Response:
        if request.method == "POST" and response.status_code < 300:
            worker.wake()
        return response

    app.after_request(_wake)
    worker.start()
