"""Who may reach the app at all: the Host allowlist and, when set, the admin token; and the
query string, which every route could otherwise fail to read.

All run before any handler, on every route, so a refused request reads and changes nothing.

The allowlist answers DNS rebinding: a page on another site whose name re-resolves to 127.0.0.1
talks to the simulator as same-origin, but its requests still name that site in `Host`. Only
the loopback names, the address the server was bound to and the names given with
`--allowed-host` are answered. The comparison is our own rather than Flask's TRUSTED_HOSTS,
which refuses `[::1]` and is case-sensitive where host names are not.

The admin token is for a simulator shared on a network: `/_sim` and the dashboard then need it
(Bearer, or Basic auth's password, so a browser can be asked for it); ingest, the Segment
Tracking API and `/openapi.json` keep authenticating by API key or not at all.
"""

from __future__ import annotations

import hmac
import ipaddress
import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from flask import Flask, current_app, request

from simulator.errors import (
    AdminTokenRequired,
    CrossSiteRequest,
    HostNotAllowed,
    InvalidParameter,
    Unauthorized,
)
from simulator.web.blueprints.common import credentials

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
# Blueprints that take no API key and so are for whoever runs the simulator; the health check
# stays open, for whatever waits on the server to come up (it tells only the version).
ADMIN_BLUEPRINTS = frozenset({"control", "dashboard", "segment_deliveries"})
# Blueprints whose state changes another site's page must not send (the dashboard checks its
# forms itself, token included).
CROSS_SITE_CHECKED = frozenset({"control", "segment_deliveries"})
OPEN_ENDPOINTS = frozenset({"control.health"})
_HOST = re.compile(r"(?:\[(?P<v6>[0-9a-fA-F:.]+)\]|(?P<name>[^:\[\]]+))(?::(?P<port>\d{1,5}))?")
_WILDCARDS = ("", "0.0.0.0", "::")
_ALLOWED = "akita_allowed_hosts"  # the app's allowlist, in app.extensions


def allowed_hosts(served: str | None, extra: Iterable[str] = ()) -> frozenset[str]:
    """The names a server bound to `served` answers to: loopback, `served` itself unless it is
    a wildcard address (its clients use names the server cannot know), and `extra`."""
    names = {*LOOPBACK_NAMES, *(name.strip().lower().strip("[]") for name in extra)}
    if served is not None and served not in _WILDCARDS:
        names.add(served.lower().strip("[]"))
    return frozenset(names)


def host_of(header: str | None) -> tuple[str, int | None] | None:
    """A `Host` header as (lower-case name, port), or None if it is not one."""
    match = _HOST.fullmatch(header or "")
    if match is None:
        return None
    if match["v6"]:
        try:
            name = str(ipaddress.IPv6Address(match["v6"]))
        except ValueError:
            return None
    else:
        name = match["name"].lower()
    port = int(match["port"]) if match["port"] else None
    if port is not None and not 0 < port <= 65535:
        return None
    return name, port


def hosts_of(app: Flask) -> frozenset[str]:
    """The Host names `app` answers to."""
    return app.extensions[_ALLOWED]


def _from_here(origin: str) -> bool:
    """Whether a browser's `Origin` is this server: an allowed name, on the port asked for."""
    parts = urlsplit(origin)
    found, asked = host_of(parts.netloc), host_of(request.headers.get("Host"))
    return (parts.scheme in ("http", "https") and found is not None and asked is not None
            and found[0] in hosts_of(current_app) and found[1] == asked[1])


def refuse_cross_site() -> None:
    """Refuse a state-changing request whose `Origin` is not this server, or that the browser
    marks `Sec-Fetch-Site: cross-site`; reads pass. A body-less POST (a reset) needs no CORS
    preflight, so without this any page could send one to the simulator on localhost.

    The Origin is held to the allowlist, never to the request's own `Host`, which a rebinding
    page chooses."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    origin = request.headers.get("Origin")
    if origin is not None and not _from_here(origin):
        raise CrossSiteRequest(f"refused a request sent from {origin[:200]!r}, another site")
    if request.headers.get("Sec-Fetch-Site") == "cross-site":
        raise CrossSiteRequest("refused a request the browser says another site sent")


def check_query() -> None:
    """Refuse a query string that is not UTF-8 (Werkzeug's `args` would raise: a 500)."""
    try:
        request.query_string.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InvalidParameter(f"the query string is not UTF-8: byte "
                               f"0x{request.query_string[error.start]:02x} at offset "
                               f"{error.start}; percent-encode it") from None


def check_host(allowed: frozenset[str]) -> None:
    """Refuse a request whose Host is not on the allowlist (HostNotAllowed, 400)."""
    found = host_of(request.headers.get("Host"))
    if found is None or found[0] not in allowed:
        given = request.headers.get("Host", "")
        raise HostNotAllowed(
            f"this server does not answer to Host {given[:100]!r}; it answers to "
            f"{', '.join(sorted(allowed))}. Start it with --allowed-host NAME to add a name")


def check_admin_token(token: str) -> None:
    """Refuse a control or dashboard request without the admin token (401 with a challenge)."""
    if request.blueprint not in ADMIN_BLUEPRINTS or request.endpoint in OPEN_ENDPOINTS:
        return
    try:
        given = credentials()
    except Unauthorized:
        given = None
    sent = (given.user if given.scheme == "bearer" else given.password) if given else None
    if not sent or not hmac.compare_digest(sent.encode("utf-8", "surrogatepass"),
                                           token.encode("utf-8")):
        raise AdminTokenRequired()


def guard(app: Flask, *, served: str | None, extra_hosts: Iterable[str] = (),
          admin_token: str | None = None) -> frozenset[str]:
    """Install the checks on `app` as one hook, the Host check first (a request from a name
    the server does not know learns nothing else); returns the allowlist."""
    allowed = app.extensions[_ALLOWED] = allowed_hosts(served, extra_hosts)

    def check() -> None:
        check_host(allowed)
        check_query()
        if request.blueprint in CROSS_SITE_CHECKED:
            refuse_cross_site()
        if admin_token:
            check_admin_token(admin_token)

    app.before_request(check)
    return allowed
