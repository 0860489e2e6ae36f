"""A message published to a local topic reaches its topic trigger in each platform's event shape."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from faas.providers.local.provider import LocalProvider

from .conftest import deployed_locally, functions_project

pytestmark = pytest.mark.slow

TASKS = """
import json, os, time


def on_alert(event, context):
    path = os.path.join(os.environ["PROBE_DIR"], "alert-%d.json" % time.time_ns())
    with open(path + ".tmp", "w") as handle:
        json.dump(event, handle)
    os.rename(path + ".tmp", path)
"""


@pytest.fixture(scope="module", params=["aws", "gcp", "azure"])
def deployed(request, tmp_path_factory) -> Iterator[tuple[LocalProvider, Path]]:
    tmp_path = tmp_path_factory.mktemp(f"topic-{request.param}")
    root, seen = functions_project(
        tmp_path,
        TASKS,
        lambda seen: (
            'name = "alerts"\n'
            '[[functions]]\nname = "pager"\nentry = "tasks:on_alert"\ntriggers = [{ topic = "alerts" }]\n'
            f'environment = {{ PROBE_DIR = "{seen}" }}\n'
            f'[providers.local]\nemulate = "{request.param}"\n'
        ),
    )
    with deployed_locally(root, tmp_path) as provider:
        yield provider, seen


def test_a_published_message_fires_the_topic_trigger(deployed):
    provider, seen = deployed
    outcomes = provider.publish("alerts", "disk almost full")
    assert outcomes and all(outcome["kind"] == "ok" for outcome in outcomes), outcomes
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not list(seen.glob("alert-*.json")):
        time.sleep(0.1)
    [path] = seen.glob("alert-*.json")
    event = json.loads(path.read_text())
    if provider.emulated == "aws":
        assert event["Records"][0]["Sns"]["Message"] == "disk almost full"
        assert event["Records"][0]["Sns"]["TopicArn"].endswith(":alerts")
    elif provider.emulated == "gcp":
        assert event["source"].endswith("/topics/alerts")
    else:
        assert (event["type"], event["topic"], event["data"]) == ("topic", "alerts", {"message": "disk almost full"})
