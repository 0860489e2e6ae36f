# mypy: disable-error-code="no-untyped-call,import-untyped"
"""Cloud Run Admin API v2: the services and revisions Cloud Functions deploys, and their IAM policy.

A gen2 function is served by a Cloud Run service; `roles/run.invoker` on that service decides who
may call it. setIamPolicy follows IAM's read-modify-write contract: a policy sent with an etag other
than the current one is refused with 409 ABORTED; one sent without an etag overwrites blindly.
"""

from __future__ import annotations

import copy
import secrets
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from google.cloud import run_v2
from google.iam.v1 import iam_policy_pb2

from . import policies
from .discovery import Api
from .errors import GoogleError, invalid_argument, not_found
from .listing import page
from .masks import apply_mask, parse_mask
from .operations import Operations, now
from .policies import Propagation
from .run_ingress import Ingress, pick
from .server import Faults, Handler, Request, Service

SERVICE_TYPE = "type.googleapis.com/google.cloud.run.v2.Service"
LATEST = "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST"
BY_REVISION = "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION"


@dataclass
class RunState:
    project: str
    project_number: str
    services: dict[str, dict[str, Any]] = field(default_factory=dict)
    revisions: dict[str, dict[str, Any]] = field(default_factory=dict)
    policies: dict[str, dict[str, Any]] = field(default_factory=dict)
    operations: Operations = field(default_factory=Operations)
    ingress: Ingress | None = None
    faults: Faults | None = None
    # service -> (the policy the front door still applies, requests left before the new one does)
    lagging: Propagation = field(default_factory=Propagation)

    def __post_init__(self) -> None:
        if self.ingress is not None:
            self.ingress.policy_of = self.effective_policy
            self.ingress.route_of = self.route

    def effective_policy(self, service: str) -> dict[str, Any]:
        """The policy the service's front door applies now (the old one while IAM propagates)."""
        return self.lagging.effective(service, self.policies.get(service, {}))

    def uri(self, name: str) -> str:
        """The service's front door on loopback (without one: the https://{service}-{number}.{region}.run.app form)."""
        if self.ingress is not None:
            return self.ingress.open_door(name)
        _, _, _, region, _, service_id = name.split("/")
        return f"https://{service_id}-{self.project_number}.{region}.run.app"

    def route(self, name: str) -> str:
        """The revision one request to `name` goes to, by the traffic split."""
        service = self.services.get(name)
        if service is None or "latestReadyRevision" not in service:
            return ""
        return pick(service.get("traffic", []), service["latestReadyRevision"].rsplit("/", 1)[1])

    def deploy_revision(
        self,
        name: str,
        *,
        labels: dict[str, str],
        container: dict[str, Any],
        latest: bool,
        code: tuple[bytes, str, dict[str, str]] | None = None,
        deps: Path | None = None,
        source_file: str = "main.py",
    ) -> str:
        """A new revision of service `name` (created if new); it takes all traffic when `latest`.

        `code` is (archive, entry point, environment): the revision then really serves requests,
        loading the entry point from `source_file` (the build's GOOGLE_FUNCTION_SOURCE).
        """
        service = self.services.get(name)
        if service is None:
            service = {
                "name": name,
                "uid": str(uuid.uuid4()),
                "generation": "0",
                "createTime": now(),
                "creator": f"service-{self.project_number}@gcf-admin-robot.iam.gserviceaccount.com",
                "uri": self.uri(name),
                "urls": [self.uri(name)],
                "ingress": "INGRESS_TRAFFIC_ALL",
                "launchStage": "GA",
                "traffic": [{"type": LATEST, "percent": 100}],
            }
            self.services[name] = service
            self.policies[name] = {"version": 1, "etag": "ACAB"}
        service_id = name.rsplit("/", 1)[1]
        number = sum(1 for r in self.revisions.values() if r["service"] == name) + 1
        suffix = "".join(secrets.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(3))
        revision = f"{service_id}-{number:05d}-{suffix}"
        if code is not None and self.ingress is not None:
            archive, target, env = code
            self.ingress.add_revision(name, revision, archive, target, env, deps=deps, source_file=source_file)
            try:
                self.ingress.start(revision)
            except RuntimeError as exc:
                self.ingress.drop(revision)
                failed = {
                    "type": "Ready",
                    "state": "CONDITION_FAILED",
                    "message": str(exc),
                    "lastTransitionTime": now(),
                }
                self.revisions[f"{name}/revisions/{revision}"] = {
                    "name": f"{name}/revisions/{revision}",
                    "service": name,
                    "createTime": now(),
                    "containers": [copy.deepcopy(container)],
                    "conditions": [failed],
                }
                raise GoogleError(
                    "FAILED_PRECONDITION",
                    f"Could not create or update Cloud Run service {service_id}, Container Healthcheck failed. "
                    f"Revision '{revision}' is not ready and cannot serve traffic. The user-provided container "
                    f"failed to start and listen on the port defined provided by the PORT=8080 environment "
                    f"variable: {exc}",
                ) from None
        ready = {"type": "Ready", "state": "CONDITION_SUCCEEDED", "lastTransitionTime": now()}
        self.revisions[f"{name}/revisions/{revision}"] = {
            "name": f"{name}/revisions/{revision}",
            "uid": str(uuid.uuid4()),
            "generation": "1",
            "createTime": now(),
            "service": name,
            "containers": [copy.deepcopy(container)],
            "labels": dict(labels),
            "conditions": [ready],
        }
        service["generation"] = str(int(service["generation"]) + 1)
        service["observedGeneration"] = service["generation"]
        service["labels"] = {**labels, "goog-managed-by": "cloudfunctions"}
        service["template"] = {"containers": [copy.deepcopy(container)]}
        service["latestCreatedRevision"] = f"{name}/revisions/{revision}"
        service["latestReadyRevision"] = f"{name}/revisions/{revision}"
        if latest:
            service["traffic"] = [{"type": LATEST, "percent": 100}]
        self._settle(service)
        return revision

    def _settle(self, service: dict[str, Any]) -> None:
        statuses = []
        for target in service["traffic"]:
            status = dict(target)
            if target.get("type") == LATEST:
                status["revision"] = service["latestReadyRevision"].rsplit("/", 1)[1]
            statuses.append(status)
        service["trafficStatuses"] = statuses
        service["terminalCondition"] = {"type": "Ready", "state": "CONDITION_SUCCEEDED", "lastTransitionTime": now()}
        service["conditions"] = [{"type": "RoutesReady", "state": "CONDITION_SUCCEEDED"}]
        service["updateTime"] = now()
        service["etag"] = f'"{secrets.token_urlsafe(12)}"'
        service["reconciling"] = False

    def delete_service(self, name: str) -> None:
        if self.ingress is not None:
            self.ingress.close_service(name)
        self.services.pop(name, None)
        self.policies.pop(name, None)
        for key in [k for k, r in self.revisions.items() if r["service"] == name]:
            del self.revisions[key]

    def service(self, name: str) -> dict[str, Any]:
        if name not in self.services:
            raise not_found(name)
        return self.services[name]


