# mypy: disable-error-code="no-untyped-call,import-untyped"
"""Secret Manager v1: secrets, their versions (added, accessed), and each secret's IAM policy.

Names come back with the project number, as Secret Manager answers (`projects/123/secrets/db`),
whether the request named the project by id or by number. A payload sent with `dataCrc32c` is
checked against it. A secret's policy follows IAM's read-modify-write contract (`policies.py`) and
refuses a binding for a service account of the project that does not exist. `can_access` is what
Cloud Run asks before it starts a revision whose environment references a secret: the account needs
`roles/secretmanager.secretAccessor` (or admin) on the secret, or a project role that holds
`secretmanager.versions.access` (owner, secretmanager.admin, secretmanager.secretAccessor; not
editor, which lacks it). With `Faults.delay_iam(requests=N)`, the next N access checks after a
setIamPolicy still see the old policy, as IAM propagates.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from google.cloud import secretmanager_v1
from google.iam.v1 import iam_policy_pb2

from . import policies
from .discovery import Api
from .errors import GoogleError, invalid_argument
from .listing import label_filter, matches, page
from .operations import now
from .policies import Propagation
from .server import Faults, Handler, Request, Service

SECRET_ID = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
ACCESSOR = "roles/secretmanager.secretAccessor"
SECRET_READERS = frozenset({ACCESSOR, "roles/secretmanager.admin"})
PROJECT_READERS = frozenset({"roles/owner", ACCESSOR, "roles/secretmanager.admin"})


@dataclass
class SecretsState:
    project: str
    project_number: str
    secrets: dict[str, dict[str, Any]] = field(default_factory=dict)  # secret id -> resource
    versions: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # secret id -> versions (with payload)
    policies: dict[str, dict[str, Any]] = field(default_factory=dict)  # secret id -> policy
    check_member: Callable[[str], None] | None = None
    project_policy: Callable[[], dict[str, Any]] = lambda: {}
    faults: Faults | None = None
    # secret -> (the policy revision starts still see, checks left before the new one applies)
    lagging: Propagation = field(default_factory=Propagation)

    def clear(self) -> None:
        self.secrets.clear()
        self.versions.clear()
        self.policies.clear()
        self.lagging.clear()

    def effective_policy(self, secret: str) -> dict[str, Any]:
        """The policy access checks apply now (the old one while IAM propagates, `Faults.delay_iam`)."""
        return self.lagging.effective(secret, self.policies.get(secret, {}))

    def secret_id(self, project: str, secret: str) -> str:
        """The secret's id, or 404 for another project or a secret that does not exist."""
        if project not in (self.project, self.project_number) or secret not in self.secrets:
            raise GoogleError("NOT_FOUND", f"Secret [projects/{self.project_number}/secrets/{secret}] not found.")
        return secret

    def name(self, secret: str) -> str:
        return f"projects/{self.project_number}/secrets/{secret}"

    def version(self, secret: str, version: str) -> dict[str, Any]:
        """A version by number or `latest` (the newest enabled one); 404 as Secret Manager answers."""
        found = [v for v in self.versions.get(secret, []) if v["state"] == "ENABLED"]
        if version == "latest":
            if not found:
                raise GoogleError("NOT_FOUND", f"Secret [{self.name(secret)}] not found or has no versions.")
            return found[-1]
        for candidate in self.versions.get(secret, []):
            if candidate["name"].rsplit("/", 1)[1] == version:
                return candidate
        raise GoogleError("NOT_FOUND", f"Secret Version [{self.name(secret)}/versions/{version}] not found.")

    def can_access(self, secret: str, email: str) -> bool:
        """Whether service account `email` may read the secret's versions (secret or project level)."""
        member = f"serviceAccount:{email}"
        for policy, roles in (
            (self.effective_policy(secret), SECRET_READERS),
            (self.project_policy(), PROJECT_READERS),
        ):
            for binding in policy.get("bindings", []):
                if (
                    binding.get("role") in roles
                    and not binding.get("condition")
                    and member in binding.get("members", [])
                ):
                    return True
        return False

    def value(self, project: str, secret: str, version: str) -> str:
        """The payload of `projects/P/secrets/S/versions/V` as text (what Cloud Run hands the container)."""
        found = self.version(self.secret_id(project, secret), version)
        return base64.b64decode(found["payload"]["data"]).decode("utf-8")


