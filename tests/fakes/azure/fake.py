"""The whole local Azure: token endpoint, ARM, Azurite and a Kudu per site, started and stopped together."""

from __future__ import annotations

import shutil
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from . import groups
from .arm import Arm, Fault, LoggedCall, is_write
from .azurite import Azurite
from .httpserver import HttpsServer
from .identity import IdentityProvider
from .keyvault import KeyVaultProvider
from .kudu import KuduHosts
from .monitor import LogAnalytics, MonitorProvider
from .network import NetworkProvider
from .siteops import SiteOperations
from .sites import SiteHosts
from .storage import StorageProvider
from .tls import make_certificates
from .tokens import TokenIssuer
from .web import WebProvider

T = TypeVar("T")


@dataclass(frozen=True)
class Credentials:
    tenant_id: str
    client_id: str
    client_secret: str
    authority: str  # pass as ClientSecretCredential(authority=...), with disable_instance_discovery=True


class AzureFake:
    """A running fake; build clients with `credential()` and `client_kwargs()`."""

    def __init__(self, workdir: Path | None = None, *, with_storage: bool = True) -> None:
        self._own_workdir = workdir is None
        self.workdir = workdir or Path(tempfile.mkdtemp(prefix="azure-fake-"))
        self.certificates = make_certificates(self.workdir / "tls")
        self.ca_bundle = str(self.certificates.ca_pem)
        self.subscription_id = str(uuid.uuid4())
        self.tokens = TokenIssuer(
            tenant_id=str(uuid.uuid4()),
            client_id=str(uuid.uuid4()),
            client_secret="fake-secret-" + uuid.uuid4().hex,
            object_id=str(uuid.uuid4()),
        )
        self._servers: list[HttpsServer] = []
        self._token_server = self._serve(self.tokens)
        self.tokens.url = self._token_server.url
        self.arm = Arm(subscription_id=self.subscription_id, tenant_id=self.tokens.tenant_id, tokens=self.tokens)
        self._arm_server = self._serve(self.arm)
        self.arm.url = self._arm_server.url
        self.azurite: Azurite | None = Azurite(self.workdir / "azurite", self.certificates) if with_storage else None
        groups.register(self.arm)
        self.identity = IdentityProvider(self.arm)
        self.identity.register()
        self.storage: StorageProvider | None = None
        if self.azurite is not None:
            self.storage = StorageProvider(self.arm, self.azurite, self.ca_bundle)
            self.storage.register()
        self.keyvault = KeyVaultProvider(self.arm, self._serve)
        self.keyvault.register()
        # each site's front end at its defaultHostName, running what Kudu released
        self.sites = SiteHosts(
            self.workdir / "sites",
            self.certificates.server_context,
            keys_of=lambda site_id: self.site_operations.keys_of(site_id),  # noqa: PLW0108 (built below)
            settings_of=self._settings_seen_by,
            index_of=lambda site_id: self.kudu.index_of(site_id),  # noqa: PLW0108 (built below)
        )
        self.kudu = KuduHosts(
            self.certificates.server_context,
            arm=self.arm,
            storage=self.storage,
            identity=self.identity,
            on_release=self.sites.deploy,
        )
        self.web = WebProvider(
            self.arm,
            self.storage,
            self.identity,
            self.kudu.start,
            self.kudu.stop,
            self.kudu.index_of,
            start_site=self.sites.start,
        )
        self.web.register()
        self.network = NetworkProvider(self.arm)
        self.network.register()
        self.web.subnet_problem = self.network.subnet_problem
        self.web.settings_listeners.append(self.sites.restart)
        self.site_operations = SiteOperations(self.web, on_restart=self.sites.restart)
        self.site_operations.register()
        self.arm.deletion_listeners.append(
            lambda document: self.sites.stop(document["id"]) if document.get("type") == "Microsoft.Web/sites" else None
        )
        self.monitor = MonitorProvider(self.arm)
        self.monitor.register()
        # api.loganalytics.io: the sites' logs as AppTraces of the workspace their component sends to
        self.log_analytics = LogAnalytics(
            tokens=self.tokens, monitor=self.monitor, hosts=lambda: iter(list(self.sites.hosts.values()))
        )
        self.log_analytics.url = self._serve(self.log_analytics).url
        self.extra: dict[str, Any] = {}

    def _settings_seen_by(self, site_id: str) -> dict[str, str]:
        """The site's app settings as its process gets them: Key Vault references resolved (App Service's part)."""
        settings = dict(self.web.app_settings.get(site_id.lower(), {}))
        site = self.arm.get(site_id) or {}
        reference_identity = (site.get("properties") or {}).get("keyVaultReferenceIdentity") or ""
        identity = self.arm.get(reference_identity) if reference_identity.startswith("/") else None
        principal = identity["properties"]["principalId"] if identity is not None else None
        return self.keyvault.resolve(site_id, settings, principal)

    def _serve(self, app: Any) -> HttpsServer:
        server = HttpsServer(app, self.certificates.server_context())
        self._servers.append(server)
        return server

    # -- what a test or the provider needs ---------------------------------------------------------

    @property
    def arm_endpoint(self) -> str:
        return self.arm.url

    @property
    def credentials(self) -> Credentials:
        return Credentials(
            self.tokens.tenant_id, self.tokens.client_id, self.tokens.client_secret, self._token_server.url
        )

    def credential(self) -> Any:
        """A real azure-identity ClientSecretCredential that gets its tokens from the fake."""
        from azure.identity import ClientSecretCredential

        c = self.credentials
        return ClientSecretCredential(
            c.tenant_id,
            c.client_id,
            c.client_secret,
            authority=c.authority,
            disable_instance_discovery=True,
            connection_verify=self.ca_bundle,
        )

    def client_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for any azure-mgmt-* client: endpoint, CA, no waiting between polls."""
        return {"base_url": self.arm.url, "connection_verify": self.ca_bundle, "polling_interval": 0}

    def environment(self) -> dict[str, str]:
        """Variables that point a shell (and azure-identity's EnvironmentCredential) at the fake.

        AZURE_AUTHORITY_HOST is the token endpoint; instance discovery must still be turned off in code
        (`disable_instance_discovery=True`), and the ARM endpoint passed as the clients' `base_url`.
        """
        c = self.credentials
        return {
            "AZURE_TENANT_ID": c.tenant_id,
            "AZURE_CLIENT_ID": c.client_id,
            "AZURE_CLIENT_SECRET": c.client_secret,
            "AZURE_AUTHORITY_HOST": c.authority,
            "AZURE_SUBSCRIPTION_ID": self.subscription_id,
            "AZURE_FAKE_ARM_ENDPOINT": self.arm.url,
            # What faas itself reads (the azure provider's arm_endpoint default).
            "FAAS_AZURE_ARM_ENDPOINT": self.arm.url,
            "FAAS_AZURE_LOGS_ENDPOINT": self.log_analytics.url,
            "REQUESTS_CA_BUNDLE": str(self.certificates.with_public_roots),
            "SSL_CERT_FILE": str(self.certificates.with_public_roots),
            "CURL_CA_BUNDLE": str(self.certificates.with_public_roots),  # curl reads this one first
        }

    def client(self, client_class: type[T]) -> T:
        """An azure-mgmt-* client pointed at the fake, e.g. `fake.client(WebSiteManagementClient)`."""
        return client_class(self.credential(), self.subscription_id, **self.client_kwargs())  # type: ignore[call-arg]

    @property
    def calls(self) -> list[LoggedCall]:
        return self.arm.calls

    def mutating_calls(self, path_contains: str = "") -> list[LoggedCall]:
        return [
            c
            for c in self.arm.calls
            if c.method in ("PUT", "PATCH", "DELETE", "POST") and path_contains.lower() in c.path.lower()
        ]

    def write_calls(self) -> list[LoggedCall]:
        """The calls `fail_nth_call` counts: writes, not the POSTs that only list or check."""
        return [c for c in self.arm.calls if is_write(c.method, c.path)]

    def fail_nth_call(
        self,
        nth: int,
        *,
        status: int = 409,
        code: str = "Conflict",
        message: str | None = None,
        retry_after: int | None = None,
        path_contains: str | None = None,
    ) -> Fault:
        """Make the nth mutating ARM call from now on (optionally only calls whose path contains a text) fail.

        Documented ARM answers to use: 429 TooManyRequests with Retry-After (azure-core retries it),
        409 Conflict / AnotherOperationInProgress, 500 InternalServerError (retried), 400 BadRequest.
        """
        fault = Fault(nth, status, code, message or f"Injected fault: {code}.", retry_after, path_contains)
        self.arm.switches.faults.append(fault)
        return fault

    def stop(self) -> None:
        self.kudu.stop_all()
        self.keyvault.stop_all()
        self.sites.stop_all()
        for server in self._servers:
            server.stop()
        if self.azurite is not None:
            self.azurite.stop()
        if self._own_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> AzureFake:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
