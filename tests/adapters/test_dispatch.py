"""Non-HTTP events reach the right user function (AWS and GCP), per docs/runtime-contract.md."""

from __future__ import annotations

import json
import sys

import pytest

from faas.adapters.bootstrap import build
from faas.adapters.dispatch import import_entry
from faas.adapters.errors import ConfigError, UnknownEventError, UnroutableEventError
from tests.adapters.conftest import load_sample
from tests.adapters.events import (
    make_s3_event,
    make_schedule_event,
    make_sns_event,
    make_sqs_event,
    make_v2_event,
)
from tests.adapters.project import Project


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delenv("FAAS_FUNCTION", raising=False)
    monkeypatch.delenv("FAAS_PRIVATE", raising=False)
    return Project(tmp_path)


class TestAwsRouting:
    def test_schedule_by_the_trigger_name_in_the_manifest(self, project):
        handler = build("aws", root=project.root)
        assert handler(make_schedule_event("bestpuppers-dev-nightly-report-0"), None) == {"ran": "nightly"}

    def test_schedules_are_told_apart_by_name_not_by_the_rule_name_shape(self, tmp_path, monkeypatch):
        monkeypatch.syspath_prepend(str(tmp_path))
        probe = Project(tmp_path)
        functions = {
            "a": {"entry": f"{probe.tasks}:nightly", "triggers": [{"type": "schedule", "name": "rule-17"}]},
            "b": {"entry": f"{probe.tasks}:thumbs", "triggers": [{"type": "schedule", "name": "other-b-0"}]},
        }
        handler = build("aws", root=Project(tmp_path, functions=functions).root)
        assert handler(make_schedule_event("rule-17"), None) == {"ran": "nightly"}
        assert handler(make_schedule_event("other-b-0"), None) == {"ran": "thumbs"}
        # A rule shaped like <prefix>-<function>-<n> is not enough: no trigger has that name.
        with pytest.raises(UnroutableEventError, match=r"^aws: no function is registered for this schedule event"):
            handler(make_schedule_event("stranger-prefix-b-0"), None)

    def test_sqs_by_queue_name(self, project):
        handler = build("aws", root=project.root)
        event = make_sqs_event("thumbnails", "resize me")
        assert handler(event, None) == {"ran": "thumbs"}
        assert project.calls() == [("thumbs", event)]

    @pytest.mark.parametrize(
        "key, name, expected",
        [
            ("img/cat.jpg", "ObjectCreated:Put", "uploads"),
            ("img/my cat.jpg", "ObjectCreated:CompleteMultipartUpload", "uploads"),  # "+" in the event
            ("img/cat.png", "ObjectRemoved:Delete", "deleted"),
            ("docs/a.txt", "ObjectRemoved:DeleteMarkerCreated", "deleted"),
        ],
    )
    def test_s3_by_bucket_prefix_suffix_and_action(self, project, key, name, expected):
        handler = build("aws", root=project.root)
        assert handler(make_s3_event("uploads", key, name), None) == {"ran": expected}

    def test_s3_nothing_matches_names_what_was_seen(self, project):
        handler = build("aws", root=project.root)
        with pytest.raises(UnroutableEventError, match=r"storage event .*docs/a.txt.*uploads"):
            handler(make_s3_event("uploads", "docs/a.txt"), None)

    def test_sns_by_topic(self, project):
        assert build("aws", root=project.root)(make_sns_event("alerts"), None) == {"ran": "alerts"}

    def test_http_event_still_goes_to_the_app(self, project):
        result = build("aws", root=project.root)(make_v2_event("GET", "/hello"), None)
        assert json.loads(result["body"]) == {"path": "/hello", "script": ""}

    def test_envelope_calls_a_function_by_name(self, project):
        handler = build("aws", root=project.root)
        result = handler({"faas": {"function": "thumbnails", "event": {"x": 1}}}, None)
        assert result == {"ran": "thumbs"}
        assert project.calls() == [("thumbs", {"x": 1})]

    def test_envelope_with_unknown_function(self, project):
        with pytest.raises(UnroutableEventError, match="nope"):
            build("aws", root=project.root)({"faas": {"function": "nope"}}, None)

    def test_faas_function_serves_every_non_http_event(self, project, monkeypatch):
        monkeypatch.setenv("FAAS_FUNCTION", "alerts")
        handler = build("aws", root=project.root)
        assert handler(make_sqs_event("whatever"), None) == {"ran": "alerts"}
        assert handler({"custom": "payload"}, None) == {"ran": "alerts"}

    def test_unknown_event_names_its_keys(self, project):
        with pytest.raises(UnknownEventError, match=r"keys \[awslogs\]"):
            build("aws", root=project.root)(load_sample("aws/cloudwatch-logs-event.json"), None)


