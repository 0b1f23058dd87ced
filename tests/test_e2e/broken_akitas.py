"""Deliberately broken Akitas, each wrong in one way, for showing that `akita-contract verify`
notices: an endpoint that accepts anything, and the real simulator behind a WSGI wrapper that
either answers 500 where it would answer 400, or never de-duplicates."""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, Response, request

from contract import validate_akita_message
from contract.provider.http import INGEST_PATH
from simulator.web.app import create_app

API_KEY = "verify-test-key"  # a key every broken Akita here accepts


def accepts_everything() -> Flask:
    """Ingest that takes any body, any key or none, and claims every message new."""
    app = Flask("accepts_everything")

    @app.post(INGEST_PATH)
    def ingest() -> dict[str, int]:
        body = request.get_json(silent=True)
        batch = body.get("batch") if isinstance(body, dict) else None
        return {"accepted": len(batch) if isinstance(batch, list) else 0, "duplicates": 0}

    @app.post("/akita/v1/<path:anything>")
    def rest(anything: str) -> dict[str, object]:
        return {"data": {}}

    return app


def fails_on_invalid_input() -> Flask:
    """The simulator, but its 400s become bare 500s, as a server that crashes on bad input."""
    app = create_app({"AKITA_DB": None, "AKITA_API_KEY": API_KEY})

    @app.after_request
    def crash(response: Response) -> Response:
        if response.status_code == 400:
            return Response("Internal Server Error", 500, mimetype="text/plain")
        return response

    return app


def never_deduplicates() -> Flask:
    """The simulator, but every ingested message gets a new id first, so re-sends count again
    (a WSGI middleware in front of Flask's own, the way Flask documents wrapping an app)."""
    app = create_app({"AKITA_DB": None, "AKITA_API_KEY": API_KEY})
    inner = app.wsgi_app

    def renumbering(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == INGEST_PATH:
            raw = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            try:
                body = json.loads(raw)
                for message in body["batch"]:
                    if not validate_akita_message(message):  # invalid ones stay invalid
                        message["message_id"] = uuid.uuid4().hex
                raw = json.dumps(body).encode()
            except (ValueError, TypeError, KeyError):
                pass  # not a batch: let the simulator say so
            environ["wsgi.input"] = io.BytesIO(raw)
            environ["CONTENT_LENGTH"] = str(len(raw))
        return inner(environ, start_response)

    app.wsgi_app = renumbering  # type: ignore[method-assign]
    return app
