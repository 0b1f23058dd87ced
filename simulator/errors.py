"""Every error the simulator raises, whole in this one module.

    SimulatorError                  500  internal_error
    ├── BadRequest                  400  invalid_batch
    │   ├── InvalidJSON             400  invalid_json           the body is not UTF-8 JSON
    │   ├── InvalidBody             400  invalid_body           a REST body or partner call
    │   ├── InvalidParameter        400  invalid_parameter      a query argument or field
    │   └── InvalidFaultPlan        400  invalid_fault_plan
    ├── HostNotAllowed              400  host_not_allowed       DNS rebinding, a stray proxy
    ├── Unauthorized                401  unauthorized
    │   └── AdminTokenRequired      401  admin_token_required   --admin-token is set
    ├── CrossSiteRequest            403  cross_site_request     another site's page sent it
    ├── NotFound                    404  not_found
    ├── Conflict                    409  account_conflict       strict accounts
    ├── KeyInUse                    409  key_in_use
    ├── PayloadTooLarge             413  payload_too_large
    ├── UnsupportedMediaType        415  unsupported_media_type
    ├── Unsupported                 501  unsupported_type       screen, alias
    ├── RateLimited                 429  rate_limited           --rest-rate-limit, Retry-After
    ├── ServiceUnavailable          503  service_unavailable
    ├── InjectedFault               429/500/503  injected_fault  a fault plan's answer
    └── StoreError                  500  store_error            the database cannot be used
        ├── SchemaVersionError      500  schema_too_new
        ├── DatabaseInUse           500  database_in_use        another akita-sim owns it
        └── DamagedDatabase         500  database_damaged       garbled, or its WAL is missing

    AuditError                      `akita-map audit` cannot finish: a scheduler unreachable,
                                    workers lost more often than Dask retries (no HTTP status)

Each SimulatorError carries `status`, `code` and `message` as class attributes, so the rules
and the store can say *what* went wrong without knowing about HTTP; the app's single error
handler turns any of them into a JSON body with `to_body()`. An instance may replace the
message and carry `details`, a list of dicts (one per bad item, or per conflicting contact).
"""

from __future__ import annotations

from typing import Any


class SimulatorError(Exception):
    """Root of every error the simulator answers with."""

    status: int = 500
    code: str = "internal_error"
    message: str = "the simulator failed"
    challenge: str | None = None  # a 401's WWW-Authenticate: how to authenticate

    def __init__(
        self, message: str | None = None, details: list[dict[str, Any]] | None = None
    ) -> None:
        if message is not None:
            self.message = message
        self.details: list[dict[str, Any]] = list(details) if details else []
        super().__init__(self.message)

    def to_body(self) -> dict[str, Any]:
        """The JSON error body: `message` always (Segment shows it in Event Delivery)."""
        return {"message": self.message, "code": self.code, "errors": self.details}


class BadRequest(SimulatorError):
    """The body or one of its messages breaks the contract; nothing was applied."""

    status = 400
    code = "invalid_batch"
    message = "the batch is invalid; nothing was applied"


class Unauthorized(SimulatorError):
    """No API key, or one that names no workspace."""

    status = 401
    code = "unauthorized"
    message = "a valid API key is required"
    challenge = 'Basic realm="Akita"'


class AdminTokenRequired(Unauthorized):
    """The server was started with an admin token, and /_sim and the dashboard need it."""

    code = "admin_token_required"
    message = ("this simulator was started with an admin token: send it as Bearer <token>, "
               "or as the password of Basic auth (any user name)")
    challenge = 'Basic realm="akita-sim admin"'


class HostNotAllowed(SimulatorError):
    """The request's Host is not a name this server answers to.

    A page whose domain re-resolves to 127.0.0.1 (DNS rebinding) becomes same-origin with the
    simulator and could read and change everything; its requests still carry its own domain in
    `Host`, so answering only known names stops it before any handler runs.
    """

    status = 400
    code = "host_not_allowed"
    message = "this server does not answer to that Host"


