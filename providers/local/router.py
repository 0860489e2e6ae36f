"""One deployed version's pools, and how each platform's front door reaches them.

aws: the gateway turns HTTP into the front door's event and invokes the Lambda runtime; invoke,
manage and schedules use the same function. gcp: HTTP is proxied to functions-framework; events
and envelopes go to a private function (FAAS_PRIVATE), as the cloud keeps them off the public
URL. azure: HTTP is proxied to the local Functions host, which applies the route prefix; envelopes
use its key-protected `_faas/invoke` route and timers its admin API.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from faas.providers.local.events import queue_events, storage_event, topic_event
from faas.providers.local.gateway import aws
from faas.providers.local.gateway.aws import HttpAnswer
from faas.providers.local.gateway.request import GatewayRequest
from faas.providers.local.pool import Pool
from faas.providers.local.process import LogSink
from faas.providers.local.static import LocalBucket
from faas.providers.local.workers import HttpWorker, LambdaWorker, Outcome, WorkerSpec


class Deployment:
    """The running processes of one version, for one platform and front door."""

    def __init__(
        self,
        spec: WorkerSpec,
        *,
        pool_size: int,
        front_door: str,
        stage: str,
        sink: LogSink,
        serves_http: bool,
        storage: list[LocalBucket] | None = None,
    ) -> None:
        self.spec = spec
        self.storage = storage or []
        """The storage roles' local buckets; the public ones are served before the function."""
        self.front_door = front_door
        self.stage = stage
        self.sink = sink
        self.serves_http = serves_http
        self.pool = Pool(spec, pool_size, sink)
        # On gcp the envelope/event path is a separate private function; elsewhere it is the same one.
        self.private_pool = Pool(spec, max(1, pool_size // 2), sink, private=True) if spec.platform == "gcp" else None
        runtime = read_runtime_config(Path(spec.code_dir))
        self.triggers: dict[str, list[dict[str, Any]]] = {
            name: list(function.get("triggers") or []) for name, function in (runtime.get("functions") or {}).items()
        }

    @property
    def version(self) -> str:
        return self.spec.version

    def pools(self) -> list[Pool]:
        return [self.pool] + ([self.private_pool] if self.private_pool else [])

    def warm(self) -> None:
        """Start one runtime process and wait for its init: a broken artifact fails here."""
        (self.pool if self.serves_http or self.private_pool is None else self.private_pool).warm(1)

    def drain(self) -> None:
        for pool in self.pools():
            pool.drain()

    # -- HTTP ---------------------------------------------------------------------------------

    def handle_http(self, request: GatewayRequest) -> HttpAnswer:
        if not self.serves_http:
            # A project of plain functions has no HTTP front door in the cloud either.
            return 404, [("Content-Type", "application/json")], b'{"message":"Not Found"}'
        answer = self._aws_http(request) if self.spec.platform == "aws" else self._proxy(request)
        # The adapter writes no access line on AWS or GCP by default (FAAS_ACCESS_LOG): there the
        # front door (API Gateway's access log, Cloud Run's request log) records each request, so
        # the local front door does too. On Azure the adapter's line is the request log.
        if self.spec.platform in ("aws", "gcp"):
            status, _, body = answer
            self.sink("gateway", request.request_id, f"{request.method} {request.target} {status} {len(body)}B")
        return answer

    def _aws_http(self, request: GatewayRequest) -> HttpAnswer:
        if self.front_door == "rest-api":
            prefix = f"/{self.stage}"
            if request.path != prefix and not request.path.startswith(prefix + "/"):
                # REST APIs answer paths outside the stage themselves, without calling the function.
                return 403, [("Content-Type", "application/json")], b'{"message":"Forbidden"}'
            event = aws.rest_api_event(request, self.stage, request.path[len(prefix) :] or "/", self.spec.region)
            version = "1.0"
        else:
            event = aws.http_api_event(request, function_url=self.front_door == "function-url", region=self.spec.region)
            version = "2.0"
        outcome = self._lambda(json.dumps(event).encode(), self.pool, request.request_id)
        # HTTP APIs name their request id header Apigw-Requestid; REST APIs and Function URLs x-amzn-RequestId.
        id_header = "Apigw-Requestid" if self.front_door == "http-api" else "x-amzn-RequestId"
        if outcome.kind != "ok":
            return aws.gateway_error(outcome.kind, request.request_id, id_header)
        return aws.http_answer(outcome.body, version, request.request_id, id_header)

    def _lambda(self, payload: bytes, pool: Pool, label: str) -> Outcome:
        with pool.lease() as worker:
            assert isinstance(worker, LambdaWorker)
            outcome = worker.invoke(payload)
            self._report(worker.name, outcome, label)
            return outcome

    def _report(self, source: str, outcome: Outcome, label: str) -> None:
        # What Lambda's platform prints around each invocation, so `faas logs` reads the same.
        rid = outcome.request_id
        if outcome.error is not None:
            self.sink(
                source,
                rid,
                f"ERROR {outcome.kind}: {outcome.error.get('errorType', '')}: {outcome.error.get('errorMessage', '')}",
            )
        self.sink(source, rid, f"END RequestId: {rid}")
        self.sink(
            source,
            rid,
            f"REPORT RequestId: {rid} Duration: {outcome.duration_ms:.2f} ms "
            f"Status: {outcome.kind} Version: {self.version} Gateway: {label}",
        )

    def _proxy(self, request: GatewayRequest) -> HttpAnswer:
        headers = [(k, v) for k, v in request.headers if k.lower() not in ("x-forwarded-for", "forwarded")]
        headers.append(("X-Forwarded-For", request.source_ip))
        headers.append(("X-Forwarded-Proto", "http"))
        headers.append(("X-Forwarded-Port", str(request.port)))
        with self.pool.lease() as worker:
            assert isinstance(worker, HttpWorker)
            self.sink(
                worker.name,
                request.request_id,
                f"START RequestId: {request.request_id} {request.method} {request.path}",
            )
            outcome = worker.forward(
                request.method, request.target, headers, request.body, request_id=request.request_id
            )
            self._report(worker.name, outcome, request.request_id)
        if outcome.kind == "timeout":
            return 504, [("Content-Type", "text/plain")], b"upstream request timeout"
        if outcome.kind != "ok":
            return 502, [("Content-Type", "text/plain")], b"Bad Gateway: the function crashed"
        return outcome.status, outcome.headers, outcome.body

    # -- events -------------------------------------------------------------------------------

    def invoke(self, event: Any, function: str | None = None) -> Outcome:
        """Send `event` (to `function`, through the envelope) by the platform's private path."""
        body = {"faas": {"function": function, "event": event}} if function else event
        if self.spec.platform == "aws":
            return self._lambda(json.dumps(body).encode(), self.pool, "invoke")
        if self.spec.platform == "gcp":
            assert self.private_pool is not None
            if function is None and isinstance(event, dict) and "specversion" in event:
                return self._post(self.private_pool, "/", json.dumps(event).encode(), "application/cloudevents+json")
            return self._post(self.private_pool, "/", json.dumps(body).encode(), "application/json")
        envelope = body.get("faas", body) if isinstance(body, dict) else body
        return self._post(
            self.pool,
            f"{self._azure_prefix()}/_faas/invoke",
            json.dumps(envelope).encode(),
            "application/json",
            [("x-functions-key", self.spec.function_key)],
        )

    def fire_schedule(self, function: str, index: int) -> Outcome:
        """Fire one schedule trigger with the event its platform's scheduler sends."""
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        # The rule / job name packaging wrote for this trigger: the adapter routes the event by it.
        job = self.triggers[function][index].get("name") or f"{self.spec.function_name}-{function}"
        if self.spec.platform == "aws":
            event = {
                "version": "0",
                "id": str(uuid.uuid4()),
                "detail-type": "Scheduled Event",
                "source": "aws.events",
                "account": aws.ACCOUNT,
                "time": now,
                "region": self.spec.region,
                "resources": [f"arn:aws:events:{self.spec.region}:{aws.ACCOUNT}:rule/{job}"],
                "detail": {},
            }
            return self._lambda(json.dumps(event).encode(), self.pool, f"schedule {job}")
        if self.spec.platform == "gcp":
            assert self.private_pool is not None
            headers = [
                ("ce-specversion", "1.0"),
                ("ce-id", str(uuid.uuid4())),
                ("ce-time", now),
                ("ce-type", "google.cloud.scheduler.job.v1.executed"),
                ("ce-source", f"//cloudscheduler.googleapis.com/projects/local/locations/us-central1/jobs/{job}"),
            ]
            return self._post(self.private_pool, "/", b"{}", "application/json", headers)
        return self._admin((function, index), b'{"input": ""}')

    def fire_storage(self, bucket: str, key: str, action: str, path: Path) -> list[Outcome]:
        """Send the notification of an object event in a local bucket, as the platform would."""
        platform = self.spec.platform
        if platform == "aws":
            event = storage_event("aws", bucket, key, action)
            return [self._lambda(json.dumps(event).encode(), self.pool, f"s3 {bucket}")]
        if platform == "gcp":
            assert self.private_pool is not None
            body = json.dumps(storage_event("gcp", bucket, key, action)).encode()
            return [self._post(self.private_pool, "/", body, "application/cloudevents+json")]
        outcomes = []
        for name in self._azure_functions("storage", bucket):
            trigger = self.triggers[name[0]][name[1]]
            if action != "created" or not key.startswith(trigger.get("prefix") or ""):
                continue  # Azure blob triggers fire on new and changed blobs only
            if not key.endswith(trigger.get("suffix") or ""):
                continue
            body = json.dumps({"input": f"{bucket}/{key}", "path": str(path)}).encode()
            outcomes.append(self._admin(name, body))
        return outcomes

    def fire_queue(self, queue: str, bodies: list[str]) -> bool:
        """Deliver messages from a local queue; True when every invocation succeeded."""
        platform = self.spec.platform
        outcomes = []
        if platform == "aws":
            for event in queue_events("aws", queue, bodies):
                outcomes.append(self._lambda(json.dumps(event).encode(), self.pool, f"sqs {queue}"))
        elif platform == "gcp":
            assert self.private_pool is not None
            for event in queue_events("gcp", queue, bodies):
                body = json.dumps(event).encode()
                outcomes.append(self._post(self.private_pool, "/", body, "application/cloudevents+json"))
        else:
            for name in self._azure_functions("queue", queue):
                for message in bodies:
                    outcomes.append(self._admin(name, json.dumps({"input": message}).encode()))
        return all(outcome.kind == "ok" for outcome in outcomes)

    def fire_topic(self, topic: str, message: str) -> list[Outcome]:
        """Deliver a message published to `topic` to every function subscribed to it."""
        event = topic_event(self.spec.platform, topic, message)
        if self.spec.platform == "aws":
            return [self._lambda(json.dumps(event).encode(), self.pool, f"sns {topic}")]
        if self.spec.platform == "gcp":
            assert self.private_pool is not None
            return [self._post(self.private_pool, "/", json.dumps(event).encode(), "application/cloudevents+json")]
        body = json.dumps({"input": event}).encode()
        return [self._admin(name, body) for name in self._azure_functions("topic", topic)]

    def _azure_functions(self, kind: str, resource: str) -> list[tuple[str, int]]:
        key = {"storage": "bucket", "queue": "queue", "topic": "topic"}[kind]
        return [
            (name, index)
            for name, triggers in self.triggers.items()
            for index, trigger in enumerate(triggers)
            if trigger.get("type") == kind and trigger.get(key) == resource
        ]

    def _admin(self, function: tuple[str, int], body: bytes) -> Outcome:
        # The Functions host's admin API runs a non-HTTP function, by the name packaging gave it.
        name = str(self.triggers[function[0]][function[1]].get("name"))
        return self._post(
            self.pool,
            f"/admin/functions/{name}",
            body,
            "application/json",
            [("x-functions-key", self.spec.function_key)],
        )

    def _azure_prefix(self) -> str:
        return f"/{self.spec.route_prefix}" if self.spec.route_prefix else ""

    def _post(
        self, pool: Pool, target: str, body: bytes, content_type: str, extra: list[tuple[str, str]] | None = None
    ) -> Outcome:
        request_id = str(uuid.uuid4())
        headers = [("Content-Type", content_type), *(extra or [])]
        with pool.lease() as worker:
            assert isinstance(worker, HttpWorker)
            self.sink(worker.name, request_id, f"START RequestId: {request_id} POST {target}")
            outcome = worker.forward("POST", target, headers, body, request_id=request_id)
            self._report(worker.name, outcome, "invoke")
        if outcome.kind == "ok" and outcome.status >= 400:
            text = outcome.body.decode("utf-8", "replace")
            outcome.kind, outcome.error = "error", {"errorType": f"HTTP {outcome.status}", "errorMessage": text}
        return outcome


def read_runtime_config(code_dir: Path) -> dict[str, Any]:
    """The artifact's faas_runtime.json (empty if unreadable)."""
    try:
        config = json.loads((code_dir / "faas_runtime.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return config if isinstance(config, dict) else {}
