"""The CLI against the real moto server: exit codes and log output as a user sees them."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import boto3

from .conftest import REGION


def faas(project: Any, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "faas.core.cli", *args, "--provider", "aws"]
    return subprocess.run(command, capture_output=True, text=True, cwd=Path(project.root), timeout=120)


def test_logs_of_nothing_deployed_exit_7_as_on_local(write_project: Any) -> None:
    project = write_project("[app]\nentry = 'app:application'\n")
    result = faas(project, "logs")
    assert result.returncode == 7, result.stderr
    assert "not deployed" in result.stderr


def test_a_record_of_several_lines_prints_each_line_with_its_prefix(write_project: Any) -> None:
    project = write_project("[app]\nentry = 'app:application'\n")
    # awslambdaric writes an error record as one CloudWatch event, lines joined by \r, indented with no-break spaces.
    message = (
        "[ERROR] ValueError: bad setting\rTraceback (most recent call last):\r"
        '\u00a0\u00a0File "/var/task/app.py", line 3, in <module>\r\u00a0\u00a0\u00a0\u00a0configure()'
    )
    group = f"/aws/lambda/{project.resource_prefix}"
    logs = boto3.client("logs", region_name=REGION)
    logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName="2026/12/02/[1]abc")
    logs.put_log_events(
        logGroupName=group,
        logStreamName="2026/12/02/[1]abc",
        logEvents=[{"timestamp": int(time.time() * 1000), "message": message}],
    )
    result = faas(project, "logs", "--since", "1h")
    assert result.returncode == 0, result.stderr
    assert "\r" not in result.stdout and "\u00a0" not in result.stdout
    lines = result.stdout.splitlines()
    assert len(lines) == 4, result.stdout
    prefix = lines[0].split(" [ERROR]", 1)[0]
    assert lines[1:] == [
        f"{prefix} Traceback (most recent call last):",
        f'{prefix}   File "/var/task/app.py", line 3, in <module>',
        f"{prefix}     configure()",
    ]
