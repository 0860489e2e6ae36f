"""Storage roles on Azure against the fakes: a blob container per role in the stage's account, public read."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests
from azure.core.exceptions import ResourceNotFoundError
from azure.mgmt.storage import StorageManagementClient

from faas import DeployError
from faas.core import workflow

EXAMPLES = Path(__file__).parents[3] / "examples"


@pytest.fixture
def django_project(tmp_path: Path) -> Path:
    target = tmp_path / "django"
    skipped = shutil.ignore_patterns("*.sqlite3", "staticfiles", "__pycache__")
    shutil.copytree(EXAMPLES / "django", target, ignore=skipped)
    # Azure's host answers /admin/* itself (its admin API) when the route prefix is empty, as it is
    # by default: the admin moves, as the plan's note tells a Django user to do.
    urls = target / "mysite" / "urls.py"
    urls.write_text(urls.read_text().replace('path("admin/"', 'path("site-admin/"'))
    return target


def test_django_admin_is_served_with_its_css_from_a_public_container(
    django_project: Path,
    azure_env: Any,
    deploy: Callable[[Path], workflow.DeployOutcome],
    azure_provider: Callable[[Path], Any],
) -> None:
    outcome = deploy(django_project)
    assert outcome.result is not None and outcome.result.url
    assert any('path("site-admin/"' in note for note in outcome.plan.notes), outcome.plan.notes
    verify = azure_env.ca_bundle
    page = requests.get(outcome.result.url.rstrip("/") + "/site-admin/login/", timeout=60, verify=verify)
    assert page.status_code == 200, page.text
    (css,) = re.findall(r'href="([^"]+/admin/css/base[^"]*\.css)"', page.text)
    answer = requests.get(css, timeout=30, verify=verify)  # anonymous, as a browser fetches it
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/css")

    provider = azure_provider(django_project)
    storage = azure_env.client(StorageManagementClient)
    deployment = provider.deployment  # type: ignore[attr-defined]
    account = storage.storage_accounts.get_properties(deployment.group, deployment.account)
    assert account.allow_blob_public_access is True
    container = storage.blob_containers.get(deployment.group, deployment.account, "static")
    assert container.public_access == "Blob" and css.startswith(account.primary_endpoints.blob.rstrip("/") + "/static/")

    before = len(azure_env.write_calls())
    again = deploy(django_project)
    assert again.result is not None and not again.result.changed
    assert azure_env.write_calls()[before:] == []


def test_a_private_role_is_not_public_and_only_changed_files_are_uploaded(
    flask_project: Path,
    azure_env: Any,
    deploy: Callable[[Path], workflow.DeployOutcome],
    azure_provider: Callable[[Path], Any],
) -> None:
    media = flask_project / "media-src"
    media.mkdir()
    (media / "a.txt").write_text("a")
    (media / "b.txt").write_text("b")
    with (flask_project / "faas.toml").open("a") as config:
        config.write('\n[storage.media]\nsource = "media-src"\n')
    deploy(flask_project)
    deployment = azure_provider(flask_project).deployment  # type: ignore[attr-defined]
    storage = azure_env.client(StorageManagementClient)
    account = storage.storage_accounts.get_properties(deployment.group, deployment.account)
    assert account.allow_blob_public_access is False
    assert storage.blob_containers.get(deployment.group, deployment.account, "media").public_access in (None, "None")
    url = f"{account.primary_endpoints.blob.rstrip('/')}/media/a.txt"
    assert requests.get(url, timeout=30, verify=azure_env.ca_bundle).status_code in (401, 403, 404)

    (media / "b.txt").write_text("b, changed")
    from faas.providers.azure import static

    before = static.stored_md5(static.container_client(deployment, "media"))
    deploy(flask_project)
    after = static.stored_md5(static.container_client(deployment, "media"))
    assert after["a.txt"] == before["a.txt"] and after["b.txt"] != before["b.txt"]


def test_a_users_container_that_does_not_exist_is_refused(
    flask_project: Path,
    azure_env: Any,
    deploy: Callable[[Path], workflow.DeployOutcome],
    azure_provider: Callable[[Path], Any],
) -> None:
    deploy(flask_project)
    with (flask_project / "faas.toml").open("a") as config:
        config.write('\n[storage.media]\nbucket = "their-media"\n')
    before = len(azure_env.write_calls())
    with pytest.raises(DeployError, match=r"storage\.media\.bucket 'their-media' is not a container"):
        deploy(flask_project)
    assert azure_env.write_calls()[before:] == []


def test_public_blob_access_is_permitted_only_while_a_role_is_public(
    flask_project: Path,
    azure_env: Any,
    deploy: Callable[[Path], workflow.DeployOutcome],
    azure_provider: Callable[[Path], Any],
) -> None:
    config = flask_project / "faas.toml"
    plain = config.read_text()
    (flask_project / "assets").mkdir()
    (flask_project / "assets" / "logo.txt").write_text("logo")
    deploy(flask_project)
    deployment = azure_provider(flask_project).deployment
    storage = azure_env.client(StorageManagementClient)

    def public_access() -> tuple[bool, str | None]:
        account = storage.storage_accounts.get_properties(deployment.group, deployment.account)
        try:
            level = storage.blob_containers.get(deployment.group, deployment.account, "assets").public_access
        except ResourceNotFoundError:
            level = None
        return bool(account.allow_blob_public_access), level

    assert public_access() == (False, None)
    config.write_text(plain + '\n[storage.assets]\npublic = true\nsource = "assets"\n')
    deploy(flask_project)
    assert public_access() == (True, "Blob")
    config.write_text(plain + '\n[storage.assets]\nsource = "assets"\n')
    deploy(flask_project)
    assert public_access() == (False, "None")
