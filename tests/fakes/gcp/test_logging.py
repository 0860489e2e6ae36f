# mypy: disable-error-code="no-untyped-call,import-untyped"
"""Cloud Logging on the fake: entries written and listed through google-cloud-logging over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from google.api_core import exceptions
from google.cloud import logging as cloud_logging

from tests.fakes.gcp.fake import GcpFake

pytestmark = pytest.mark.slow


def logging_client(fake: GcpFake) -> cloud_logging.Client:
    return cloud_logging.Client(
        project=fake.project,
        credentials=fake.credentials(),
        client_options=fake.client_options("logging"),
        _use_grpc=False,
    )


def run_entry(fake: GcpFake, service: str, text: str, *, at: datetime, severity: str = "INFO") -> dict[str, Any]:
    return {
        "logName": f"projects/{fake.project}/logs/run.googleapis.com%2Fstdout",
        "resource": {
            "type": "cloud_run_revision",
            "labels": {"service_name": service, "location": fake.region, "revision_name": f"{service}-00001-abc"},
        },
        "labels": {"goog-managed-by": "cloudfunctions"},
        "textPayload": text,
        "severity": severity,
        "timestamp": at.isoformat().replace("+00:00", "Z"),
    }


def gen2_filter(fake: GcpFake, service: str) -> str:
    # gcloud's gen2 log filter (_CreateGen2LogFilterBase), as the provider will send it.
    return (
        f'resource.type="cloud_run_revision" resource.labels.location="{fake.region}" '
        f'logName:"run.googleapis.com" labels."goog-managed-by"="cloudfunctions" '
        f'resource.labels.service_name="{service}"'
    )


def test_list_filters_by_resource_labels_and_time_and_orders(gcp_fake: GcpFake) -> None:
    start = datetime.now(UTC) - timedelta(minutes=10)
    for minute, (service, text) in enumerate(
        [("logs-a", "one"), ("logs-b", "other"), ("logs-a", "two"), ("logs-a", "three")]
    ):
        gcp_fake.logging.add(run_entry(gcp_fake, service, text, at=start + timedelta(minutes=minute)))
    client = logging_client(gcp_fake)
    since = (start + timedelta(seconds=30)).isoformat().replace("+00:00", "Z")
    found = list(
        client.list_entries(
            resource_names=[f"projects/{gcp_fake.project}"],
            filter_=f'{gen2_filter(gcp_fake, "logs-a")} timestamp>="{since}"',
            order_by=cloud_logging.DESCENDING,
        )
    )
    assert [entry.payload for entry in found] == ["three", "two"]
    assert found[0].resource.labels["service_name"] == "logs-a"
    listed = next(r for r in gcp_fake.requests if r.method_id == "logging.entries.list")
    assert listed.path == "/v2/entries:list" and listed.body["orderBy"] == "timestamp desc"


def test_written_entries_come_back_and_severity_compares_by_level(gcp_fake: GcpFake) -> None:
    client = logging_client(gcp_fake)
    logger = client.logger("faas-sev-test")
    logger.log_text("just info", severity="INFO")
    logger.log_struct({"message": "bad thing"}, severity="ERROR")
    found = list(
        client.list_entries(
            resource_names=[f"projects/{gcp_fake.project}"],
            filter_=f'logName="projects/{gcp_fake.project}/logs/faas-sev-test" severity>=WARNING',
        )
    )
    assert [entry.payload for entry in found] == [{"message": "bad thing"}]
    assert found[0].insert_id  # filled in by the service


def test_pages(gcp_fake: GcpFake) -> None:
    at = datetime.now(UTC)
    for n in range(5):
        gcp_fake.logging.add(run_entry(gcp_fake, "logs-paged", f"line {n}", at=at + timedelta(seconds=n)))
    client = logging_client(gcp_fake)
    found = list(
        client.list_entries(
            resource_names=[f"projects/{gcp_fake.project}"], filter_=gen2_filter(gcp_fake, "logs-paged"), page_size=2
        )
    )
    assert [entry.payload for entry in found] == [f"line {n}" for n in range(5)]
    calls = [r.body for r in gcp_fake.requests if r.method_id == "logging.entries.list"]
    assert [call.get("pageToken") for call in calls] == [None, "2", "4"]


@pytest.mark.parametrize("bad", ['resource.type="a" OR resource.type="b"', "(severity>=ERROR)", "severity>=LOUD"])
def test_a_filter_the_fake_cannot_apply_is_refused(gcp_fake: GcpFake, bad: str) -> None:
    with pytest.raises(exceptions.BadRequest):
        list(logging_client(gcp_fake).list_entries(resource_names=[f"projects/{gcp_fake.project}"], filter_=bad))


def test_another_projects_entries_are_not_listed(gcp_fake: GcpFake) -> None:
    entry = run_entry(gcp_fake, "logs-elsewhere", "not mine", at=datetime.now(UTC))
    entry["logName"] = "projects/someone-else/logs/run.googleapis.com%2Fstdout"
    gcp_fake.logging.add(entry)
    found = list(
        logging_client(gcp_fake).list_entries(
            resource_names=[f"projects/{gcp_fake.project}"], filter_='resource.labels.service_name="logs-elsewhere"'
        )
    )
    assert found == []
