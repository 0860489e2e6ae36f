# mypy: disable-error-code="no-untyped-call,import-untyped"
"""The whole local GCP control plane: every API listener, the token endpoint, the storage emulator.

    fake = GcpFake(tmp_path).start()
    client = functions_v2.FunctionServiceClient(transport="rest", client_options=fake.client_options("cloudfunctions"))
    ...
    fake.stop()

Everything listens on 127.0.0.1 only. `env()` is what a process needs so that google-auth and the
clients never reach past loopback (no metadata probe, no proxy but a closed port).
"""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from google.auth.transport import requests as auth_requests
from google.oauth2 import service_account

from .auth import Identity
from .builds import Builder
from .discovery import Apis
from .domains_api import DomainsState
from .domains_api import handlers as domain_handlers
from .errors import GoogleError
from .eventarc import Eventarc
from .functions_api import FunctionsState
from .functions_api import build as build_functions
from .iam_api import IamState, build_iam, build_resource_manager
from .logging_api import LoggingState
from .logging_api import build as build_logging
from .pubsub_api import PubsubState
from .pubsub_api import build as build_pubsub
from .run_api import RunState
from .run_api import build as build_run
from .run_ingress import Ingress, Revision
from .scheduler_api import SchedulerState
from .scheduler_api import build as build_scheduler
from .secrets_api import SecretsState
from .secrets_api import build as build_secrets
from .server import Faults, Hub, RecordedRequest, Service, serve_api, start
from .storage import Emulator, SignedUploads, free_port
from .storage_front import StorageFront

SCOPES = ["https://www.googleapis.com/auth/cloud-platform"]


