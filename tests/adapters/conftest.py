"""Fixtures shared by the adapter tests: apps, and the official samples in ../shared/events."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

#: Official event samples live beside the project, not in it (a user's clone has none).
SHARED_EVENTS = Path(__file__).resolve().parents[3] / "shared" / "events"


def load_sample(relative: str) -> dict[str, Any]:
    """An official sample event, or skip the test with the reason."""
    path = SHARED_EVENTS / relative
    if not path.is_file():
        pytest.skip(
            f"official event samples not found at {SHARED_EVENTS} (../shared/events is only "
            "present in the team checkout and CI)"
        )
    return json.loads(path.read_text())


@pytest.fixture
def flask_app() -> Any:
    from tests.adapters.apps.flask_app import create_app

    return create_app()


@pytest.fixture(scope="session")
def django_app() -> Any:
    from tests.adapters.apps.django_app import application

    return application()


@pytest.fixture(autouse=True)
def _quiet_access_log(capsys: pytest.CaptureFixture[str]) -> None:
    """Access lines go to stdout; capsys keeps them out of the test output (tests read them)."""
