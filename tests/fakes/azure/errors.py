"""ARM's error envelope: `{"error": {"code", "message", "details"}}`, with the status it travels with."""

from __future__ import annotations

from typing import Any


class ArmError(Exception):
    """An ARM error response; raised anywhere in a handler, rendered by the server."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: list[dict[str, Any]] | None = None,
        *,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.details = details or []
        self.headers = headers or {}

    def envelope(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


def not_found(resource_type: str, name: str, group: str) -> ArmError:
    return ArmError(
        404, "ResourceNotFound", f"The Resource '{resource_type}/{name}' under resource group '{group}' was not found."
    )


def group_not_found(group: str) -> ArmError:
    return ArmError(404, "ResourceGroupNotFound", f"Resource group '{group}' could not be found.")
