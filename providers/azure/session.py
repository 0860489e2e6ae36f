"""Credentials and clients: which cloud (ARM endpoint and token audience), which identity, which CA.

`AzureCliCredential` (`az login`) by default. A service principal given in the environment
(AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET, optionally AZURE_AUTHORITY_HOST) is used
instead, CI's usual path; never `DefaultAzureCredential`, whose managed-identity probe calls the
instance metadata address from a laptop.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from faas import ConfigError

if TYPE_CHECKING:
    from azure.core.credentials import TokenCredential

    from faas.providers.azure.provider import AzureOptions

T = TypeVar("T")

PUBLIC_ARM = "https://management.azure.com"
# The token audience of each cloud's ARM (a sovereign cloud's ARM accepts only its own).
AUDIENCES = {
    "https://management.azure.com": "https://management.azure.com",
    "https://management.usgovcloudapi.net": "https://management.usgovcloudapi.net",
    "https://management.chinacloudapi.cn": "https://management.chinacloudapi.cn",
}
ENDPOINT_VARIABLE = "FAAS_AZURE_ARM_ENDPOINT"


@dataclass
class AzureSession:
    """The credential, endpoint and CA every client of one deployment shares."""

    arm_endpoint: str
    audience: str
    connection_verify: str | bool
    subscription_id: str
    credential: TokenCredential
    _clients: dict[type[Any], Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_options(cls, options: AzureOptions) -> AzureSession:
        endpoint = (options.arm_endpoint or os.environ.get(ENDPOINT_VARIABLE) or PUBLIC_ARM).rstrip("/")
        audience = options.arm_audience or AUDIENCES.get(endpoint, PUBLIC_ARM)
        verify: str | bool = options.ca_bundle or os.environ.get("REQUESTS_CA_BUNDLE") or True
        credential = make_credential(verify)
        subscription = options.subscription_id or os.environ.get("AZURE_SUBSCRIPTION_ID")
        if not subscription:
            raise ConfigError(
                "no Azure subscription: set [providers.azure] subscription_id or AZURE_SUBSCRIPTION_ID "
                "(`az account show --query id -o tsv` prints yours)"
            )
        return cls(endpoint, audience, verify, subscription, credential)

    @property
    def scope(self) -> str:
        return f"{self.audience}/.default"

    def client(self, client_class: type[T]) -> T:
        """One azure-mgmt-* client per class, pointed at the endpoint with the matching scopes."""
        if client_class not in self._clients:
            self._clients[client_class] = client_class(  # type: ignore[call-arg]
                self.credential,
                self.subscription_id,
                base_url=self.arm_endpoint,
                credential_scopes=[self.scope],
                connection_verify=self.connection_verify,
            )
        return self._clients[client_class]  # type: ignore[no-any-return]


def make_credential(verify: str | bool) -> TokenCredential:
    """A service principal from the environment when one is set there, else the Azure CLI's login."""
    tenant, client, secret = (os.environ.get(f"AZURE_{n}") for n in ("TENANT_ID", "CLIENT_ID", "CLIENT_SECRET"))
    if tenant and client and secret:
        from azure.identity import ClientSecretCredential

        authority = os.environ.get("AZURE_AUTHORITY_HOST")
        extra: dict[str, Any] = {"connection_verify": verify}
        if authority:
            # A private authority (a sovereign cloud's, a test's) is not in Microsoft's discovery list.
            extra.update(authority=authority, disable_instance_discovery=True)
        return ClientSecretCredential(tenant, client, secret, **extra)
    from azure.identity import AzureCliCredential

    return AzureCliCredential()