class GcpFake:
    """A running fake: endpoints, a credentials file, the request log and the fault switches."""

    def __init__(
        self,
        workdir: Path,
        *,
        project: str = "faas-fake-project",
        region: str = "us-central1",
        project_number: str = "123456789012",
        polls: int = 1,
        install_requirements: bool = True,
        deps_cache: Path | None = None,
    ) -> None:
        self.workdir = workdir
        self.project = project
        self.region = region
        self.project_number = project_number
        self.polls = polls
        self.install_requirements = install_requirements
        self.deps_cache = deps_cache
        self.identity = Identity(project)
        self.hub = Hub(self._authenticate)
        self.hub.project_number = project_number
        self.endpoints: dict[str, str] = {}
        self._servers: list[ThreadingHTTPServer] = []
        self.emulator: Emulator | None = None
        # A port nothing listens on: metadata probes and proxied requests fail at once, on loopback.
        self.closed_port = free_port()

    # -- lifecycle ---------------------------------------------------------------------------------

    def start(self) -> GcpFake:
        self.emulator = Emulator(self.project_number)
        self.token_uri = self._serve_oauth()
        self.account = self.identity.create_account("faas-deployer")
        self.credentials_file = self.identity.write_key_file(
            self.account, self.workdir / "fake-gcp-key.json", self.token_uri
        )
        uploads = SignedUploads(
            self.emulator, self.hub, f"service-{self.project_number}@gcf-admin-robot.iam.gserviceaccount.com"
        )
        self._add(uploads.server, "storage-upload")
        self.ingress = Ingress(self.workdir, self.identity.certs, self._revision_output)
        self.run = RunState(self.project, self.project_number, ingress=self.ingress, faults=self.faults)
        self.run.operations.polls = self.polls
        self.iam = IamState(self.project, self.project_number, self.faults)
        self.iam.reset(self.account.email)
        self.ingress.project_policy = lambda: self.iam.project_policy
        self.secrets = SecretsState(
            self.project,
            self.project_number,
            check_member=self.iam.check_member,
            project_policy=lambda: self.iam.project_policy,
            faults=self.faults,
        )
        self.functions = FunctionsState(
            self.project,
            self.project_number,
            self.run,
            self.emulator,
            uploads,
            self.faults,
            iam=self.iam,
            secrets=self.secrets,
            builder=Builder(self.deps_cache, proxy=f"http://127.0.0.1:{self.closed_port}")
            if self.install_requirements
            else None,
        )
        self.functions.operations.polls = self.polls
        self.scheduler = SchedulerState(self.identity)
        self.logging = LoggingState()
        self._add_service(build_functions(self.functions))
        # Cloud Run v1 (domain mappings) shares the endpoint with v2, as faas's `run` override does.
        run = build_run(self.run)
        self.domains = DomainsState(self.run, self.region)
        run.api = Apis("run.v2", "run.v1")
        run.handlers.update(domain_handlers(self.domains))
        self._add_service(run)
        self.ingress.mapped_service = self.domains.service_of
        self.domains_url = self.ingress.open_domains()
        self._add_service(build_scheduler(self.scheduler))
        self._add_service(build_logging(self.logging))
        self._add_service(build_iam(self.iam))
        self._add_service(build_resource_manager(self.iam))
        self.pubsub = PubsubState(self.project)
        self._add_service(build_pubsub(self.pubsub))
        self._add_service(build_secrets(self.secrets))
        self.storage = StorageFront(self.emulator, self.hub)
        self._add(self.storage.server, "storage")
        self.eventarc = Eventarc(self.functions, self.identity, self.hub.lock)
        self.storage.on_object = self.eventarc.object_event
        self.pubsub.on_publish = self.eventarc.message_published
        return self

    def stop(self) -> None:
        if hasattr(self, "ingress"):
            self.ingress.close()
            self.ingress.close_domains()
        for server in self._servers:
            server.shutdown()
            server.server_close()
        self._servers.clear()
        if self.emulator is not None:
            self.emulator.stop()

    def reset(self) -> None:
        """Forget every resource, request, fault and stored object: a fresh project, same endpoints."""
        with self.hub.lock:
            self.hub.requests.clear()
            self.faults.pending.clear()
            self.faults.disabled_apis.clear()
            self.faults.failing_builds.clear()
            self.faults.iam_lag = 0
            self.faults.account_lag = 0
            self.iam.reset(self.account.email)
            self.functions.functions.clear()
            self.functions.policies.clear()
            self.functions.operations.items.clear()
            self.ingress.close()
            self.domains.forget()
            self.run.services.clear()
            self.run.revisions.clear()
            self.run.policies.clear()
            self.run.lagging.clear()
            self.run.operations.items.clear()
            self.scheduler.jobs.clear()
            self.secrets.clear()
            self.scheduler.attempts.clear()
            self.logging.entries.clear()
            self.storage.forget()
            self.eventarc.forget()
            self.pubsub.forget()
            if self.emulator is not None:
                self.emulator.wipe()

    def __enter__(self) -> GcpFake:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _add(self, server: ThreadingHTTPServer, name: str) -> str:
        start(server)
        self._servers.append(server)
        self.endpoints[name] = f"http://127.0.0.1:{server.server_port}"
        return self.endpoints[name]

    def _add_service(self, service: Service) -> None:
        self._add(serve_api(service, self.hub), service.name)

    # -- what tests and providers use -----------------------------------------------------------------

    @property
    def faults(self) -> Faults:
        return self.hub.faults

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request seen so far, in order (API calls, token grants, uploads)."""
        with self.hub.lock:
            return list(self.hub.requests)

    def writes(self, api: str | None = None) -> list[RecordedRequest]:
        """The mutating API calls seen so far (POST/PATCH/DELETE/PUT; token grants excluded)."""
        return [r for r in self.requests if r.mutating and r.api != "oauth2" and (api is None or r.api == api)]

    def client_options(self, api: str) -> dict[str, str]:
        """`client_options` for the official client of `api` ("cloudfunctions", "run"...)."""
        return {"api_endpoint": self.endpoints[api]}

    def credentials(self) -> service_account.Credentials:
        """Credentials from the generated key file (token_uri at the fake)."""
        creds: service_account.Credentials = service_account.Credentials.from_service_account_file(
            str(self.credentials_file), scopes=SCOPES
        )
        return creds

    def location(self) -> str:
        return f"projects/{self.project}/locations/{self.region}"

    def env(self) -> dict[str, str]:
        """Environment for a process that talks to the fake through google-auth and the clients."""
        proxy = f"http://127.0.0.1:{self.closed_port}"
        return {
            "GOOGLE_APPLICATION_CREDENTIALS": str(self.credentials_file),
            "GOOGLE_CLOUD_PROJECT": self.project,
            "CLOUDSDK_CORE_PROJECT": self.project,
            # google-auth compares with "true" exactly: "True" would leave the metadata probe on.
            "NO_GCE_CHECK": "true",
            "GCE_METADATA_HOST": f"127.0.0.1:{self.closed_port}",
            "GCE_METADATA_IP": f"127.0.0.1:{self.closed_port}",
            "GOOGLE_API_USE_CLIENT_CERTIFICATE": "false",
            "GOOGLE_API_USE_MTLS_ENDPOINT": "never",
            # Off by default in google-auth; named here so an inherited "true" cannot turn it on.
            "GOOGLE_SDK_EXPERIMENTAL_PYTHON_REGIONAL_ACCESS_BOUNDARY_LOOKUP_ENABLED": "false",
            "HTTP_PROXY": proxy,
            "HTTPS_PROXY": proxy,
            "http_proxy": proxy,
            "https_proxy": proxy,
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
            # pip meets the closed proxy for any remote index: without retries it goes straight to the
            # machine's local indexes instead of backing off five times per URL (~45 s a resolution).
            "PIP_RETRIES": "0",
        }

    def id_token(self, audience: str, *, account: str | None = None) -> str:
        """An ID token for the deployer (or an existing service `account`), as `fetch_id_token` gets it."""
        email = account or self.account.email
        if email not in self.iam.accounts:
            raise KeyError(f"no service account {email} in the fake project")
        return self.identity.id_token(email, audience)

    def auth_request(self) -> auth_requests.Request:
        return auth_requests.Request()

    # -- internals ----------------------------------------------------------------------------------------

    def _revision_output(self, revision: Revision, stream: str, line: str) -> None:
        """A line a revision printed, as Cloud Run's log agent writes it to Cloud Logging."""
        entry = {
            "logName": f"projects/{self.project}/logs/run.googleapis.com%2F{stream}",
            "resource": {
                "type": "cloud_run_revision",
                "labels": {
                    "project_id": self.project,
                    "location": self.region,
                    "service_name": revision.service_id,
                    "revision_name": revision.name,
                    "configuration_name": revision.service_id,
                },
            },
            "labels": {"goog-managed-by": "cloudfunctions"},
            "textPayload": line,
            "severity": "ERROR" if stream == "stderr" and "Traceback" in line else "DEFAULT",
        }
        with self.hub.lock:
            self.logging.add(entry)

    def _authenticate(self, authorization: str | None, audience: str) -> str:
        return self.identity.caller(authorization, audience)

    def _serve_oauth(self) -> str:
        fake = self

        class OAuthHandler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("content-length") or 0)).decode()
                form = dict(parse_qsl(raw))
                headers = {k.lower(): v for k, v in self.headers.items()}
                status, payload = 404, {"error": "not_found"}
                if self.path.split("?")[0] == "/token":
                    try:
                        status, payload = 200, fake.identity.grant(form, fake.token_uri)
                    except ValueError as exc:
                        status, payload = 400, {"error": "unsupported_grant_type", "error_description": str(exc)}
                    except GoogleError as exc:
                        status, payload = 400, {"error": "invalid_grant", "error_description": exc.message}
                fake.hub.record(RecordedRequest("oauth2", "POST", self.path, "", headers, form, None, status))
                self._send(status, payload)

            def do_GET(self) -> None:
                if self.path.split("?")[0] == "/oauth2/v1/certs":
                    self._send(200, fake.identity.certs())
                else:
                    self._send(404, {"error": "not_found"})

            def _send(self, status: int, payload: Any) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), OAuthHandler)
        server.daemon_threads = True
        base = self._add(server, "oauth2")
        self.certs_url = f"{base}/oauth2/v1/certs"
        return f"{base}/token"
