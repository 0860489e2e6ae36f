"""What provider operations return: frozen values the CLI prints as text or as JSON."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Any


class JsonResult:
    """Mixin: `to_json()` turns a result dataclass into plain JSON types."""

    def to_json(self) -> dict[str, Any]:
        plain: dict[str, Any] = _plain(dataclasses.asdict(self))  # type: ignore[call-overload]
        return plain


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value


@dataclass(frozen=True)
class Resource(JsonResult):
    kind: str
    name: str
    detail: str = ""


@dataclass(frozen=True)
class DeployResult(JsonResult):
    provider: str
    stage: str
    url: str | None = None
    version: str | None = None
    changed: bool = True
    outputs: dict[str, str] = dataclasses.field(default_factory=dict)


@dataclass(frozen=True)
class Status(JsonResult):
    """What is deployed for one stage (`faas status`; `--json` prints these fields)."""

    provider: str
    stage: str
    deployed: bool
    url: str | None = None
    version: str | None = None
    """The version taking the traffic, in the platform's own ids."""
    serving: str | None = None
    """The name through which `version` takes the traffic, where the platform routes through one
    (the Lambda alias on AWS); None where the version itself serves. Each provider documents its own."""
    last_deploy: datetime | None = None
    resources: tuple[Resource, ...] = ()


@dataclass(frozen=True)
class LogRecord(JsonResult):
    timestamp: datetime
    message: str
    source: str = ""
    request_id: str | None = None


@dataclass(frozen=True)
class InvokeResult(JsonResult):
    payload: Any
    logs: str = ""
    error: str | None = None
    exit_status: int | None = None

    def as_manage(self) -> InvokeResult:
        """The adapter's reply to a manage envelope, `{"exit_status", "output"}`, as the command's result.

        A reply of another shape (an error before the command ran) is returned as it is.
        """
        payload = self.payload
        if not (isinstance(payload, dict) and "exit_status" in payload):
            return self
        return InvokeResult(
            payload=payload.get("output", ""), logs=self.logs, error=self.error, exit_status=int(payload["exit_status"])
        )


@dataclass(frozen=True)
class RollbackResult(JsonResult):
    previous_version: str
    current_version: str


@dataclass(frozen=True)
class DnsRecord(JsonResult):
    name: str
    type: str
    value: str


@dataclass(frozen=True)
class CertifyResult(JsonResult):
    domain: str
    certificate: str
    certificate_status: str
    target: str | None = None
    dns_records: tuple[DnsRecord, ...] = ()
