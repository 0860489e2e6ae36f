"""Local buckets and queues fire storage and queue triggers with each platform's event shape."""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from faas.providers.local.provider import LocalProvider

from .conftest import deployed_locally, functions_project

pytestmark = pytest.mark.slow

TASKS = """
import json, os, time


def on_upload(event, context):
    _record("upload", event)


def on_job(event, context):
    if "fail-me" in json.dumps(event):
        raise RuntimeError("this message fails")
    _record("job", event)


def _record(kind, event):
    path = os.path.join(os.environ["PROBE_DIR"], "%s-%d.json" % (kind, time.time_ns()))
    with open(path + ".tmp", "w") as handle:
        json.dump(event, handle)
    os.rename(path + ".tmp", path)
"""


def records(folder: Path, kind: str, count: int, timeout: float = 30) -> list[str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = sorted(folder.glob(f"{kind}-*.json"))
        if len(found) >= count:
            return [path.read_text() for path in found]
        time.sleep(0.1)
    pytest.fail(f"expected {count} {kind} invocation(s), got {len(list(folder.glob(f'{kind}-*.json')))}")


@pytest.fixture(scope="module", params=["aws", "gcp", "azure"])
def deployed(request, tmp_path_factory) -> Iterator[tuple[LocalProvider, Path]]:
    tmp_path = tmp_path_factory.mktemp(request.param)
    root, seen = functions_project(
        tmp_path,
        TASKS,
        lambda seen: (
            'name = "buckets"\n'
            '[[functions]]\nname = "thumbnail"\nentry = "tasks:on_upload"\n'
            'triggers = [{ storage = { bucket = "uploads", prefix = "img/", suffix = ".jpg" } }]\n'
            f'environment = {{ PROBE_DIR = "{seen}" }}\n'
            '[[functions]]\nname = "worker"\nentry = "tasks:on_job"\n'
            'triggers = [{ queue = { name = "jobs", batch_size = 2 } }]\n'
            f'environment = {{ PROBE_DIR = "{seen}" }}\n'
            f'[providers.local]\nemulate = "{request.param}"\n'
        ),
    )
    with deployed_locally(root, tmp_path) as provider:
        yield provider, seen


def test_a_new_object_fires_the_storage_trigger_through_its_filter(deployed):
    provider, seen = deployed
    bucket = provider.bucket_dir("uploads")
    (bucket / "docs").mkdir(parents=True, exist_ok=True)
    (bucket / "docs" / "cat.jpg").write_bytes(b"outside the prefix")
    (bucket / "img").mkdir(exist_ok=True)
    (bucket / "img" / "cat.jpg").write_bytes(b"\xff\xd8 a jpeg")
    [event] = records(seen, "upload", 1)
    assert "img/cat.jpg" in event
    time.sleep(1.5)
    assert len(list(seen.glob("upload-*.json"))) == 1, "objects outside the trigger's filter fire nothing"
    assert any(resource.kind == "bucket" for resource in provider.status().resources)


def test_queue_messages_are_delivered_and_removed(deployed):
    provider, seen = deployed
    bodies = ("first", "second", "third")
    for body in bodies:
        provider.send_message("jobs", body)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(not p.name.startswith(".") for p in provider.queue_dir("jobs").iterdir()):
        time.sleep(0.1)
    # SQS hands over batches (batch_size 2: at least two invocations); Pub/Sub and Azure one each.
    delivered = " ".join(records(seen, "job", 2 if provider.emulated == "aws" else 3))
    if provider.emulated == "gcp":
        # Pub/Sub carries the message base64-encoded in the CloudEvent.
        bodies = tuple(base64.b64encode(body.encode()).decode() for body in bodies)
    assert all(body in delivered for body in bodies), delivered


# The retry policy is the same code for every platform: one platform is enough.
@pytest.mark.parametrize("deployed", ["aws"], indirect=True)
def test_a_failing_message_ends_in_the_dead_letter_folder(deployed):
    provider, _ = deployed
    provider.send_message("jobs", "fail-me")
    failed = provider.queue_dir("jobs") / ".failed"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not (failed.is_dir() and any(failed.iterdir())):
        time.sleep(0.2)
    assert failed.is_dir() and len(list(failed.iterdir())) == 1
