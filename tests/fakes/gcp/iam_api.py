# mypy: disable-error-code="no-untyped-call,import-untyped"
"""IAM v1 service accounts and Resource Manager project policies: who a function runs as, and its roles.

What Google documents and the fake does: an account id is 6-30 characters matching
`[a-z]([-a-z0-9]*[a-z0-9])`; the account's email is `<id>@<project>.iam.gserviceaccount.com`; a
second create answers 409 ALREADY_EXISTS; a name with the `-` project wildcard that matches nothing
answers 403, not 404 (the reference warns of it). A project policy's members that name a service
account of the project must exist (Resource Manager answers 400 otherwise), and deleting an account
leaves its bindings behind as `deleted:serviceAccount:<email>?uid=<id>`.

A new account is not visible everywhere at once (IAM is eventually consistent);
`faults.delay_accounts(checks=N)` makes the next N existence checks by other APIs miss it.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from typing import Any

from google.iam.v1 import iam_policy_pb2

from . import policies
from .discovery import Api, Apis
from .errors import GoogleError, already_exists, invalid_argument, not_found
from .listing import page
from .masks import parse_mask
from .server import Faults, Handler, Request, Service

ACCOUNT_ID = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])$")
PROJECT_ACCOUNT = re.compile(r"^[^@]+@(?P<project>[a-z0-9-]+)\.iam\.gserviceaccount\.com$")


@dataclass
class IamState:
    project: str
    project_number: str
    faults: Faults
    accounts: dict[str, dict[str, Any]] = field(default_factory=dict)  # email -> ServiceAccount
    account_policies: dict[str, dict[str, Any]] = field(default_factory=dict)  # email -> Policy
    project_policy: dict[str, Any] = field(default_factory=dict)
    # email -> existence checks by other APIs still to miss it (IAM propagation)
    unseen: dict[str, int] = field(default_factory=dict)

    def reset(self, deployer: str) -> None:
        """A new project: the deployer's account (an owner) and the default compute account."""
        self.accounts.clear()
        self.account_policies.clear()
        self.unseen.clear()
        self.add("", email=deployer, display_name="faas deployer")
        compute = f"{self.project_number}-compute@developer.gserviceaccount.com"
        self.add("", email=compute, display_name="Compute Engine default service account")
        self.project_policy = policies.fresh([{"role": "roles/owner", "members": [f"serviceAccount:{deployer}"]}])

    def add(self, account_id: str, *, email: str = "", display_name: str = "", description: str = "") -> dict[str, Any]:
        email = email or f"{account_id}@{self.project}.iam.gserviceaccount.com"
        unique_id = str(10**20 + secrets.randbelow(10**20))
        account = {
            "name": f"projects/{self.project}/serviceAccounts/{email}",
            "projectId": self.project,
            "uniqueId": unique_id,
            "email": email,
            "etag": policies.new_etag(),
            "oauth2ClientId": unique_id,
        }
        if display_name:
            account["displayName"] = display_name
        if description:
            account["description"] = description
        self.accounts[email] = account
        self.account_policies[email] = policies.fresh()
        if self.faults.account_lag:
            self.unseen[email] = self.faults.account_lag
        return account

    def exists(self, email: str) -> bool:
        """Whether another API (Cloud Functions, Resource Manager) sees the account yet."""
        if email not in self.accounts:
            return False
        left = self.unseen.get(email, 0)
        if left > 0:
            self.unseen[email] = left - 1
            return False
        return True

    def find(self, name: str) -> dict[str, Any]:
        """The account `projects/P/serviceAccounts/{email or uniqueId}` names; 404 (403 with `-`)."""
        _, project, _, key = name.split("/")
        for account in self.accounts.values():
            if key in (account["email"], account["uniqueId"]) and project in ("-", account["projectId"]):
                return account
        if project == "-":
            raise GoogleError("PERMISSION_DENIED", f"Permission 'iam.serviceAccounts.get' denied on resource {name}")
        raise not_found(name)

    def check_member(self, member: str) -> None:
        """Resource Manager refuses a binding for a service account of the project that does not exist."""
        kind, _, email = member.partition(":")
        found = PROJECT_ACCOUNT.match(email)
        if kind == "serviceAccount" and found and found.group("project") == self.project and not self.exists(email):
            raise invalid_argument(f"Service account {email} does not exist.", field_path="policy.bindings.members")

    def forget(self, account: dict[str, Any]) -> None:
        email = account["email"]
        del self.accounts[email]
        self.account_policies.pop(email, None)
        gone = f"deleted:serviceAccount:{email}?uid={account['uniqueId']}"
        for binding in self.project_policy.get("bindings", []):
            binding["members"] = [gone if m == f"serviceAccount:{email}" else m for m in binding.get("members", [])]


