# mypy: disable-error-code="no-untyped-call,import-untyped"
"""Helpers for tests that drive the fake with the official clients (this package's and a provider's)."""

from __future__ import annotations

import io
import zipfile

import pytest
import requests
from google.api_core import exceptions
from google.api_core.future import polling
from google.cloud import functions_v2, run_v2, scheduler_v1

from .fake import GcpFake

# Poll operations fast: the fake finishes one after a single `done: false` poll.
POLL = polling.DEFAULT_POLLING.with_delay(initial=0.01, maximum=0.05).with_timeout(30)


def status_of(exc: pytest.ExceptionInfo[exceptions.GoogleAPICallError]) -> str:
    """The envelope's `error.status`: over REST, api_core picks the class by HTTP code (409 is Conflict)."""
    assert exc.value.response is not None
    status: str = exc.value.response.json()["error"]["status"]
    return status


def archive() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("main.py", "def hello(request):\n    return 'hello'\n")
        zf.writestr("requirements.txt", "functions-framework==3.10.2\n")
    return buffer.getvalue()


def functions_client(fake: GcpFake) -> functions_v2.FunctionServiceClient:
    return functions_v2.FunctionServiceClient(
        transport="rest", client_options=fake.client_options("cloudfunctions"), credentials=fake.credentials()
    )


def upload(fake: GcpFake, client: functions_v2.FunctionServiceClient) -> functions_v2.StorageSource:
    request = functions_v2.GenerateUploadUrlRequest(parent=fake.location(), environment=functions_v2.Environment.GEN_2)
    answer = client.generate_upload_url(request=request)
    put = requests.put(answer.upload_url, data=archive(), headers={"content-type": "application/zip"}, timeout=30)
    assert put.status_code == 200, put.text
    return answer.storage_source


def new_function(source: functions_v2.StorageSource, **service: object) -> functions_v2.Function:
    return functions_v2.Function(
        build_config=functions_v2.BuildConfig(
            runtime="python312", entry_point="hello", source=functions_v2.Source(storage_source=source)
        ),
        service_config=functions_v2.ServiceConfig(**service),
        labels={"faas-project": "demo"},
    )


def create(fake: GcpFake, function_id: str, **service: object) -> functions_v2.Function:
    client = functions_client(fake)
    op = client.create_function(
        parent=fake.location(), function=new_function(upload(fake, client), **service), function_id=function_id
    )
    result: functions_v2.Function = op.result(polling=POLL)
    return result


def run_services(fake: GcpFake) -> run_v2.ServicesClient:
    return run_v2.ServicesClient(
        transport="rest", client_options=fake.client_options("run"), credentials=fake.credentials()
    )


def scheduler(fake: GcpFake) -> scheduler_v1.CloudSchedulerClient:
    return scheduler_v1.CloudSchedulerClient(
        transport="rest", client_options=fake.client_options("cloudscheduler"), credentials=fake.credentials()
    )
