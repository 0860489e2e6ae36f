# mypy: disable-error-code="no-untyped-call,import-untyped"
"""Cloud Logging v2: `entries:write` and `entries:list` with the part of the query language faas uses.

Supported filter terms, joined by whitespace or AND (as gcloud's gen2 log filter is written):
`field OP value` with OP one of `= != > >= < <= :`, fields such as `resource.type`,
`resource.labels.service_name`, `labels."goog-managed-by"`, `logName`, `severity` (compared by
level), `timestamp` (compared as time), `insertId`, `textPayload`, `jsonPayload.message`, and a
leading `NOT` or `-`. Anything else (OR, parentheses, functions) is refused with 400, so a test never
passes on a filter the fake did not really apply.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from google.cloud.logging_v2.types import logging as logging_types

from .discovery import Api
from .errors import invalid_argument
from .operations import now
from .server import Handler, Request, Service

SEVERITIES = ["DEFAULT", "DEBUG", "INFO", "NOTICE", "WARNING", "ERROR", "CRITICAL", "ALERT", "EMERGENCY"]
_TERM = re.compile(
    r'\s*(?P<neg>NOT\s+|-)?(?P<field>[A-Za-z_][\w.]*(?:\."[^"]+")?(?:\.[\w]+)*)\s*(?P<op>>=|<=|!=|=|>|<|:)\s*'
    r'(?P<value>"(?:[^"\\]|\\.)*"|[^\s()]+)\s*'
)


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _lookup(entry: dict[str, Any], path: str) -> Any:
    node: Any = entry
    for part in re.findall(r'"([^"]+)"|([^.]+)', path):
        key = part[0] or part[1]
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


def _compare(actual: Any, op: str, expected: str, path: str) -> bool:
    if actual is None:
        return op == "!="
    if path == "severity":
        left, right = SEVERITIES.index(str(actual)), SEVERITIES.index(expected.upper())
    elif path in ("timestamp", "receiveTimestamp"):
        left, right = _time(str(actual)), _time(expected)  # type: ignore[assignment]
    else:
        left, right = str(actual), expected  # type: ignore[assignment]
    if op == ":":
        return str(expected).lower() in str(actual).lower()
    return {
        "=": left == right,
        "!=": left != right,
        ">": left > right,
        ">=": left >= right,
        "<": left < right,
        "<=": left <= right,
    }[op]


@dataclass(frozen=True)
class Term:
    negate: bool
    path: str
    op: str
    value: str

    def matches(self, entry: dict[str, Any]) -> bool:
        return self.negate != _compare(_lookup(entry, self.path), self.op, self.value, self.path)


def parse_filter(text: str) -> list[Term]:
    terms: list[Term] = []
    rest = text.strip()
    while rest:
        if rest.startswith("AND "):
            rest = rest[4:].lstrip()
            continue
        found = _TERM.match(rest)
        if found is None or found.group("field") in ("OR", "AND"):
            raise invalid_argument(f"The fake's log filter does not understand: {rest!r}", field_path="filter")
        value = found.group("value")
        if value.startswith('"'):
            value = value[1:-1].replace('\\"', '"')
        if found.group("field") == "severity" and value.upper() not in SEVERITIES:
            raise invalid_argument(f"Invalid severity {value!r} in filter.", field_path="filter")
        terms.append(Term(bool(found.group("neg")), found.group("field"), found.group("op"), value))
        rest = rest[found.end() :]
        if rest.startswith("OR ") or rest.startswith("("):
            raise invalid_argument(f"The fake's log filter does not understand: {rest!r}", field_path="filter")
    return terms


@dataclass
class LoggingState:
    entries: list[dict[str, Any]] = field(default_factory=list)

    def add(self, entry: dict[str, Any]) -> dict[str, Any]:
        """Store one LogEntry (JSON form), with what Logging fills in when the writer leaves it out."""
        stored = dict(entry)
        stored.setdefault("timestamp", now())
        stored.setdefault("insertId", uuid.uuid4().hex[:16])
        stored.setdefault("severity", "DEFAULT")
        stored["receiveTimestamp"] = now()
        self.entries.append(stored)
        return stored


def build(state: LoggingState) -> Service:
    api = Api("logging.v2")

    def write(req: Request) -> Any:
        body = req.body
        entries = body.get("entries", [])
        if not entries:
            raise invalid_argument("entries must not be empty.", field_path="entries")
        for entry in entries:
            merged = {"logName": body.get("logName"), "resource": body.get("resource"), **entry}
            merged["labels"] = {**body.get("labels", {}), **entry.get("labels", {})}
            if not merged["labels"]:
                del merged["labels"]
            if not merged.get("logName") or not merged.get("resource"):
                raise invalid_argument("Each entry needs a log_name and a resource.", field_path="entries")
            if not body.get("dryRun"):
                state.add({k: v for k, v in merged.items() if v is not None})
        return {}

    def list_entries(req: Request) -> Any:
        body = req.body
        projects = body.get("resourceNames", [])
        if not projects:
            raise invalid_argument("resource_names must name at least one project.", field_path="resource_names")
        terms = parse_filter(body.get("filter", ""))
        order = body.get("orderBy", "timestamp asc").strip().lower()
        if order not in ("timestamp asc", "timestamp desc", "timestamp"):
            raise invalid_argument(f"Invalid order_by {order!r}: only timestamp asc|desc.", field_path="order_by")
        found = [
            e
            for e in state.entries
            if any(e["logName"].startswith(f"{p}/logs/") for p in projects) and all(t.matches(e) for t in terms)
        ]
        found.sort(key=lambda e: _time(e["timestamp"]), reverse=order.endswith("desc"))
        size = int(body.get("pageSize") or 50)
        if not 0 < size <= 1000:
            raise invalid_argument("page_size must be between 1 and 1000.", field_path="page_size")
        start = int(body.get("pageToken") or 0)
        out: dict[str, Any] = {"entries": found[start : start + size]}
        if start + size < len(found):
            out["nextPageToken"] = str(start + size)
        return out

    handlers: dict[str, Handler] = {"logging.entries.write": write, "logging.entries.list": list_entries}
    messages = {
        "WriteLogEntriesRequest": logging_types.WriteLogEntriesRequest.pb(),
        "ListLogEntriesRequest": logging_types.ListLogEntriesRequest.pb(),
    }
    return Service("logging", api, handlers, messages)
