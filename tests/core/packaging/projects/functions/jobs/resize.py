"""A plain function packaged by the tests (no dependencies)."""

from typing import Any


def handle(event: dict[str, Any], context: object) -> dict[str, str]:
    return {"seen": ",".join(sorted(event))}