class TestOfficialAwsSamples:
    def test_samples_route(self, tmp_path, monkeypatch):
        monkeypatch.syspath_prepend(str(tmp_path))
        monkeypatch.delenv("FAAS_FUNCTION", raising=False)
        probe = Project(tmp_path)
        tasks = probe.tasks
        functions = {
            "sched": {
                "entry": f"{tasks}:nightly",
                "triggers": [{"type": "schedule", "expression": "rate(1 hour)", "name": "my-schedule"}],
            },
            "s3": {
                "entry": f"{tasks}:uploads",
                "triggers": [
                    {"type": "storage", "bucket": "sourcebucket", "events": ["created"], "prefix": "Happy Face"}
                ],
            },
            "sqs": {"entry": f"{tasks}:thumbs", "triggers": [{"type": "queue", "queue": "SQSQueue"}]},
            "sns": {"entry": f"{tasks}:alerts", "triggers": [{"type": "topic", "topic": "EXAMPLE"}]},
        }
        project = Project(tmp_path, functions=functions)
        handler = build("aws", root=project.root)
        assert handler(load_sample("aws/scheduled-event.json"), None) == {"ran": "nightly"}
        assert handler(load_sample("aws/s3-event.json"), None) == {"ran": "uploads"}
        assert handler(load_sample("aws/sqs-event.json"), None) == {"ran": "thumbs"}
        assert handler(load_sample("aws/sns-event.json"), None) == {"ran": "alerts"}


pytest.importorskip("functions_framework")


def gcp_client(project, tmp_path):
    import textwrap

    import functions_framework

    main = tmp_path / "main.py"
    main.write_text(
        textwrap.dedent(f"""
        from faas.adapters.bootstrap import build
        handler = build("gcp", root={str(project.root)!r})
    """)
    )
    return functions_framework.create_app(target="handler", source=str(main), signature_type="http").test_client()


PUBSUB_HEADERS = {
    "ce-specversion": "1.0",
    "ce-type": "google.cloud.pubsub.topic.v1.messagePublished",
    "ce-source": "//pubsub.googleapis.com/projects/p/topics/thumbnails",
    "ce-id": "1",
}


class TestGcpRouting:
    def test_private_function_routes_pubsub_cloud_event(self, project, tmp_path, monkeypatch):
        monkeypatch.setenv("FAAS_PRIVATE", "1")
        client = gcp_client(project, tmp_path)
        body = {"message": {"data": "aGk=", "attributes": {}}}
        response = client.post("/", json=body, headers=PUBSUB_HEADERS)
        assert response.get_json() == {"ran": "thumbs"}
        ((_, event),) = project.calls()
        assert event["type"] == "google.cloud.pubsub.topic.v1.messagePublished"
        assert event["data"] == body

    def test_private_function_routes_storage_cloud_event(self, project, tmp_path, monkeypatch):
        monkeypatch.setenv("FAAS_PRIVATE", "1")
        client = gcp_client(project, tmp_path)
        headers = {
            "ce-specversion": "1.0",
            "ce-type": "google.cloud.storage.object.v1.finalized",
            "ce-source": "//storage.googleapis.com/projects/_/buckets/uploads",
            "ce-subject": "objects/img/dog.jpg",
            "ce-id": "2",
        }
        assert client.post("/", json={"name": "img/dog.jpg"}, headers=headers).get_json() == {"ran": "uploads"}

    def test_structured_official_sample(self, project, tmp_path, monkeypatch):
        monkeypatch.setenv("FAAS_PRIVATE", "1")
        event = load_sample("gcp/pubsub_text-cloud-event-output.json")
        event["source"] = "//pubsub.googleapis.com/projects/sample-project/topics/alerts"
        client = gcp_client(project, tmp_path)
        response = client.post("/", data=json.dumps(event), content_type="application/cloudevents+json")
        assert response.get_json() == {"ran": "alerts"}

    def test_legacy_official_sample_classifies(self):
        from faas.adapters.gcp import classify

        source = classify(load_sample("gcp/pubsub_text-legacy-input.json"))
        assert (source.kind, source.name) == ("topic", "gcf-test")

    def test_envelope_on_private_function(self, project, tmp_path, monkeypatch):
        monkeypatch.setenv("FAAS_PRIVATE", "1")
        client = gcp_client(project, tmp_path)
        response = client.post("/", json={"faas": {"function": "alerts", "event": {"a": 1}}})
        assert response.get_json() == {"ran": "alerts"}

    def test_public_function_never_honours_cloud_events_or_envelopes(self, project, tmp_path):
        client = gcp_client(project, tmp_path)
        assert client.post("/x", json={"message": {}}, headers=PUBSUB_HEADERS).get_json() == {
            "path": "/x",
            "script": "",
        }
        assert client.post("/", json={"faas": {"function": "alerts"}}).get_json()["path"] == "/"
        assert project.calls() == []


class TestImportEntry:
    def test_a_factory_entry_is_called_once_with_no_argument(self, tmp_path, monkeypatch):
        (tmp_path / "factory_app.py").write_text(
            "calls = []\n\n"
            "def create_app(test_config=None):\n    calls.append(test_config)\n    return ('app', len(calls))\n"
        )
        monkeypatch.syspath_prepend(str(tmp_path))
        assert import_entry("factory_app:create_app()") == ("app", 1)
        assert import_entry("factory_app:create_app") is sys.modules["factory_app"].create_app

    def test_a_factory_entry_naming_no_callable_says_so(self, tmp_path, monkeypatch):
        (tmp_path / "not_factory.py").write_text("app = object()\n")
        monkeypatch.syspath_prepend(str(tmp_path))
        with pytest.raises(ConfigError, match=r"not_factory.app is not callable, so it is no app factory"):
            import_entry("not_factory:app()")
