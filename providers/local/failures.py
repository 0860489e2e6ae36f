"""Saying why a runtime failed to start the artifact: the user's traceback, shown as a traceback.

awslambdaric reports an init error twice: a JSON body on the Runtime API (type, message, stack
frames) and a log record whose lines are joined with "\r" and indented with no-break spaces (so
CloudWatch keeps it as one event), after a LAMBDA_WARNING paragraph about runtime updates. What a
user needs is the usual Python traceback of their own code, without the frames of importlib and
of faas's adapter in between.
"""

from __future__ import annotations

import re
from typing import Any

# awslambdaric's own records: the runtime-update warning and the [ERROR] record that repeats the init error.
_RUNTIME_RECORD = re.compile(r"^\[(WARNING|ERROR)\]\s")
_FRAME_FILE = re.compile(r'^\s*File "([^"]+)"')


def as_lines(record: str) -> list[str]:
    """A log record as the lines it was written as (awslambdaric joins them with \\r, indents with no-break spaces)."""
    lines = re.split(r"\r\n|\r|\n", record)
    return [_restore_indent(line) for line in lines]


def _restore_indent(line: str) -> str:
    stripped = line.lstrip("\u00a0")
    return " " * (len(line) - len(stripped)) + stripped


def start_failure(platform: str, detail: str, output: str, error: dict[str, Any] | None, code_dir: str) -> str:
    """The message of a failed start: what failed, the user's traceback, and what the code printed."""
    lines = [f"the {platform} runtime failed to start the artifact: {detail}"]
    frames = _user_frames(error.get("stackTrace") if error else None, code_dir)
    records = output.splitlines()
    if error:
        # What follows the runtime's first own record is its report of this error, said better below.
        ends = [index for index, record in enumerate(records) if _RUNTIME_RECORD.match(record)]
        records = records[: ends[0]] if ends else records
    printed = [line for record in records for line in as_lines(record)]
    if printed:
        lines += ["output of the runtime:", *printed]
    if frames:
        lines += ["Traceback (most recent call last):", *frames]
        lines += as_lines(f"{error.get('errorType', 'Error')}: {error.get('errorMessage', '')}") if error else []
    return "\n".join(lines)


def _user_frames(stack: Any, code_dir: str) -> list[str]:
    """The frames of the project's code (and its dependencies) from awslambdaric's stack, as traceback lines."""
    if not isinstance(stack, list) or not all(isinstance(frame, str) for frame in stack):
        return []
    adapter = (f"{code_dir}/faas/", f"{code_dir}/faas_entry.py")
    mine = []
    for frame in stack:
        match = _FRAME_FILE.match(frame)
        path = match.group(1) if match else ""
        if path.startswith(code_dir + "/") and not path.startswith(adapter):
            mine.append(frame)
    chosen = mine or stack
    return [line for frame in chosen for line in as_lines(frame.rstrip("\n"))]