def build_iam(state: IamState) -> Service:
    api = Api("iam.v1")
    prefix = "iam.projects.serviceAccounts."

    def create(req: Request) -> Any:
        _, project = req.param("name").split("/")
        account_id = req.body.get("accountId", "")
        if not (6 <= len(account_id) <= 30 and ACCOUNT_ID.match(account_id)):
            raise invalid_argument(
                f"Invalid account id {account_id!r}: it must be 6-30 characters long and match "
                "[a-z]([-a-z0-9]*[a-z0-9]).",
                field_path="account_id",
            )
        if project != state.project:
            raise GoogleError("PERMISSION_DENIED", f"Permission 'iam.serviceAccounts.create' denied on {project}")
        email = f"{account_id}@{project}.iam.gserviceaccount.com"
        if email in state.accounts:
            raise already_exists(f"projects/{project}/serviceAccounts/{email}")
        given = req.body.get("serviceAccount", {})
        return state.add(
            account_id, display_name=given.get("displayName", ""), description=given.get("description", "")
        )

    def list_accounts(req: Request) -> Any:
        _, project = req.param("name").split("/")
        found = [a for _, a in sorted(state.accounts.items()) if a["projectId"] == project]
        return page(found, req.match.query, "accounts")

    def delete(req: Request) -> Any:
        state.forget(state.find(req.param("name")))
        return {}

    def patch(req: Request) -> Any:
        account = state.find(req.param("name"))
        mask = req.body.get("updateMask", "")
        paths = parse_mask(api, "ServiceAccount", mask) if mask else []
        if not paths or any(p not in ("displayName", "description") for p in paths):
            raise invalid_argument("update_mask must name display_name and/or description.", field_path="update_mask")
        given = req.body.get("serviceAccount", {})
        for path in paths:
            if path in given:
                account[path] = given[path]
            else:
                account.pop(path, None)
        account["etag"] = policies.new_etag()
        return account

    def get_policy(req: Request) -> Any:
        return state.account_policies[state.find(req.param("resource"))["email"]]

    def set_policy(req: Request) -> Any:
        email = state.find(req.param("resource"))["email"]
        state.account_policies[email] = policies.replace(
            state.account_policies[email], req.body.get("policy", {}), check_member=state.check_member
        )
        return state.account_policies[email]

    handlers: dict[str, Handler] = {
        prefix + "create": create,
        prefix + "get": lambda req: state.find(req.param("name")),
        prefix + "list": list_accounts,
        prefix + "delete": delete,
        prefix + "patch": patch,
        prefix + "getIamPolicy": get_policy,
        prefix + "setIamPolicy": set_policy,
    }
    return Service("iam", api, handlers, {"SetIamPolicyRequest": iam_policy_pb2.SetIamPolicyRequest})


def build_resource_manager(state: IamState) -> Service:
    """projects.getIamPolicy/setIamPolicy, in v1 (`v1/projects/P:…`) and v3 (`v3/projects/P:…`)."""

    def project_of(req: Request) -> str:
        resource = req.param("resource")
        verb = req.match.method.id.rsplit(".", 1)[1]
        project = resource.removeprefix("projects/")
        if project not in (state.project, state.project_number):
            # Resource Manager answers 403 for a project the caller cannot see, whether or not it exists.
            raise GoogleError(
                "PERMISSION_DENIED",
                f"The caller does not have permission (resourcemanager.projects.{verb} on {resource})",
            )
        return project

    def get_policy(req: Request) -> Any:
        project_of(req)
        return state.project_policy

    def set_policy(req: Request) -> Any:
        project_of(req)
        state.project_policy = policies.replace(
            state.project_policy, req.body.get("policy", {}), check_member=state.check_member
        )
        return state.project_policy

    handlers: dict[str, Handler] = {
        "cloudresourcemanager.projects.getIamPolicy": get_policy,
        "cloudresourcemanager.projects.setIamPolicy": set_policy,
    }
    apis = Apis("cloudresourcemanager.v3", "cloudresourcemanager.v1")
    return Service("cloudresourcemanager", apis, handlers, {"SetIamPolicyRequest": iam_policy_pb2.SetIamPolicyRequest})
