"""`faas logs`: the deployment's log records, optionally followed."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import click

from faas.core.cli.state import get_state, global_options
from faas.core.errors import UsageError

_DURATION = re.compile(r"^(\d+)([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def parse_since(text: str | None, now: datetime | None = None) -> datetime | None:
    """`10m`, `2h`, `1d` ago, or an ISO timestamp."""
    if text is None:
        return None
    match = _DURATION.match(text.strip())
    if match:
        return (now or datetime.now(UTC)) - timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--since '{text}' is neither a duration (30s, 10m, 2h, 1d) nor an ISO time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def record_lines(message: str) -> list[str]:
    """The lines of one record, each printed on its own line.

    The Lambda runtime joins a multi-line message (a logged traceback) with "\\r" and indents it with
    no-break spaces, so that CloudWatch keeps it as one event; a terminal would print it as one
    line overwriting itself.
    """
    lines = re.split(r"\r\n|\r|\n", message.rstrip())
    return [" " * (len(line) - len(line.lstrip("\u00a0"))) + line.lstrip("\u00a0") for line in lines]


@click.command()
@click.option("--tail", "-f", "follow", is_flag=True, help="Keep printing new records.")
@click.option("--since", help="Start this long ago (30s, 10m, 2h, 1d) or at an ISO time. Default: 10m.", default="10m")
@click.option("--filter", "pattern", help="Only records containing this text (the provider's filter syntax).")
@global_options
def logs(follow: bool, since: str, pattern: str | None) -> None:
    """Print the deployment's logs."""
    state = get_state()
    for record in state.provider().logs(since=parse_since(since), follow=follow, pattern=pattern):
        if state.json:
            print(state.redact(json.dumps(record.to_json())), flush=True)
        else:
            request = f" [{record.request_id}]" if record.request_id else ""
            prefix = f"{record.timestamp.isoformat(timespec='seconds')} {record.source}{request}"
            text = "\n".join(f"{prefix} {line}" for line in record_lines(record.message))
            print(state.redact(text), flush=True)
