"""`GET /openapi.json`: the OpenAPI 3.1 document of ingest and the control API.

The document is a file (`simulator/openapi.json`) rather than generated, so it reads as the
reference it is; a test keeps it true against the app's routes and real answers.
"""

from __future__ import annotations

from importlib import resources

from flask import Blueprint, Response, current_app

bp = Blueprint("openapi", __name__)


def document_text() -> str:
    """The OpenAPI document as shipped with the package."""
    return resources.files("simulator").joinpath("openapi.json").read_text("utf-8")


@bp.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI document, as JSON."""
    return current_app.response_class(document_text(), mimetype="application/json")
