"""`faas deploy --provider gcp` against the fake control plane: the URL serves, re-deploys converge."""

from __future__ import annotations

from typing import Any

import requests

from tests.fakes.gcp.fake import GcpFake

from .conftest import deploy

PATCH = "cloudfunctions.projects.locations.functions.patch"


def test_deploy_prints_a_url_that_serves_the_flask_app(flask_project: Any, gcp_env: GcpFake) -> None:
    _, outcome = deploy(flask_project())
    url = outcome.result.url
    assert url
    answer = requests.get(url, timeout=60)
    assert answer.status_code == 200, answer.text
    assert answer.json()["message"] == "Hello from Flask"
