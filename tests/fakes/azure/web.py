"""Microsoft.Web: App Service plans, sites (Flex Consumption rules), app settings, names, host names."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

from azure.mgmt.web import models

from . import flex
from .arm import Arm, now_iso
from .errors import ArmError, not_found
from .httpserver import Request, Response
from .identity import IdentityProvider, Principal
from .storage import StorageProvider
from .validation import validate_body

API_VERSIONS = {"2025-05-01", "2025-03-01", "2024-11-01", "2024-04-01", "2023-12-01"}
NS = "Microsoft.Web"
GROUP = r"/subscriptions/(?P<sub>[^/]+)/resourcegroups/(?P<rg>[^/]+)/providers/Microsoft\.Web"
PLAN = GROUP + r"/serverfarms/(?P<name>[^/]+)"
SITE = GROUP + r"/sites/(?P<name>[^/]+)"
_SITE_NAME = re.compile(r"^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,58}[a-zA-Z0-9])?$")


class WebProvider:
    def __init__(
        self,
        arm: Arm,
        storage: StorageProvider | None,
        identity: IdentityProvider,
        start_kudu: Callable[[dict[str, Any]], str],
        stop_kudu: Callable[[str], None],
        function_index: Callable[[str], Any],
        *,
        start_site: Callable[[dict[str, Any]], str] | None = None,
    ) -> None:
        self.arm = arm
        self.storage = storage
        self.identity = identity
        self.start_kudu = start_kudu
        self.stop_kudu = stop_kudu
        self.function_index = function_index  # site id -> the Kudu's Index (or None)
        # serves a new site on loopback and returns its host name (default: the Azure name, not served)
        self.start_site = start_site
        # why a site may not join a subnet (network.py), or None; set by the fake
        self.subnet_problem: Callable[[str], str | None] = lambda subnet_id: f"Subnet {subnet_id} does not exist."
        # called with the site after its app settings were replaced (the platform restarts the app)
        self.settings_listeners: list[Callable[[dict[str, Any]], None]] = []
        self.app_settings: dict[str, dict[str, str]] = {}  # lowercased site id -> settings
        self.taken_elsewhere: set[str] = set()  # site names of other subscriptions (global DNS names)
        self.dns: dict[str, str] = {}  # record name -> value, what a host-name binding verifies against

    def register(self) -> None:
        a = self.arm
        a.deletion_listeners.append(self._forget)
        a.route("PUT", PLAN, API_VERSIONS, self.put_plan, namespace=NS)
        a.route("GET", PLAN, API_VERSIONS, self.get_plan, namespace=NS)
        a.route("DELETE", PLAN, API_VERSIONS, self.delete_plan, namespace=NS)
        a.route("PUT", SITE, API_VERSIONS, self.put_site, namespace=NS)
        a.route("GET", SITE, API_VERSIONS, self.get_site, namespace=NS)
        a.route("DELETE", SITE, API_VERSIONS, self.delete_site, namespace=NS)
        a.route("GET", GROUP + "/sites", API_VERSIONS, self.list_sites, namespace=NS)
        a.route("GET", SITE + "/functions", API_VERSIONS, self.list_functions, namespace=NS)
        a.route("PUT", SITE + "/config/appsettings", API_VERSIONS, self.put_settings, namespace=NS)
        a.route("POST", SITE + "/config/appsettings/list", API_VERSIONS, self.list_settings, namespace=NS)
        a.route("PUT", SITE + r"/hostNameBindings/(?P<host>[^/]+)", API_VERSIONS, self.put_binding, namespace=NS)
        a.route("GET", SITE + r"/hostNameBindings/(?P<host>[^/]+)", API_VERSIONS, self.get_binding, namespace=NS)
        a.route("DELETE", SITE + r"/hostNameBindings/(?P<host>[^/]+)", API_VERSIONS, self.delete_binding, namespace=NS)
        a.route("GET", SITE + "/hostNameBindings", API_VERSIONS, self.list_bindings, namespace=NS)
        a.route(
            "POST",
            r"/subscriptions/(?P<sub>[^/]+)/providers/Microsoft\.Web/checknameavailability",
            API_VERSIONS,
            self.check_name,
            namespace=NS,
        )

    def _forget(self, document: dict[str, Any]) -> None:
        if document.get("type") == "Microsoft.Web/sites":
            self.stop_kudu(document["id"])
            self.app_settings.pop(document["id"].lower(), None)

    # -- plans ------------------------------------------------------------------------------------

    def plan_id(self, group: str, name: str) -> str:
        return f"{self.arm.group_id(group)}/providers/Microsoft.Web/serverfarms/{name}"

    def put_plan(self, request: Request, match: re.Match[str]) -> Response:
        self.arm.require_group(match["rg"])
        body = request.json()
        validate_body(models.AppServicePlan, body, what="App Service plan")
        sku = body.get("sku") or {}
        props = body.get("properties") or {}
        if sku.get("name") == "FC1":
            if sku.get("tier", "FlexConsumption") != "FlexConsumption":
                raise ArmError(400, "BadRequest", "The FC1 SKU belongs to the FlexConsumption tier.")
            if props.get("reserved") is not True:
                raise ArmError(
                    400, "BadRequest", "Flex Consumption plans are Linux only: set properties.reserved to true."
                )
        plan_id = self.plan_id(match["rg"], match["name"])
        existing = self.arm.get(plan_id)
        document = {
            "id": plan_id,
            "name": match["name"],
            "type": "Microsoft.Web/serverfarms",
            "location": body["location"],
            "kind": body.get("kind") or "app",
            "tags": body.get("tags") or {},
            "sku": {
                "name": sku.get("name"),
                "tier": sku.get("tier") or ("FlexConsumption" if sku.get("name") == "FC1" else None),
                "size": sku.get("name"),
                "family": (sku.get("name") or "")[:2],
                "capacity": sku.get("capacity", 0),
            },
            "properties": {
                **props,
                "status": "Ready",
                "provisioningState": "InProgress",
                "numberOfSites": existing["properties"]["numberOfSites"] if existing else 0,
                "resourceGroup": match["rg"],
            },
        }
        self.arm.put(plan_id, document)

        def finish() -> None:
            document["properties"]["provisioningState"] = "Succeeded"

        return Response(202, None, self.arm.start_operation(namespace=NS, location=body["location"], finish=finish))

    def _plan(self, match: re.Match[str]) -> dict[str, Any]:
        self.arm.require_group(match["rg"])
        document = self.arm.get(self.plan_id(match["rg"], match["name"]))
        if document is None:
            raise not_found("Microsoft.Web/serverFarms", match["name"], match["rg"])
        return document

    def get_plan(self, request: Request, match: re.Match[str]) -> Response:
        return Response(200, self._plan(match))

    def delete_plan(self, request: Request, match: re.Match[str]) -> Response:
        self.arm.require_group(match["rg"])
        plan_id = self.plan_id(match["rg"], match["name"])
        if self.arm.get(plan_id) is None:
            return Response(204)
        users = [
            s["name"]
            for s in self.arm.of_type("Microsoft.Web/sites")
            if s["properties"]["serverFarmId"].lower() == plan_id.lower()
        ]
        if users:
            raise ArmError(
                409,
                "Conflict",
                f"Server farm '{match['name']}' cannot be deleted because it has web app(s) "
                f"{', '.join(users)} assigned to it.",
            )
        self.arm.delete(plan_id)
        return Response(200)

    # -- sites ------------------------------------------------------------------------------------

    def site_id(self, group: str, name: str) -> str:
        return f"{self.arm.group_id(group)}/providers/Microsoft.Web/sites/{name}"

    def _name_problem(self, name: str, *, own_id: str | None = None) -> tuple[str, str] | None:
        if not _SITE_NAME.match(name):
            return (
                "Invalid",
                f"The name '{name}' is not valid: 2-60 letters, digits and hyphens, starting and ending "
                "with a letter or digit.",
            )
        others = [
            s
            for s in self.arm.of_type("Microsoft.Web/sites")
            if s["name"].lower() == name.lower() and s["id"].lower() != (own_id or "").lower()
        ]
        if others or name.lower() in self.taken_elsewhere:
            return "AlreadyExists", f"Hostname '{name}' already exists. Please select a different name."
        return None

    def check_name(self, request: Request, match: re.Match[str]) -> Response:
        body = request.json()
        validate_body(models.ResourceNameAvailabilityRequest, body, what="name availability")
        if body["type"] not in ("Site", "Slot", "Microsoft.Web/sites", "Microsoft.Web/sites/slots"):
            return Response(200, {"nameAvailable": True})
        problem = self._name_problem(body["name"])
        if problem is None:
            return Response(200, {"nameAvailable": True})
        return Response(200, {"nameAvailable": False, "reason": problem[0], "message": problem[1]})

    def _identity(self, body: dict[str, Any], existing: dict[str, Any] | None) -> dict[str, Any] | None:
        identity = body.get("identity")
        if not identity:
            return None
        kind = identity.get("type", "None")
        result: dict[str, Any] = {"type": kind}
        if "SystemAssigned" in kind:
            old = (existing or {}).get("identity") or {}
            principal = old.get("principalId") or str(uuid.uuid4())
            self.identity.principals.setdefault(
                principal, Principal(principal, self.arm.switches.principal_propagation_failures)
            )
            result.update(principalId=principal, tenantId=self.arm.tenant_id)
        if "UserAssigned" in kind:
            assigned: dict[str, Any] = {}
            for resource_id in identity.get("userAssignedIdentities") or {}:
                found = self.arm.get(resource_id)
                if found is None:
                    raise ArmError(400, "BadRequest", f"The user-assigned identity '{resource_id}' was not found.")
                assigned[found["id"]] = {
                    "principalId": found["properties"]["principalId"],
                    "clientId": found["properties"]["clientId"],
                }
            result["userAssignedIdentities"] = assigned
        return result

    def _container_exists(self, url: str) -> bool:
        if self.storage is None:
            return False
        for account in self.arm.of_type("Microsoft.Storage/storageAccounts"):
            endpoint = account["properties"]["primaryEndpoints"]["blob"]
            if url.startswith(endpoint):
                container = url[len(endpoint) :].strip("/")
                return self.arm.get(f"{account['id']}/blobServices/default/containers/{container}") is not None
        return False

    def put_site(self, request: Request, match: re.Match[str]) -> Response:
        group, name = match["rg"], match["name"]
        self.arm.require_group(group)
        body = request.json()
        validate_body(models.Site, body, what="site")
        site_id = self.site_id(group, name)
        existing = self.arm.get(site_id)
        problem = self._name_problem(name, own_id=site_id)
        if problem is not None:
            raise ArmError(
                400 if problem[0] == "Invalid" else 409,
                "BadRequest" if problem[0] == "Invalid" else "Conflict",
                problem[1],
            )
        props = dict(body.get("properties") or {})
        plan = self.arm.get(props.get("serverFarmId") or "")
        if plan is None:
            raise ArmError(
                404,
                "NotFound",
                f"Cannot find ServerFarm with name {(props.get('serverFarmId') or '').rsplit('/', 1)[-1]}.",
            )
        kind = body.get("kind") or "app"
        identity = self._identity(body, existing)
        reference_identity = props.get("keyVaultReferenceIdentity")
        assigned = {k.lower() for k in ((identity or {}).get("userAssignedIdentities") or {})}
        if reference_identity and reference_identity != "SystemAssigned" and reference_identity.lower() not in assigned:
            raise ArmError(
                400,
                "BadRequest",
                f"keyVaultReferenceIdentity '{reference_identity}' is not a user-assigned identity of the site.",
            )
        site_config = dict(props.get("siteConfig") or {})
        settings_given = site_config.pop("appSettings", None)
        settings = (
            {p["name"]: p.get("value") or "" for p in settings_given}
            if settings_given is not None
            else self.app_settings.get(site_id.lower(), {})
        )
        is_flex = plan["sku"]["name"] == "FC1"
        config = props.get("functionAppConfig")
        if config and not is_flex:
            raise ArmError(
                400, "BadRequest", "properties.functionAppConfig is only supported on Flex Consumption (FC1) plans."
            )
        if is_flex:
            identities = {k.lower() for k in ((identity or {}).get("userAssignedIdentities") or {})}
            config = flex.check_function_app_config(
                config,
                kind=kind,
                identities=identities,
                system_identity="SystemAssigned" in (identity or {}).get("type", ""),
                setting_names=list(settings),
                container_exists=self._container_exists,
            )
            flex.refuse_forbidden(list(settings))
            subnet = props.get("virtualNetworkSubnetId")
            problem = self.subnet_problem(subnet) if subnet else None
            if problem is not None:
                raise ArmError(400, "BadRequest", problem)
            flex.refuse_site_config(site_config)
        document: dict[str, Any] = existing or {"id": site_id, "name": name, "type": "Microsoft.Web/sites"}
        if "_default_host" not in document:
            document["_default_host"] = (
                self.start_site(document) if self.start_site else f"{name.lower()}.azurewebsites.net"
            )
        default_host = document["_default_host"]
        document.update(location=body["location"], kind=kind, tags=body.get("tags") or {})
        if identity is not None:
            document["identity"] = identity
        scm_host = document.get("_scm_host") or ""
        document["properties"] = {
            **{k: v for k, v in props.items() if k not in ("siteConfig",)},
            "siteConfig": {**site_config, "appSettings": None},
            "functionAppConfig": config,
            "state": "Running",
            "enabled": True,
            "hostNames": [default_host],
            "enabledHostNames": [default_host, scm_host],
            "defaultHostName": default_host,
            "repositorySiteName": name,
            "usageState": "Normal",
            "availabilityState": "Normal",
            "resourceGroup": group,
            "customDomainVerificationId": document.get("properties", {}).get("customDomainVerificationId")
            or uuid.uuid4().hex.upper(),
            "lastModifiedTimeUtc": now_iso(),
            "provisioningState": "InProgress",
        }
        self.arm.put(site_id, document)
        self.app_settings[site_id.lower()] = settings
        if existing is None:
            plan["properties"]["numberOfSites"] += 1

        def finish() -> None:
            if not document.get("_scm_host"):
                document["_scm_host"] = self.start_kudu(document)
            self._set_host_states(document)
            document["properties"]["provisioningState"] = "Succeeded"

        return Response(202, None, self.arm.start_operation(namespace=NS, location=body["location"], finish=finish))

    def _set_host_states(self, document: dict[str, Any]) -> None:
        props = document["properties"]
        scm = document["_scm_host"]
        props["enabledHostNames"] = [*props["hostNames"], scm]
        props["hostNameSslStates"] = [
            {"name": h, "sslState": "Disabled", "hostType": "Standard"} for h in props["hostNames"]
        ] + [{"name": scm, "sslState": "Disabled", "hostType": "Repository"}]

    def site(self, match: re.Match[str]) -> dict[str, Any]:
        self.arm.require_group(match["rg"])
        document = self.arm.get(self.site_id(match["rg"], match["name"]))
        if document is None:
            raise not_found("Microsoft.Web/sites", match["name"], match["rg"])
        return document

    @staticmethod
    def public(document: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in document.items() if not k.startswith("_")}

    def get_site(self, request: Request, match: re.Match[str]) -> Response:
        return Response(200, self.public(self.site(match)))

    def list_sites(self, request: Request, match: re.Match[str]) -> Response:
        self.arm.require_group(match["rg"])
        prefix = self.arm.group_id(match["rg"]).lower() + "/"
        sites = [self.public(s) for s in self.arm.of_type("Microsoft.Web/sites") if s["id"].lower().startswith(prefix)]
        return Response(200, {"value": sites})

    def list_functions(self, request: Request, match: re.Match[str]) -> Response:
        site = self.site(match)
        index = self.function_index(site["id"])
        functions = [
            {
                "id": f"{site['id']}/functions/{fn['name']}",
                "name": f"{site['name']}/{fn['name']}",
                "type": "Microsoft.Web/sites/functions",
                "properties": {
                    "name": fn["name"],
                    "config": {"bindings": fn["bindings"]},
                    "language": "python",
                    "isDisabled": False,
                },
            }
            for fn in (index.functions if index else [])
        ]
        return Response(200, {"value": functions})

    def delete_site(self, request: Request, match: re.Match[str]) -> Response:
        self.arm.require_group(match["rg"])
        site_id = self.site_id(match["rg"], match["name"])
        document = self.arm.get(site_id)
        if document is None:
            return Response(204)
        plan = self.arm.get(document["properties"]["serverFarmId"])
        if plan is not None:
            plan["properties"]["numberOfSites"] -= 1
        self.arm.delete(site_id)  # _forget stops its Kudu
        return Response(200)

    # -- app settings: a PUT replaces the whole set, as the real API does ---------------------------

    def _settings_document(self, site: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": f"{site['id']}/config/appsettings",
            "name": "appsettings",
            "type": "Microsoft.Web/sites/config",
            "location": site["location"],
            "properties": dict(self.app_settings[site["id"].lower()]),
        }

    def put_settings(self, request: Request, match: re.Match[str]) -> Response:
        site = self.site(match)
        body = request.json()
        validate_body(models.StringDictionary, body, what="app settings")
        settings = body.get("properties") or {}
        plan = self.arm.get(site["properties"]["serverFarmId"])
        if plan is not None and plan["sku"]["name"] == "FC1":
            flex.refuse_forbidden(list(settings))
        self.app_settings[site["id"].lower()] = dict(settings)
        for listener in self.settings_listeners:
            listener(site)
        return Response(200, self._settings_document(site))

    def list_settings(self, request: Request, match: re.Match[str]) -> Response:
        return Response(200, self._settings_document(self.site(match)))

    # -- host-name bindings -----------------------------------------------------------------------

    def _binding_id(self, site: dict[str, Any], host: str) -> str:
        return f"{site['id']}/hostNameBindings/{host}"

    def put_binding(self, request: Request, match: re.Match[str]) -> Response:
        site = self.site(match)
        host = match["host"].lower()
        body = request.json() or {}
        validate_body(models.HostNameBinding, body, what="host-name binding")
        props = site["properties"]
        expected_txt = props["customDomainVerificationId"]
        if self.dns.get(f"asuid.{host}") != expected_txt:
            raise ArmError(
                400, "BadRequest", f"A TXT record pointing from asuid.{host} to {expected_txt} was not found."
            )
        if (body.get("properties") or {}).get("customHostNameDnsRecordType", "CName") == "CName" and self.dns.get(
            host
        ) != props["defaultHostName"]:
            raise ArmError(
                400, "BadRequest", f"A CNAME record pointing from {host} to {props['defaultHostName']} was not found."
            )
        document: dict[str, Any] = {
            "id": self._binding_id(site, host),
            "name": f"{site['name']}/{host}",
            "type": "Microsoft.Web/sites/hostNameBindings",
            "properties": {
                "siteName": site["name"],
                "hostNameType": "Verified",
                "customHostNameDnsRecordType": "CName",
                "sslState": "Disabled",
                **(body.get("properties") or {}),
            },
        }
        self.arm.put(document["id"], document)
        if host not in props["hostNames"]:
            props["hostNames"].append(host)
            self._set_host_states(site)
        return Response(200, document)

    def get_binding(self, request: Request, match: re.Match[str]) -> Response:
        site = self.site(match)
        document = self.arm.get(self._binding_id(site, match["host"].lower()))
        if document is None:
            raise not_found("Microsoft.Web/sites/hostNameBindings", match["host"], match["rg"])
        return Response(200, document)

    def delete_binding(self, request: Request, match: re.Match[str]) -> Response:
        site = self.site(match)
        host = match["host"].lower()
        if self.arm.get(self._binding_id(site, host)) is None:
            return Response(204)
        self.arm.delete(self._binding_id(site, host))
        site["properties"]["hostNames"].remove(host)
        self._set_host_states(site)
        return Response(200)

    def list_bindings(self, request: Request, match: re.Match[str]) -> Response:
        site = self.site(match)
        default = {
            "id": self._binding_id(site, site["properties"]["defaultHostName"]),
            "name": f"{site['name']}/{site['properties']['defaultHostName']}",
            "type": "Microsoft.Web/sites/hostNameBindings",
            "properties": {"siteName": site["name"], "hostNameType": "Managed"},
        }
        custom = [
            d
            for d in self.arm.of_type("Microsoft.Web/sites/hostNameBindings")
            if d["id"].lower().startswith(site["id"].lower() + "/")
        ]
        return Response(200, {"value": [default, *custom]})
