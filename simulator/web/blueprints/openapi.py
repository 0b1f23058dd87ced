"""`GET /openapi.json`: the OpenAPI 3.1 document of every route the app serves.

The simulator's own part is a file (`simulator/web/openapi.json`) rather than generated, so it reads
as the reference it is. Parts mounted at the serving edge (the Segment gateway) register a
fragment in `app.extensions["akita_openapi"]`, merged in here, so the served document always
matches the app's routes; a test keeps both true against real answers.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from flask import Blueprint, Flask, current_app

bp = Blueprint("openapi", __name__)


def document_text() -> str:
    """The simulator's OpenAPI document as shipped with the package."""
    return resources.files("simulator.web").joinpath("openapi.json").read_text("utf-8")


def document(app: Flask) -> dict[str, Any]:
    """The simulator's document with every fragment mounted on `app` merged in."""
    merged = json.loads(document_text())
    for fragment in app.extensions.get("akita_openapi", ()):
        merged["paths"].update(fragment.get("paths", {}))
        for section, entries in fragment.get("components", {}).items():
            merged.setdefault("components", {}).setdefault(section, {}).update(entries)
    return merged


@bp.get("/openapi.json")
def openapi() -> dict[str, Any]:
    """The OpenAPI document, as JSON."""
    return document(current_app)
