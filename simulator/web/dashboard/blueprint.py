"""The dashboard's one Blueprint and what applies to all of its pages.

Every answer gets the security headers and every POST the CSRF checks (`security`); errors
the simulator raises render as a page for a person rather than the API's JSON. The route
modules (`pages`, `playground`) attach their views to `bp`.
"""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.blueprints import BlueprintSetupState

from simulator.errors import SimulatorError
from simulator.web.dashboard import render, security

bp = Blueprint(
    "dashboard",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/dashboard/static",
)


@bp.record_once
def _prepare(state: BlueprintSetupState) -> None:
    security.prepare_app(state.app)


bp.before_request(security.check_request)
bp.after_request(security.add_headers)
bp.context_processor(render.template_helpers)


@bp.errorhandler(SimulatorError)
def error_page(error: SimulatorError) -> tuple[str, int, dict[str, str]]:
    """The errors the API raises (404, 400, 403, 401), worded as a page instead of JSON; a 401
    keeps its challenge, so the browser asks for the admin token."""
    headers = {"WWW-Authenticate": error.challenge} if error.challenge else {}
    return render_template("dashboard/error.html", error=error), error.status, headers
