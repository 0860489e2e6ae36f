"""A Kudu (SCM site) per function app: Flex Consumption's One Deploy publish and deployment status.

`POST /api/publish?RemoteBuild=false&Deployer=...` with a zip (Content-Type application/zip, an ARM
bearer token) answers 202 and processes the deployment in the background, as Kudu does: the package
is written to the site's deployment container as `released-package.zip` *with the identity that
functionAppConfig names*, so a missing Storage Blob Data role fails the deployment (status 3,
BlobUploadFailedException), as on Azure. `GET /api/deployments/{id|latest}` reports it.
"""

from __future__ import annotations

import io
import ssl
import threading
import time
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .arm import ARM_AUDIENCES, Arm
from .httpserver import App, HttpsServer, Request, Response
from .identity import IdentityProvider
from .indexer import Index, index_package
from .storage import StorageProvider

PACKAGE_BLOB = "released-package.zip"
PENDING, BUILDING, FAILED, SUCCESS = 0, 1, 3, 4


@dataclass
class Deployment:
    id: str
    deployer: str
    remote_build: bool
    size: int
    status: int = PENDING
    status_text: str = "Receiving changes."
    received_time: str = field(default_factory=lambda: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
    end_time: str | None = None
    complete: bool = False
    log: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self, site: str) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status,
            "status_text": self.status_text,
            "author": "N/A",
            "deployer": self.deployer,
            "message": "OneDeploy",
            "progress": "",
            "received_time": self.received_time,
            "start_time": self.received_time,
            "end_time": self.end_time,
            "last_success_end_time": self.end_time if self.status == SUCCESS else None,
            "complete": self.complete,
            "active": self.status == SUCCESS,
            "is_temp": False,
            "is_readonly": True,
            "site_name": site,
            # the fake stores the package as sent: a remote build (Oryx pip install) is recorded, not run
            "remote_build": self.remote_build,
            "build_summary": {"errors": [], "warnings": []},
        }


def _entry(message: str, *, kind: int = 0) -> dict[str, Any]:
    # Kudu's LogEntry: type 0 message, 1 warning, 2 error
    return {
        "log_time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "id": uuid.uuid4().hex,
        "message": message,
        "type": kind,
        "details_url": None,
    }


