"""Storage roles on GCP against the fake: a bucket per role, public read, changed files only, undeploy."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import requests
from google.cloud import storage

from faas import DeployError
from faas.core import workflow
from faas.core.config import load_project
from faas.core.reporting import NullReporter
from tests.fakes.gcp.fake import GcpFake

from .conftest import deploy

DJANGO = Path(__file__).parents[3] / "examples" / "django"


def storage_client(fake: GcpFake) -> storage.Client:
    return storage.Client(
        project=fake.project, credentials=fake.credentials(), client_options=fake.client_options("storage")
    )


def grants(bucket: storage.Bucket) -> set[tuple[str, str]]:
    policy = bucket.get_iam_policy(requested_policy_version=3)
    return {(binding["role"], member) for binding in policy.bindings for member in binding["members"]}


@pytest.fixture
def django_project(tmp_path: Path, gcp_env: GcpFake) -> Any:
    root = tmp_path / "django"
    shutil.copytree(DJANGO, root, ignore=shutil.ignore_patterns("*.sqlite3", "staticfiles", "__pycache__"))
    with (root / "faas.toml").open("a") as config:
        config.write(f'\n[providers.gcp]\nregion = "{gcp_env.region}"\n')
    return load_project(root / "faas.toml", "dev")


def test_django_admin_is_served_with_its_css_from_the_public_bucket(django_project: Any, gcp_env: GcpFake) -> None:
    provider, outcome = deploy(django_project)
    page = requests.get(outcome.result.url.rstrip("/") + "/admin/login/", timeout=60)
    assert page.status_code == 200, page.text
    (css,) = re.findall(r'href="([^"]+/admin/css/base[^"]*\.css)"', page.text)
    assert css.startswith(gcp_env.endpoints["storage"] + "/")
    answer = requests.get(css, timeout=30)  # anonymous, as a browser fetches it
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/css")
    assert b"body" in answer.content

    (bucket,) = storage_client(gcp_env).list_buckets()
    assert bucket.labels["faas-stage"] == "dev" and bucket.location.lower() == gcp_env.region
    runtime = provider.deployment.runtime_email
    assert {("roles/storage.objectViewer", "allUsers"), ("roles/storage.objectUser", f"serviceAccount:{runtime}")} <= (
        grants(bucket)
    )
    assert css.startswith(f"{gcp_env.endpoints['storage']}/{bucket.name}/")
    assert ("storage bucket", bucket.name) in [(r.kind, r.name) for r in provider.status().resources]

    before = len(gcp_env.writes())
    _, again = deploy(django_project)
    assert not again.result.changed and gcp_env.writes()[before:] == []

    workflow.undeploy(provider)
    assert list(storage_client(gcp_env).list_buckets()) == []


def test_a_private_role_is_not_readable_and_only_changed_files_are_uploaded(
    flask_project: Any, gcp_env: GcpFake
) -> None:
    media = Path(flask_project.root) / "media-src"  # type: ignore[attr-defined]
    media.mkdir()
    (media / "a.txt").write_text("a")
    (media / "b.txt").write_text("b")
    project = flask_project('[storage.media]\nsource = "media-src"\n')
    provider, _ = deploy(project)
    (bucket,) = storage_client(gcp_env).list_buckets()
    assert bucket.iam_configuration.public_access_prevention == "enforced"
    runtime = provider.deployment.runtime_email
    assert grants(bucket) >= {("roles/storage.objectUser", f"serviceAccount:{runtime}")}
    assert not any(member == "allUsers" for _, member in grants(bucket))
    denied = requests.get(f"{gcp_env.endpoints['storage']}/{bucket.name}/a.txt", timeout=30)
    assert denied.status_code == 403

    (media / "b.txt").write_text("b, changed")
    uploads = len(gcp_env.writes("storage"))
    deploy(project)
    (upload,) = gcp_env.writes("storage")[uploads:]  # b.txt only: a.txt is unchanged
    assert b'"name": "b.txt"' in upload.body
    assert storage_client(gcp_env).bucket(bucket.name).blob("b.txt").download_as_bytes() == b"b, changed"


def test_a_users_bucket_that_does_not_exist_is_refused_before_any_write(flask_project: Any, gcp_env: GcpFake) -> None:
    project = flask_project('[storage.media]\nbucket = "their-media-bucket"\n')
    provider = workflow.open_provider(project, "gcp", reporter=NullReporter())
    with pytest.raises(DeployError, match=r"storage\.media\.bucket 'their-media-bucket' does not exist"):
        workflow.deploy(provider)
    assert gcp_env.writes() == []


def test_a_conditional_binding_of_the_user_stays_conditional_when_faas_changes_the_policy(
    flask_project: Any, gcp_env: GcpFake
) -> None:
    deploy(flask_project("[storage.media]\n"))
    (bucket,) = storage_client(gcp_env).list_buckets()
    policy = bucket.get_iam_policy(requested_policy_version=3)
    policy.version = 3
    condition = {"title": "reports only", "expression": 'resource.name.startsWith("reports/")'}
    member = "user:auditor@example.com"
    policy.bindings.append({"role": "roles/storage.objectViewer", "members": {member}, "condition": condition})
    bucket.set_iam_policy(policy)

    deploy(flask_project("[storage.media]\npublic = true\n"))  # faas rewrites the bucket's policy
    bindings = bucket.get_iam_policy(requested_policy_version=3).bindings
    assert [b.get("condition") for b in bindings if member in b["members"]] == [condition]
    assert ("roles/storage.objectViewer", "allUsers") in grants(bucket)
