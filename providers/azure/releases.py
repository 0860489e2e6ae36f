"""Every published release kept in the releases container, and `faas rollback` that republishes one.

Each release is `<sha256>.zip` (the package as published) and `<sha256>.json` (the app settings it
ran with), stamped with when it was released. Rollback republishes the chosen zip through the same
One Deploy path as a deploy, with its settings restored, so it goes through the same checks
(deployment status, every function indexed).

The blobs are written with the deployer's own credential (OAuth: the account has shared key off), so
the deployer needs a Storage Blob Data role on the account, as for any data-plane access.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from azure.core.exceptions import AzureError, ResourceNotFoundError
from azure.mgmt.storage import StorageManagementClient
from azure.mgmt.web.models import StringDictionary
from azure.storage.blob import BlobServiceClient, ContainerClient

from faas import DeployError, NotDeployedError, RollbackResult, UsageError, translated
from faas.providers.azure import site as sites
from faas.providers.azure.context import ERRORS, RELEASES_CONTAINER, Deployment

RELEASED = "released"  # blob metadata: seconds since the epoch, as text (metadata values are strings)


@dataclass(frozen=True)
class Release:
    sha256: str
    released: float

    @property
    def version(self) -> str:
        return self.sha256[:12]


def container(deployment: Deployment) -> ContainerClient:
    storage = deployment.client(StorageManagementClient)
    account = storage.storage_accounts.get_properties(deployment.group, deployment.account)
    service = BlobServiceClient(
        account.primary_endpoints.blob,
        credential=deployment.session.credential,
        connection_verify=deployment.session.connection_verify,
    )
    return service.get_container_client(RELEASES_CONTAINER)


def store(deployment: Deployment, sha256: str, package: bytes, settings: dict[str, str]) -> None:
    """Keep a published release; its settings without the release marker (restored with the zip)."""
    releases = container(deployment)
    metadata = {RELEASED: f"{time.time():.6f}"}
    snapshot = {k: v for k, v in settings.items() if k != sites.RELEASE}
    releases.upload_blob(f"{sha256}.zip", package, overwrite=True, metadata=metadata)
    document = json.dumps(snapshot, sort_keys=True).encode()
    releases.upload_blob(f"{sha256}.json", document, overwrite=True, metadata=metadata)


def refresh_snapshot(deployment: Deployment, sha256: str, settings: dict[str, str]) -> None:
    """The live release's settings changed without a publish: its snapshot follows (if it is kept)."""
    releases = container(deployment)
    package = releases.get_blob_client(f"{sha256}.zip")
    if not package.exists():
        return  # released before faas kept releases: nothing to roll back to anyway
    released = (package.get_blob_properties().metadata or {}).get(RELEASED, "0")
    snapshot = {k: v for k, v in settings.items() if k != sites.RELEASE}
    document = json.dumps(snapshot, sort_keys=True).encode()
    releases.upload_blob(f"{sha256}.json", document, overwrite=True, metadata={RELEASED: released})


def history(releases: ContainerClient) -> list[Release]:
    """Kept releases, oldest first."""
    found = [
        Release(blob.name[: -len(".zip")], float((blob.metadata or {}).get(RELEASED, 0) or 0))
        for blob in releases.list_blobs(include=["metadata"])
        if blob.name.endswith(".zip")
    ]
    return sorted(found, key=lambda release: release.released)


def choose(kept: list[Release], current: str | None, to: str | None) -> Release:
    if to is not None:
        matches = [r for r in kept if r.sha256.startswith(to.lower())]
        if len(matches) != 1:
            known = ", ".join(r.version for r in kept) or "none"
            raise UsageError(f"no single kept release matches '{to}'; kept: {known}")
        return matches[0]
    index = next((i for i, r in enumerate(kept) if r.sha256 == current), None)
    if index is None or index == 0:
        raise UsageError("there is no release before the current one to roll back to")
    return kept[index - 1]


def rollback(deployment: Deployment, to: str | None) -> RollbackResult:
    from faas.providers.azure import publish

    with translated(deployment, "rollback", ERRORS):
        site = sites.read_site(deployment)
        if site is None:
            raise NotDeployedError(f"function app {deployment.site} is not deployed")
        current = sites.current_settings(deployment)
        released = current.get(sites.RELEASE)
        try:
            releases = container(deployment)
            target = choose(history(releases), released, to)
            package = releases.download_blob(f"{target.sha256}.zip").readall()
            snapshot: dict[str, Any] = json.loads(releases.download_blob(f"{target.sha256}.json").readall())
        except ResourceNotFoundError as error:
            raise DeployError("rollback", f"a kept release is incomplete: {error.message}") from None
        except AzureError as error:
            raise DeployError("rollback", f"the releases container is not readable: {error}") from None
        sites.web(deployment).web_apps.update_application_settings(
            deployment.group,
            deployment.site,
            StringDictionary(properties=restored(current, snapshot)),
        )
        publish.release(deployment, site, package, target.sha256, keep=False)
    return RollbackResult(previous_version=(released or "")[:12], current_version=target.version)


def restored(current: dict[str, str], snapshot: dict[str, str]) -> dict[str, str]:
    """The snapshot's faas settings, and the settings faas never managed as they are now."""
    ours = {name for name in current.get(sites.MANAGED, "").split(",") if name}
    # the release marker stays until the republish succeeds (an interrupted rollback is redone by a deploy)
    kept = {k: v for k, v in current.items() if k not in ours}
    return {**kept, **{k: str(v) for k, v in snapshot.items()}}
