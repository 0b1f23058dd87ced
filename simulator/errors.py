"""Errors the simulator raises, one class per HTTP answer.

    SimulatorError              500  internal_error
    ├── BadRequest              400  invalid_batch
    ├── Unauthorized            401  unauthorized
    ├── NotFound                404  not_found
    ├── Conflict                409  account_conflict
    ├── PayloadTooLarge         413  payload_too_large
    ├── UnsupportedMediaType    415  unsupported_media_type
    ├── Unsupported             501  unsupported_type
    └── ServiceUnavailable      503  service_unavailable

Each class carries `status`, `code` and `message` as class attributes, so the rules and the
store can say *what* went wrong without knowing about HTTP; the app's single error handler turns
any of them into a JSON body with `to_body()`. An instance may replace the message and carry
`details`, a list of dicts (one per bad item, or per conflicting contact).
"""

from __future__ import annotations

from typing import Any


class SimulatorError(Exception):
    """Root of every error the simulator answers with."""

    status: int = 500
    code: str = "internal_error"
    message: str = "the simulator failed"

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
