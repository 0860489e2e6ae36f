"""The adapter's SnapStart hooks, registered with awslambdaric's own snapshot_restore_py and run by
awslambdaric's own hook runner, as the runtime runs them around a snapshot."""

from __future__ import annotations

import random
import subprocess
import sys
import textwrap

import pytest


def test_hooks_close_django_connections_and_reseed_random(tmp_path) -> None:
    pytest.importorskip("django")
    pytest.importorskip("awslambdaric")
    database = str(tmp_path / "db.sqlite3")
    code = textwrap.dedent(
        f"""
        import random
        import django
        from django.conf import settings

        settings.configure(DATABASES={{"default": {{"ENGINE": "django.db.backends.sqlite3", "NAME": {database!r}}}}})
        django.setup()
        from django.db import connection
        from awslambdaric import lambda_runtime_hooks_runner
        from faas.adapters.aws.snapstart import register_hooks

        assert register_hooks()
        connection.ensure_connection()
        assert connection.connection is not None
        random.seed(42)
        lambda_runtime_hooks_runner.run_before_snapshot()
        assert connection.connection is None, "a connection was frozen into the snapshot"
        lambda_runtime_hooks_runner.run_after_restore()
        print(random.random())
        """
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert float(result.stdout) != random.Random(42).random()