class NotFound(SimulatorError):
    """The workspace, contact, account or page asked for does not exist."""

    status = 404
    code = "not_found"
    message = "not found"


class Conflict(SimulatorError):
    """Strict accounts: the batch would move a contact to a second account; nothing was applied."""

    status = 409
    code = "account_conflict"
    message = "the batch would place a contact in a second account; nothing was applied"


class PayloadTooLarge(SimulatorError):
    """A message or the batch exceeds Segment's size or count limits."""

    status = 413
    code = "payload_too_large"
    message = "the request is too large"


class UnsupportedMediaType(SimulatorError):
    """The body is not declared as JSON."""

    status = 415
    code = "unsupported_media_type"
    message = "the body must be JSON (Content-Type: application/json)"


class Unsupported(SimulatorError):
    """A message type Akita does not handle (Segment's catalog marks screen and alias so)."""

    status = 501
    code = "unsupported_type"
    message = "the message type is not supported"


class CrossSiteRequest(SimulatorError):
    """A state-changing request that a browser sent on behalf of another site.

    The simulator takes no credentials on `/_sim` and the dashboard, and listens on localhost,
    where any page the user visits can POST to it: such a request is refused.
    """

    status = 403
    code = "cross_site_request"
    message = "refused a request another site sent"


class ServiceUnavailable(SimulatorError):
    """The simulator is told to be down (fault injection) or cannot serve right now."""

    status = 503
    code = "service_unavailable"
    message = "the service is temporarily unavailable"


class InvalidJSON(BadRequest):
    """The body is not UTF-8 JSON: nothing in it can be read, let alone applied."""

    code = "invalid_json"
    message = "the body is not valid JSON"


class InvalidBody(BadRequest):
    """A REST body, or a call on the partner wire, breaks its schema; `details` name each
    field, and nothing changed."""

    code = "invalid_body"
    message = "the request body is invalid; nothing was changed"


class InvalidParameter(BadRequest):
    """A query parameter or field of a control request is not acceptable."""

    code = "invalid_parameter"
    message = "a parameter is invalid"


class InvalidFaultPlan(BadRequest):
    """A fault plan that cannot be followed: the message names the field and the rule."""

    code = "invalid_fault_plan"
    message = "the fault plan is invalid"


class KeyInUse(SimulatorError):
    """The API key asked for already belongs to a workspace (a key names one workspace)."""

    status = 409
    code = "key_in_use"
    message = "that API key already belongs to a workspace"


class InjectedFault(SimulatorError):
    """An error answer a workspace's fault plan asked for; nothing of the request was read."""

    code = "injected_fault"

    def __init__(self, status: int) -> None:
        super().__init__(f"injected fault: this workspace's fault plan answers {status} to "
                         "this request; nothing was applied, send it again")
        self.status = status


class StoreError(SimulatorError):
    """The database cannot be used: not SQLite, unreadable, or from another version."""

    code = "store_error"
    message = "the simulator's database cannot be used"


class SchemaVersionError(StoreError):
    """The file was written by a newer simulator whose tables this one would misread."""

    code = "schema_too_new"


class DatabaseInUse(StoreError):
    """Another process owns the file: a second server, or an export or reset beside a server."""

    code = "database_in_use"


class DamagedDatabase(StoreError):
    """The file's pages are damaged, or it was left open and its `-wal` file is missing."""

    code = "database_damaged"


class RateLimited(SimulatorError):
    """The workspace made more REST requests this minute than the limit allows."""

    status = 429
    code = "rate_limited"
    message = "too many requests this minute: wait as Retry-After says, then send again"

    def __init__(self, retry_after: int) -> None:
        super().__init__()
        self.retry_after = retry_after


class AuditError(Exception):
    """An archive audit that cannot give an answer it would stand by; never a partial count."""