def build(state: RunState) -> Service:
    api = Api("run.v2")
    prefix = "run.projects.locations."

    def get_service(req: Request) -> Any:
        return state.service(req.param("name"))

    def list_services(req: Request) -> Any:
        parent = req.param("parent") + "/services/"
        return page([s for n, s in sorted(state.services.items()) if n.startswith(parent)], req.match.query, "services")

    def patch_service(req: Request) -> Any:
        name = req.param("name")
        service = state.service(name)
        body = req.body
        if "etag" in body and body["etag"] != service["etag"]:
            raise GoogleError("ABORTED", f"The etag {body['etag']} does not match the current etag of {name}.")
        paths = (
            parse_mask(api, "GoogleCloudRunV2Service", req.match.query["updateMask"])
            if "updateMask" in req.match.query
            else list(body)
        )
        paths = [p for p in paths if p not in ("etag", "name")]
        if any(p.split(".")[0] == "template" for p in paths):
            raise GoogleError("FAILED_PRECONDITION", "The fake serves only traffic changes on a function's service.")
        updated = apply_mask(service, body, paths)
        _check_traffic(state, name, updated.get("traffic", []))

        def complete() -> dict[str, Any]:
            state.services[name] = updated
            state._settle(updated)
            return {"@type": SERVICE_TYPE, **updated}

        metadata = {"@type": SERVICE_TYPE, **service, "reconciling": True}
        return state.operations.start(name.rsplit("/services/", 1)[0], metadata, complete, style="uuid")

    def get_operation(req: Request) -> Any:
        return state.operations.get(req.param("name"))

    def list_revisions(req: Request) -> Any:
        parent = req.param("parent")
        found = [r for r in state.revisions.values() if r["service"] == parent]
        if parent not in state.services:
            raise not_found(parent)
        return page(sorted(found, key=lambda r: r["name"], reverse=True), req.match.query, "revisions")

    def get_revision(req: Request) -> Any:
        name = req.param("name")
        if name not in state.revisions:
            raise not_found(name)
        return state.revisions[name]

    def get_iam_policy(req: Request) -> Any:
        resource = req.param("resource")
        state.service(resource)
        return state.policies[resource]

    def set_iam_policy(req: Request) -> Any:
        resource = req.param("resource")
        state.service(resource)
        current = state.policies[resource]
        stored = policies.replace(current, req.body.get("policy", {}))
        state.lagging.hold(resource, current, state.faults.iam_lag if state.faults is not None else 0)
        state.policies[resource] = stored
        return stored

    handlers: dict[str, Handler] = {
        prefix + "services.get": get_service,
        prefix + "services.list": list_services,
        prefix + "services.patch": patch_service,
        prefix + "services.getIamPolicy": get_iam_policy,
        prefix + "services.setIamPolicy": set_iam_policy,
        prefix + "services.revisions.list": list_revisions,
        prefix + "services.revisions.get": get_revision,
        prefix + "operations.get": get_operation,
    }
    messages = {
        "GoogleCloudRunV2Service": run_v2.Service.pb(),
        "GoogleIamV1SetIamPolicyRequest": iam_policy_pb2.SetIamPolicyRequest,
    }
    return Service("run", api, handlers, messages)


def _check_traffic(state: RunState, service: str, traffic: list[dict[str, Any]]) -> None:
    total = sum(int(target.get("percent", 0)) for target in traffic)
    if traffic and total != 100:
        raise invalid_argument(f"Traffic percentages must add up to 100, got {total}.", field_path="service.traffic")
    for target in traffic:
        if target.get("type") == BY_REVISION:
            revision = target.get("revision", "")
            if f"{service}/revisions/{revision}" not in state.revisions:
                raise invalid_argument(
                    f"Revision {revision} does not exist in {service}.", field_path="service.traffic"
                )