class Kudu(App):
    def __init__(
        self,
        site: dict[str, Any],
        *,
        arm: Arm,
        storage: StorageProvider | None,
        identity: IdentityProvider,
        on_release: Callable[[dict[str, Any], bytes], Any] | None = None,
    ) -> None:
        self.site = site
        self.on_release = on_release  # runs the released package (sites.py), after it is stored
        self.arm = arm
        self.storage = storage
        self.identity = identity
        self.deployments: list[Deployment] = []
        self.index = Index()  # what the host indexed from the released package
        self.busy_publishes = 0  # the next N publishes answer 409 (another deployment in progress)
        self.lock = threading.Lock()

    def handle(self, request: Request) -> Response:
        if self.arm.tokens.audience_of(request.headers.get("authorization")) not in ARM_AUDIENCES:
            return Response(401, raw=b"Unauthorized", content_type="text/plain")
        path = request.path.rstrip("/").lower()
        if request.method == "POST" and path == "/api/publish":
            return self.publish(request)
        if request.method == "GET" and path == "/api/deployments":
            return Response(200, [d.as_json(self.site["name"]) for d in reversed(self.deployments)])
        if request.method == "GET" and path.startswith("/api/deployments/") and path.endswith("/log"):
            wanted = path.split("/")[-2]
            with self.lock:
                found = self.deployments[-1:] if wanted == "latest" else [d for d in self.deployments if d.id == wanted]
            if not found:
                return Response(404, {"Message": f"Deployment '{wanted}' not found."})
            return Response(200, list(found[0].log))
        if request.method == "GET" and path.startswith("/api/deployments/"):
            wanted = path.rsplit("/", 1)[-1]
            with self.lock:
                found = self.deployments[-1:] if wanted == "latest" else [d for d in self.deployments if d.id == wanted]
            if not found:
                return Response(404, {"Message": f"Deployment '{wanted}' not found."})
            return Response(200, found[0].as_json(self.site["name"]))
        return Response(404, {"Message": f"No route for {request.method} {request.path}."})

    def publish(self, request: Request) -> Response:
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/zip":
            return Response(
                415, raw=b"Unsupported Media Type: send the package as application/zip.", content_type="text/plain"
            )
        if not zipfile.is_zipfile(io.BytesIO(request.body)):
            return Response(400, raw=b"The request body is not a zip package.", content_type="text/plain")
        with self.lock:
            if self.busy_publishes > 0 or any(not d.complete for d in self.deployments):
                self.busy_publishes = max(0, self.busy_publishes - 1)
                return Response(
                    409,
                    raw=b"There is a deployment currently in progress. Please try again when it completes.",
                    content_type="text/plain",
                )
            deployment = Deployment(
                id=uuid.uuid4().hex,
                deployer=request.query.get("Deployer", request.query.get("deployer", "")),
                remote_build=request.query.get("RemoteBuild", "false").lower() == "true",
                size=len(request.body),
            )
            self.deployments.append(deployment)
        threading.Thread(target=self._process, args=(deployment, request.body), daemon=True).start()
        return Response(
            202,
            {"id": deployment.id},
            {"Location": f"https://{self.site['_scm_host']}/api/deployments/{deployment.id}"},
        )

    def _process(self, deployment: Deployment, package: bytes) -> None:
        deployment.status, deployment.status_text = BUILDING, "Deploying package."
        try:
            self._store(package)
            # as on Flex, a package whose functions fail to index still deploys "successfully"
            self.index = index_package(package)
            deployment.log.append(_entry("Package deployed to the deployment storage."))
            if self.index.error:
                deployment.log.append(_entry(f"Host indexing failed: {self.index.error}", kind=1))
            else:
                names = ", ".join(f["name"] for f in self.index.functions) or "none"
                deployment.log.append(_entry(f"{len(self.index.functions)} functions found: {names}"))
            if self.on_release is not None:
                self.on_release(self.site, package)
            deployment.status, deployment.status_text = SUCCESS, "Deployment successful."
        except PermissionError as error:
            deployment.status, deployment.status_text = FAILED, f"BlobUploadFailedException: {error}"
        except Exception as error:
            deployment.status, deployment.status_text = FAILED, f"Deployment failed: {error}"
        if deployment.status == FAILED:
            deployment.log.append(_entry(deployment.status_text, kind=2))
        deployment.end_time = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        deployment.complete = True

    def _store(self, package: bytes) -> None:
        config = self.site["properties"].get("functionAppConfig") or {}
        storage = config["deployment"]["storage"]
        auth = storage["authentication"]
        principal: str | None = None
        if auth["type"] == "UserAssignedIdentity":
            identity = self.arm.get(auth["userAssignedIdentityResourceId"])
            principal = identity["properties"]["principalId"] if identity else None
        elif auth["type"] == "SystemAssignedIdentity":
            principal = (self.site.get("identity") or {}).get("principalId")
        account, container = self._locate(storage["value"])
        container_id = f"{account['id']}/blobServices/default/containers/{container}"
        if auth["type"] != "StorageAccountConnectionString" and (
            principal is None or not self.identity.can_write_blobs(principal, container_id)
        ):
            raise PermissionError(
                f"403 AuthorizationPermissionMismatch: the identity {principal} has no Storage Blob Data "
                f"role on {container_id}."
            )
        assert self.storage is not None
        self.storage.blob_service(account["name"]).get_container_client(container).upload_blob(
            PACKAGE_BLOB, package, overwrite=True
        )

    def _locate(self, url: str) -> tuple[dict[str, Any], str]:
        for account in self.arm.of_type("Microsoft.Storage/storageAccounts"):
            endpoint = account["properties"]["primaryEndpoints"]["blob"]
            if url.startswith(endpoint):
                return account, url[len(endpoint) :].strip("/")
        raise RuntimeError(f"the deployment storage {url} is not a known storage account")


class KuduHosts:
    """Starts one Kudu server per site; its `host:port` is the site's Repository host name."""

    def __init__(self, context_factory: Callable[[], ssl.SSLContext], **kudu_args: Any) -> None:
        self._context_factory = context_factory
        self._kudu_args = kudu_args
        self.servers: dict[str, HttpsServer] = {}
        self.kudus: dict[str, Kudu] = {}

    def start(self, site: dict[str, Any]) -> str:
        kudu = Kudu(site, **self._kudu_args)
        server = HttpsServer(kudu, self._context_factory())
        key = site["id"].lower()
        self.servers[key], self.kudus[key] = server, kudu
        return f"127.0.0.1:{server.port}"

    def stop(self, site_id: str) -> None:
        server = self.servers.pop(site_id.lower(), None)
        self.kudus.pop(site_id.lower(), None)
        if server is not None:
            server.stop()

    def stop_all(self) -> None:
        for key in list(self.servers):
            self.stop(key)

    def index_of(self, site_id: str) -> Index | None:
        kudu = self.kudus.get(site_id.lower())
        return kudu.index if kudu else None

    def for_site(self, name: str) -> Kudu:
        for kudu in self.kudus.values():
            if kudu.site["name"].lower() == name.lower():
                return kudu
        raise KeyError(name)
