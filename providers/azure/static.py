"""Storage roles on Azure: a blob container per `[storage.<role>]` in the stage's storage account.

Each role is a container of the account the site already stands on (named after the role: `static`,
`media`...; a role's `bucket` names an existing container of that account instead). `public = true`
makes the container's blobs readable anonymously (public access level `Blob`), which Azure allows
only where the account permits public blob access: faas turns that on for the account only while
some role is public. Other containers stay private. The identity the functions run as already holds
a data role on the whole account, so the app reads and writes every container.

Files are uploaded with the deployer's credential (OAuth; the account has shared key off) where the
blob's Content-MD5 differs from the local file's; files gone locally stay (pages cached elsewhere
may still link them). The app finds its containers in `FAAS_STORAGE_<ROLE>_BUCKET`/`_URL` and
`FAAS_STATIC_URL` (`https://<account>.blob.core.windows.net/<container>/`).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from azure.mgmt.storage import StorageManagementClient, models
from azure.storage.blob import BlobServiceClient, ContainerClient, ContentSettings

from faas import (
    Action,
    ApplyState,
    Artifact,
    Change,
    DeployError,
    StorageRole,
    storage_changes,
    storage_content_type,
    storage_files,
    storage_roles,
)
from faas import storage_environment as core_storage_environment
from faas.providers.azure.context import DEPLOYMENT_CONTAINER, RELEASES_CONTAINER, Deployment, get_or_none

RESOURCE = "blob container"
PUBLIC = "Blob"
PRIVATE = "None"


def container_name(role: str) -> str:
    """A container name for `role`: 3-63 of lowercase letters, digits and single hyphens."""
    name = re.sub(r"-+", "-", re.sub(r"[^a-z0-9-]", "-", role.lower())).strip("-")[:63].rstrip("-")
    return name if len(name) >= 3 else f"{name or 'role'}-files"


def containers(deployment: Deployment, artifact: Artifact | None = None) -> list[StorageRole]:
    roles = storage_roles(deployment.project, container_name, artifact)
    for role in roles:
        if role.bucket in (DEPLOYMENT_CONTAINER, RELEASES_CONTAINER):
            message = f"storage.{role.role}: container '{role.bucket}' is faas's own; name the role otherwise"
            raise DeployError("plan", message)
    return roles


def wants_public_access(deployment: Deployment) -> bool:
    """Whether the account must permit public blob access (some faas-made container is public)."""
    return any(role.public and role.managed for role in containers(deployment))


def _account(deployment: Deployment) -> Any:
    storage = deployment.client(StorageManagementClient)
    return get_or_none(storage.storage_accounts.get_properties, deployment.group, deployment.account)


def storage_environment(deployment: Deployment) -> dict[str, str]:
    """The app's variables, read from the account's blob endpoint (empty until the account exists)."""
    account = _account(deployment)
    if account is None or not containers(deployment):
        return {}
    endpoint = account.primary_endpoints.blob.rstrip("/")
    return core_storage_environment((r.role, r.bucket, f"{endpoint}/{r.bucket}/") for r in containers(deployment))


def plan_static(deployment: Deployment, artifact: Artifact, account_exists: bool) -> list[Action]:
    """Read-only: the account's public access, each role's container and its changed files."""
    roles = containers(deployment, artifact)
    if not roles:
        return []
    storage = deployment.client(StorageManagementClient)
    account = _account(deployment) if account_exists else None
    actions: list[Action] = []
    public = wants_public_access(deployment)
    if account is not None and bool(account.allow_blob_public_access) != public:
        details = (("public blob access", str(not public).lower(), str(public).lower()),)
        actions.append(Action(Change.UPDATE, "storage account", deployment.account, details, PublicAccessStep(public)))
    for role in roles:
        found = (
            get_or_none(storage.blob_containers.get, deployment.group, deployment.account, role.bucket)
            if account is not None
            else None
        )
        level = PUBLIC if role.public else PRIVATE
        if found is None and not role.managed:
            raise DeployError(
                "plan",
                f"storage.{role.role}.bucket '{role.bucket}' is not a container of the stage's storage account "
                f"{deployment.account}",
            )
        name = f"{deployment.account}/{role.bucket}"
        if found is None:
            actions.append(Action(Change.CREATE, RESOURCE, name, (("public", "", level),), ContainerStep(role)))
        elif role.managed and (found.public_access or PRIVATE) != level:
            details = (("public", str(found.public_access or PRIVATE), level),)
            actions.append(Action(Change.UPDATE, RESOURCE, name, details, ContainerStep(role)))
        if role.source is None:
            continue
        local = storage_files(role.source)
        remote = stored_md5(container_client(deployment, role.bucket, account)) if found is not None else {}
        changed = storage_changes(local, remote)
        if changed:
            details = (("files", f"{len(local) - len(changed)} unchanged", f"{len(changed)} to upload"),)
            actions.append(Action(Change.UPDATE, "static files", name, details, UploadFilesStep(role, changed)))
    return actions


def container_client(deployment: Deployment, container: str, account: Any | None = None) -> ContainerClient:
    account = account or _account(deployment)
    service = BlobServiceClient(
        account.primary_endpoints.blob,
        credential=deployment.session.credential,
        connection_verify=deployment.session.connection_verify,
    )
    return service.get_container_client(container)


def stored_md5(container: ContainerClient) -> dict[str, str]:
    """Each blob's Content-MD5 as hex (blobs uploaded in blocks may carry none: they upload again)."""
    found = {}
    for blob in container.list_blobs():
        md5 = blob.content_settings.content_md5
        if md5:
            found[blob.name] = bytes(md5).hex()
    return found


@dataclass(frozen=True)
class PublicAccessStep:
    """Permit public blob access on the account (while a container is public), or stop permitting it."""

    allow: bool

    def run(self, deployment: Deployment, state: ApplyState) -> None:
        deployment.client(StorageManagementClient).storage_accounts.update(
            deployment.group,
            deployment.account,
            models.StorageAccountUpdateParameters(
                properties=models.StorageAccountPropertiesUpdateParameters(allow_blob_public_access=self.allow)
            ),
        )


@dataclass(frozen=True)
class ContainerStep:
    """Create the container, or set its public access level (idempotent: a PUT of the container)."""

    role: StorageRole

    def run(self, deployment: Deployment, state: ApplyState) -> None:
        level = PUBLIC if self.role.public else PRIVATE
        deployment.client(StorageManagementClient).blob_containers.create(
            deployment.group,
            deployment.account,
            self.role.bucket,
            models.BlobContainer(container_properties=models.ContainerProperties(public_access=level)),
        )


@dataclass(frozen=True)
class UploadFilesStep:
    """Upload the changed files with their content type and MD5 (what the next plan compares)."""

    role: StorageRole
    keys: tuple[str, ...]

    def run(self, deployment: Deployment, state: ApplyState) -> None:
        assert self.role.source is not None
        container = container_client(deployment, self.role.bucket)
        for key in self.keys:
            data = (self.role.source / key).read_bytes()
            settings = ContentSettings(
                content_type=storage_content_type(key),
                content_md5=bytearray(hashlib.md5(data, usedforsecurity=False).digest()),
            )
            container.upload_blob(key, data, overwrite=True, content_settings=settings)
        deployment.say(f"uploaded {len(self.keys)} file(s) to {deployment.account}/{self.role.bucket}")
