"""The HTTP request as the gateway received it, before any platform shapes it."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl


@dataclass(frozen=True)
class GatewayRequest:
    """One client request: raw path and query, headers in arrival order, the client's address."""

    method: str
    path: str
    query: str
    headers: list[tuple[str, str]]
    body: bytes
    source_ip: str
    host: str
    port: int
    request_id: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    def header(self, name: str, default: str = "") -> str:
        lname = name.lower()
        for key, value in self.headers:
            if key.lower() == lname:
                return value
        return default

    def header_values(self, name: str) -> list[str]:
        lname = name.lower()
        return [value for key, value in self.headers if key.lower() == lname]

    def query_pairs(self) -> list[tuple[str, str]]:
        return parse_qsl(self.query, keep_blank_values=True)

    @property
    def target(self) -> str:
        return self.path + (f"?{self.query}" if self.query else "")
