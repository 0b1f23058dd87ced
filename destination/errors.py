"""What can go wrong between the destination and Akita.

    DestinationError              root: anything this package raises (e.g. a closed client)
    ├── AkitaHTTPError            Akita answered, with an error status: status, message, body
    ├── AkitaConnectionError      no answer came back: timeout, refused or dropped connection
    ├── InputError                input that is not Segment calls in JSON (names file and line)
    └── GatewayError              the local Tracking API refuses a request whole (400, 413)

The two leaves are kept apart because they mean different things for a message: after an
error answer Akita applied nothing and said why (retry only if the status says it may help);
after no answer the message may or may not have arrived, so only a retry with the same
message id, which Akita de-duplicates, can settle it.
"""

from __future__ import annotations

from typing import Any


class DestinationError(Exception):
    """Root of every error the destination raises."""


class AkitaHTTPError(DestinationError):
    """Akita answered with a non-2xx status; `message` is what it said, for Event Delivery."""

    def __init__(self, status: int, message: str, body: Any,
                 retry_after: float | None = None) -> None:
        super().__init__(f"Akita answered {status}: {message}")
        self.status = status
        self.message = message
        self.body = body
        self.retry_after = retry_after


class AkitaConnectionError(DestinationError):
    """No answer from Akita. `retryable` is False when retrying cannot help (e.g. a bad URL)."""

    def __init__(self, message: str, *, retryable: bool = True) -> None:
        super().__init__(message)
        self.retryable = retryable


class InputError(DestinationError):
    """Input that cannot be read as Segment calls; the message names the file and the line."""


class GatewayError(DestinationError):
    """A request the Tracking API refuses as a whole: 400 with `{"success": false, ...}`."""

    status = 400

    def __init__(self, message: str, code: str = "invalid_request") -> None:
        super().__init__(message)
        self.message = message
        self.code = code

    def to_body(self) -> dict[str, Any]:
        """Segment's error body, with a `code` that analytics-python prints beside it."""
        return {"success": False, "code": self.code, "message": self.message}
