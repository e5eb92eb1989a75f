"""The flask-smorest Api: the OpenAPI 3.1 document at /v1/openapi.json, with problem errors.

Errors are documented as they are sent: application/problem+json.
"""

from __future__ import annotations

import http
from typing import Any

from flask import Flask, Response
from flask_smorest import Api
from flask_smorest.utils import prepare_response
from werkzeug.exceptions import HTTPException

from . import problems
from .schemas import ProblemSchema

CONFIG: dict[str, Any] = {
    "API_TITLE": "gi-trace",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.1.0",
    "OPENAPI_URL_PREFIX": "/v1",
    "OPENAPI_JSON_PATH": "openapi.json",
}


class GiTraceApi(Api):  # type: ignore[misc]
    """flask-smorest, but every error is application/problem+json, in the document too."""

    ERROR_SCHEMA = ProblemSchema

    def handle_http_exception(self, error: HTTPException) -> Response:
        return problems.handle_http_exception(error)

    def _register_responses(self) -> None:
        for status in http.HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, problems.MEDIA_TYPE)
            self.spec.components.response(status.name, response, lazy=True)
        default = {"description": "Default error response", "schema": self.ERROR_SCHEMA}
        prepare_response(default, self.spec, problems.MEDIA_TYPE)
        self.spec.components.response(self.DEFAULT_ERROR_RESPONSE_NAME, default, lazy=True)


def make_api(app: Flask) -> GiTraceApi:
    app.config.update({k: v for k, v in CONFIG.items() if k not in app.config})
    return GiTraceApi(app)
