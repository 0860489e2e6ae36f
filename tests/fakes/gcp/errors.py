"""Google's error envelope, as the REST front end of every Google API answers.

`google.api_core.exceptions.from_http_response` reads `error.code`, `error.message`,
`error.status` and `error.details` (ErrorInfo's `reason`, BadRequest's field violations), so the
clients raise the same typed exceptions against the fake as against Google.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# google.rpc.Code names with the HTTP status Google maps each to (google/rpc/code.proto).
HTTP_STATUS = {
    "INVALID_ARGUMENT": 400,
    "FAILED_PRECONDITION": 400,
    "OUT_OF_RANGE": 400,
    "UNAUTHENTICATED": 401,
    "PERMISSION_DENIED": 403,
    "NOT_FOUND": 404,
    "ABORTED": 409,
    "ALREADY_EXISTS": 409,
    "RESOURCE_EXHAUSTED": 429,
    "CANCELLED": 499,
    "INTERNAL": 500,
    "UNKNOWN": 500,
    "DATA_LOSS": 500,
    "UNIMPLEMENTED": 501,
    "UNAVAILABLE": 503,
    "DEADLINE_EXCEEDED": 504,
}

# The numeric google.rpc.Code, used inside long-running operations' `error` (a google.rpc.Status).
RPC_CODE = {
    "CANCELLED": 1,
    "UNKNOWN": 2,
    "INVALID_ARGUMENT": 3,
    "DEADLINE_EXCEEDED": 4,
    "NOT_FOUND": 5,
    "ALREADY_EXISTS": 6,
    "PERMISSION_DENIED": 7,
    "RESOURCE_EXHAUSTED": 8,
    "FAILED_PRECONDITION": 9,
    "ABORTED": 10,
    "OUT_OF_RANGE": 11,
    "UNIMPLEMENTED": 12,
    "INTERNAL": 13,
    "UNAVAILABLE": 14,
    "DATA_LOSS": 15,
    "UNAUTHENTICATED": 16,
}


@dataclass
class GoogleError(Exception):
    """An API error; raised anywhere in a handler, answered as Google's JSON envelope."""

    status: str
    message: str
    details: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(f"{self.status}: {self.message}")

    @property
    def http_status(self) -> int:
        return HTTP_STATUS[self.status]

    def envelope(self) -> dict[str, Any]:
        return {
            "error": {
                "code": self.http_status,
                "message": self.message,
                "status": self.status,
                "details": self.details,
            }
        }

    def rpc_status(self) -> dict[str, Any]:
        """The google.rpc.Status form, as an operation's `error` carries it."""
        return {"code": RPC_CODE[self.status], "message": self.message, "details": self.details}


def invalid_argument(message: str, *, field_path: str = "") -> GoogleError:
    violation = {"field": field_path, "description": message}
    details = [{"@type": "type.googleapis.com/google.rpc.BadRequest", "fieldViolations": [violation]}]
    return GoogleError("INVALID_ARGUMENT", message, details)


def error_info(status: str, message: str, *, reason: str, domain: str, **metadata: str) -> GoogleError:
    """An error whose details carry google.rpc.ErrorInfo (what `exc.reason` reads in api_core)."""
    info: dict[str, Any] = {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": reason, "domain": domain}
    if metadata:
        info["metadata"] = dict(metadata)
    return GoogleError(status, message, [info])


def not_found(name: str) -> GoogleError:
    return GoogleError("NOT_FOUND", f"Resource '{name}' was not found")


def already_exists(name: str) -> GoogleError:
    return GoogleError("ALREADY_EXISTS", f"Resource '{name}' already exists")
