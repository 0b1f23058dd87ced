"""What keeps the dashboard safe to leave open: CSRF checks on every POST and strict headers.

The dashboard takes no API key (like `/_sim`, it is for whoever runs the simulator), so any page
on the web could otherwise make the browser POST a reset or a send to 127.0.0.1. Two checks
stop that, each enough on its own:

- a per-session token: kept in Flask's signed session cookie (SameSite=Lax, HttpOnly), written
  into every form, and compared in constant time on every POST; another site can neither read
  it nor forge the cookie;
- the browser's own word on where a request comes from: `Origin` must be this server's and
  `Sec-Fetch-Site` must not be `cross-site` when the browser sends them.

Pages get a Content-Security-Policy that allows no script at all (the dashboard has none) and
no inline style, so even a value that escaped escaping could not run.
"""

from __future__ import annotations

import hmac
import secrets

from flask import Flask, Request, Response, request, session
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface

from simulator.errors import CrossSiteRequest
from simulator.web.access import refuse_cross_site

CSRF_FIELD = "csrf_token"
_SESSION_KEY = "dashboard_csrf"
_NOT_FROM_A_FORM = "this form was not sent from the dashboard: reload the page and try again"
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
)


# Machine APIs: they never read the session, and a signed cookie opened (HMAC-checked) and
# saved on every ingest request was some 7% of its server time.
_SESSIONLESS_PREFIXES = ("/akita/", "/v1/", "/_sim/", "/openapi.json")


class DashboardSessions(SecureCookieSessionInterface):
    """Flask's signed cookie sessions, opened only for the dashboard's paths.

    Elsewhere Flask gets its null session: reading it finds nothing, writing it raises, and
    nothing is saved, so an API answer never carries a cookie.
    """

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        """The dashboard's session; None (Flask's null session) on the machine APIs' paths."""
        if request.path.startswith(_SESSIONLESS_PREFIXES):
            return None
        return super().open_session(app, request)


def prepare_app(app: Flask) -> None:
    """Give the app what signed sessions need, unless its configuration already says, and
    keep them to the dashboard's paths.

    A random secret per process is enough: the only thing kept in the session is the CSRF
    token, and a restart that invalidates it merely asks for a page reload.
    """
    app.session_interface = DashboardSessions()
    if not app.secret_key:
        app.secret_key = secrets.token_bytes(32)
    if app.config.get("SESSION_COOKIE_SAMESITE") is None:
        app.config["SESSION_COOKIE_SAMESITE"] = "Lax"


def csrf_token() -> str:
    """This browser session's token, created on first use; forms carry it in CSRF_FIELD."""
    token = session.get(_SESSION_KEY)
    if not isinstance(token, str):
        token = session[_SESSION_KEY] = secrets.token_urlsafe(32)
    return token


def check_request() -> None:
    """Refuse a state-changing request that did not come from one of this session's forms."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    refuse_cross_site()
    expected = session.get(_SESSION_KEY)
    sent = request.form.get(CSRF_FIELD, "")
    # Bytes: compare_digest refuses non-ASCII text, and a forged token may be anything.
    if not isinstance(expected, str) or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise CrossSiteRequest(_NOT_FROM_A_FORM)


def add_headers(response: Response) -> Response:
    """Headers every dashboard answer carries: the CSP, no sniffing, no framing."""
    for name, value in _HEADERS:
        response.headers.setdefault(name, value)
    return response