def _crc32c(data: bytes) -> int:
    import google_crc32c

    return int(google_crc32c.value(data))


def build(state: SecretsState) -> Service:
    api = Api("secretmanager.v1")
    prefix = "secretmanager.projects.secrets."

    def secret_of(req: Request, key: str = "name") -> str:
        parts = req.param(key).split("/")
        return state.secret_id(parts[1], parts[3])

    def create(req: Request) -> Any:
        project = req.param("parent").split("/")[1]
        if project not in (state.project, state.project_number):
            raise GoogleError("PERMISSION_DENIED", f"Permission denied on resource project {project}.")
        secret_id = req.match.query.get("secretId", "")
        if not SECRET_ID.match(secret_id):
            raise invalid_argument(
                "Secret id must be 1-255 characters of letters, digits, underscores and hyphens.",
                field_path="secret_id",
            )
        if secret_id in state.secrets:
            raise GoogleError("ALREADY_EXISTS", f"Secret [{state.name(secret_id)}] already exists.")
        body = req.body
        if not body.get("replication"):
            raise invalid_argument("Secret.replication is required.", field_path="secret.replication")
        secret = {**body, "name": state.name(secret_id), "createTime": now(), "etag": f'"{policies.new_etag()}"'}
        state.secrets[secret_id] = secret
        state.versions[secret_id] = []
        state.policies[secret_id] = policies.fresh()
        return secret

    def get(req: Request) -> Any:
        return state.secrets[secret_of(req)]

    def list_secrets(req: Request) -> Any:
        terms = label_filter(req.match.query.get("filter", ""))
        found = [s for _, s in sorted(state.secrets.items()) if matches(s, terms)]
        return page(found, req.match.query, "secrets")

    def delete(req: Request) -> Any:
        secret = secret_of(req)
        for table in (state.secrets, state.versions, state.policies):
            table.pop(secret, None)
        return {}

    def add_version(req: Request) -> Any:
        secret = secret_of(req, "parent")
        payload = req.body.get("payload", {})
        data = base64.b64decode(payload.get("data", ""))
        if "dataCrc32c" in payload and int(payload["dataCrc32c"]) != _crc32c(data):
            raise invalid_argument("Checksum mismatch: data_crc32c does not match the payload.", field_path="payload")
        if len(data) > 64 * 1024:
            raise invalid_argument("Secret payload exceeds the 64 KiB limit.", field_path="payload.data")
        versions = state.versions[secret]
        version = {
            "name": f"{state.name(secret)}/versions/{len(versions) + 1}",
            "createTime": now(),
            "state": "ENABLED",
            "replicationStatus": {"automatic": {}},
            "etag": f'"{policies.new_etag()}"',
        }
        versions.append(
            {**version, "payload": {"data": base64.b64encode(data).decode(), "dataCrc32c": str(_crc32c(data))}}
        )
        return version

    def access(req: Request) -> Any:
        parts = req.param("name").split("/")
        found = state.version(state.secret_id(parts[1], parts[3]), parts[5])
        if found["state"] != "ENABLED":
            raise GoogleError("FAILED_PRECONDITION", f"{found['name']} is in {found['state']} state.")
        return {"name": found["name"], "payload": found["payload"]}

    def get_iam_policy(req: Request) -> Any:
        return state.policies[secret_of(req, "resource")]

    def set_iam_policy(req: Request) -> Any:
        secret = secret_of(req, "resource")
        current = state.policies[secret]
        stored = policies.replace(current, req.body.get("policy", {}), check_member=state.check_member)
        state.lagging.hold(secret, current, state.faults.iam_lag if state.faults is not None else 0)
        state.policies[secret] = stored
        return stored

    handlers: dict[str, Handler] = {
        prefix + "create": create,
        prefix + "get": get,
        prefix + "list": list_secrets,
        prefix + "delete": delete,
        prefix + "addVersion": add_version,
        prefix + "versions.access": access,
        prefix + "getIamPolicy": get_iam_policy,
        prefix + "setIamPolicy": set_iam_policy,
    }
    messages = {
        "Secret": secretmanager_v1.Secret.pb(),
        "AddSecretVersionRequest": secretmanager_v1.AddSecretVersionRequest.pb(),
        "SetIamPolicyRequest": iam_policy_pb2.SetIamPolicyRequest,
    }
    return Service("secretmanager", api, handlers, messages)
