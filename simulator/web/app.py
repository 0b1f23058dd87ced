"""The Flask app factory: configuration, the Simulator, blueprints and the one error handler.

All state hangs off the app (`app.extensions`, read through `simulator_of`), so two apps in
one process (a test's in-process app beside the session's live server) never share anything.

Configuration (defaults below, then the `config` passed in):
  AKITA_DB                path of the SQLite file, or None for an in-memory store
  AKITA_SESSION_TIMEOUT   seconds of inactivity that end a session (1800)
  AKITA_STRICT_ACCOUNTS   answer 409 instead of moving a contact to another account
  AKITA_JOURNAL_CAP       journal entries kept per workspace, oldest trimmed first
  AKITA_API_KEY           make sure this key has a workspace (akita-sim serve --api-key); the
                          playground fills it in on that workspace's page
  AKITA_WORKSPACE_NAME    the name that workspace gets when it is created
  AKITA_SERVED_HOST       the address the server binds: a name it answers to (unless a wildcard)
  AKITA_ALLOWED_HOSTS     more names it answers to besides loopback's (--allowed-host)
  AKITA_ADMIN_TOKEN       when set, /_sim and the dashboard require it (--admin-token)
  AKITA_REST_RATE_LIMIT   REST requests a workspace may make a minute; None: no limit
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import timedelta
from types import MappingProxyType
from typing import Any

from flask import Flask, Response, jsonify
from werkzeug.exceptions import HTTPException

from contract import limits
from simulator.errors import (
    NotFound,
    PayloadTooLarge,
    SimulatorError,
    Unauthorized,
    UnsupportedMediaType,
)
from simulator.service import DEFAULT_JOURNAL_CAP, DEFAULT_SESSION_TIMEOUT, Simulator
from simulator.store import SQLiteStore
from simulator.web import SIMULATOR, access, dashboard
from simulator.web.blueprints import control, ingest, openapi, rest

DEFAULTS: Mapping[str, Any] = MappingProxyType({
    "AKITA_DB": None,
    "AKITA_SESSION_TIMEOUT": DEFAULT_SESSION_TIMEOUT.total_seconds(),
    "AKITA_STRICT_ACCOUNTS": False,
    "AKITA_JOURNAL_CAP": DEFAULT_JOURNAL_CAP,
    "AKITA_API_KEY": None,
    "AKITA_WORKSPACE_NAME": None,
    "AKITA_SERVED_HOST": None,
    "AKITA_ALLOWED_HOSTS": (),
    "AKITA_ADMIN_TOKEN": None,
    "AKITA_REST_RATE_LIMIT": None,
    # Werkzeug's own cap, for bodies sent without Content-Length (chunked).
    "MAX_CONTENT_LENGTH": limits.MAX_BATCH_BYTES,
})

BLUEPRINTS = (ingest.bp, rest.bp, control.bp, openapi.bp, dashboard.bp)
# Flask's errors that mean what one of ours means answer with our code, so a client sees one
# code per meaning (a chunked body over MAX_CONTENT_LENGTH is Werkzeug's 413, for instance).
_SAME_MEANING = {cls.status: cls for cls in (NotFound, PayloadTooLarge, UnsupportedMediaType)}


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """A simulator app: defaults, then `config`, then the Simulator and the blueprints."""
    app = Flask(__name__)
    app.config.from_mapping(DEFAULTS)
    if config:
        app.config.from_mapping(config)
    simulator = Simulator(
        SQLiteStore(app.config["AKITA_DB"]),
        session_timeout=timedelta(seconds=float(app.config["AKITA_SESSION_TIMEOUT"])),
        strict_accounts=bool(app.config["AKITA_STRICT_ACCOUNTS"]),
        journal_cap=int(app.config["AKITA_JOURNAL_CAP"]),
        rest_per_minute=app.config["AKITA_REST_RATE_LIMIT"],
    )
    if app.config["AKITA_API_KEY"]:
        simulator.ensure_workspace(app.config["AKITA_API_KEY"], app.config["AKITA_WORKSPACE_NAME"])
    app.extensions[SIMULATOR] = simulator
    app.register_error_handler(SimulatorError, error_response)
    app.register_error_handler(HTTPException, error_response)
    access.guard(app, served=app.config["AKITA_SERVED_HOST"],
                 extra_hosts=app.config["AKITA_ALLOWED_HOSTS"],
                 admin_token=app.config["AKITA_ADMIN_TOKEN"])
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    return app


def _snake(name: str) -> str:
    return re.sub(r"\W+", "_", name).strip("_").lower()


def error_response(error: SimulatorError | HTTPException) -> Response:
    """Every error as JSON with a `message`: the simulator's own and Flask's (404, 405, 500).

    Flask's errors keep their headers (`Allow` on a 405); a 401 says how to authenticate.
    """
    if isinstance(error, SimulatorError):
        status, body, headers = error.status, error.to_body(), {}
    else:
        status = error.code or 500
        same = _SAME_MEANING.get(status)
        body = {"message": error.description or error.name,
                "code": same.code if same else _snake(error.name), "errors": []}
        headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
    if status == 401:
        headers["WWW-Authenticate"] = getattr(error, "challenge", None) or Unauthorized.challenge
    if getattr(error, "retry_after", None) is not None:
        headers["Retry-After"] = str(error.retry_after)
    response = jsonify(body)
    response.status_code = status
    response.headers.update(headers)
    return response
