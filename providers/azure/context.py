"""What every planning and applying module shares: the deployment (project, options, names, clients)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from azure.core.exceptions import HttpResponseError, ResourceNotFoundError

from faas import (
    AZURE_FUNCTION_APP,
    AZURE_RESOURCE_GROUP,
    AZURE_STORAGE_ACCOUNT,
    AZURE_TAGS,
    ErrorTranslator,
    StateKey,
)
from faas import Deployment as BaseDeployment
from faas import Names as BaseNames
from faas.providers.azure.provider import AzureOptions
from faas.providers.azure.session import AzureSession

# Built-in role: read, write and lease blobs (the host's locks and the deployment package), nothing else.
BLOB_DATA_OWNER = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b"
DEPLOYMENT_CONTAINER = "app-package"
RELEASES_CONTAINER = "faas-releases"


@dataclass(frozen=True)
class Names(BaseNames):
    function_rule = AZURE_FUNCTION_APP
    tag_format = AZURE_TAGS

    def resource_group(self, options: AzureOptions) -> str:
        return options.resource_group or AZURE_RESOURCE_GROUP.fit(self.prefix)

    def site(self, subscription: str) -> str:
        return self.unique("app", subscription, AZURE_FUNCTION_APP)

    def storage_account(self, subscription: str) -> str:
        return self.unique("st", subscription, AZURE_STORAGE_ACCOUNT)

    @property
    def identity(self) -> str:
        return f"{self.prefix}-id"

    @property
    def plan(self) -> str:
        return f"{self.prefix}-plan"


def role_assignment_name(scope: str, principal: str, role: str) -> str:
    """Role assignments are named by a GUID: derive it, so a rerun finds (not duplicates) the assignment."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{scope.lower()}|{principal}|{role}"))


def role_definition_id(subscription: str, role: str) -> str:
    """The resource id of built-in role `role` (its GUID) in `subscription`, as a role assignment names it."""
    return f"/subscriptions/{subscription}/providers/Microsoft.Authorization/roleDefinitions/{role}"


def get_or_none(call: Any, *args: Any) -> Any:
    """`call(*args)`, or None where ARM answers 404: the plan's read of what may not exist yet."""
    try:
        return call(*args)
    except ResourceNotFoundError:
        return None


def error_text(error: BaseException) -> str:
    """ARM's innermost message, with the resource it names: 'Code: message (target)'."""
    if not isinstance(error, HttpResponseError):
        return str(error)
    odata = getattr(error, "error", None)
    if odata is None:
        return (error.message or str(error)).splitlines()[0]
    while odata.details:
        odata = odata.details[0]
    target = f" ({odata.target})" if odata.target else ""
    code = f"{odata.code}: " if odata.code else ""
    return f"{code}{odata.message}{target}"


def _resource_of(error: HttpResponseError) -> str:
    # typed as `object` by azure-core: every transport's response has a .request with a .url
    request = getattr(error.response, "request", None)
    url = getattr(request, "url", None)
    return "" if url is None else str(url).split("?")[0].split("/providers/", 1)[-1]


def describe(error: BaseException) -> str:
    text = error_text(error)
    if isinstance(error, HttpResponseError) and "(" not in text:
        resource = _resource_of(error)
        if resource:
            text = f"{text} (on {resource})"
    return text


def is_missing(error: BaseException) -> bool:
    return isinstance(error, ResourceNotFoundError) or (
        isinstance(error, HttpResponseError) and error.status_code == 404
    )


ERRORS = ErrorTranslator(catches=(HttpResponseError,), describe=describe, is_missing=is_missing)
"""How apply, undeploy and plan turn ARM and Kudu errors into one line (and which mean "already gone")."""

SITE_ID = StateKey[str]("site id")
IDENTITY = StateKey[dict[str, str]]("identity ids")


@dataclass
class Deployment(BaseDeployment[AzureOptions, Names]):
    """One project and stage on Azure."""

    session: AzureSession

    @property
    def subscription(self) -> str:
        return self.session.subscription_id

    @property
    def group(self) -> str:
        return self.names.resource_group(self.options)

    @property
    def site(self) -> str:
        return self.names.site(self.subscription)

    @property
    def account(self) -> str:
        return self.names.storage_account(self.subscription)

    def group_id(self) -> str:
        return f"/subscriptions/{self.subscription}/resourceGroups/{self.group}"

    def resource_id(self, provider: str, kind: str, name: str) -> str:
        return f"{self.group_id()}/providers/{provider}/{kind}/{name}"

    def user_tags(self) -> dict[str, str]:
        return dict(self.options.tags)

    def client(self, client_class: type[Any]) -> Any:
        return self.session.client(client_class)
