"""Microsoft.Web site operations after create: PATCH, config/web, keys, restart and trigger sync.

The routes are the ones azure-mgmt-web 11 sends (`web_apps.update`, `get_configuration`,
`create_or_update_configuration`, `update_configuration`, `list_host_keys`, `list_function_keys`,
`restart`, `sync_function_triggers`, `sync_functions`), with the methods and success codes its
operations expect. Bodies are checked against the SDK's models; Flex rules hold on every write.
"""

from __future__ import annotations

import base64
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from azure.mgmt.web import models

from . import flex
from .arm import now_iso
from .errors import ArmError, not_found
from .httpserver import Request, Response
from .validation import validate_body
from .web import API_VERSIONS, NS, SITE, WebProvider


def new_key() -> str:
    # the host's keys are 40 random bytes, base64url without padding (Functions host SecretManager)
    return base64.urlsafe_b64encode(secrets.token_bytes(40)).decode().rstrip("=")


@dataclass
class HostKeys:
    """A site's keys, as the Functions host keeps them: one master key, named host and function keys."""

    master: str = field(default_factory=new_key)
    host: dict[str, str] = field(default_factory=lambda: {"default": new_key()})
    system: dict[str, str] = field(default_factory=dict)
    functions: dict[str, dict[str, str]] = field(default_factory=dict)

    def function(self, name: str) -> dict[str, str]:
        return self.functions.setdefault(name, {"default": new_key()})

    def accepts(self, key: str | None, *, function: str | None = None) -> bool:
        """A function-level route takes the master key, any host key or that function's keys."""
        if not key:
            return False
        allowed = {self.master, *self.host.values()}
        if function is not None:
            allowed |= set(self.function(function).values())
        return key in allowed


class SiteOperations:
    def __init__(self, web: WebProvider, *, on_restart: Callable[[dict[str, Any]], None] | None = None) -> None:
        self.web = web
        self.arm = web.arm
        self.keys: dict[str, HostKeys] = {}  # lowercased site id -> keys
        self.on_restart = on_restart
        self.restarts: list[str] = []  # site names, in the order they were restarted
        self.trigger_syncs: list[str] = []

    def keys_of(self, site_id: str) -> HostKeys:
        return self.keys.setdefault(site_id.lower(), HostKeys())

    def register(self) -> None:
        a = self.arm
        a.deletion_listeners.append(self._forget)
        a.route("PATCH", SITE, API_VERSIONS, self.patch_site, namespace=NS)
        a.route("GET", SITE + "/config/web", API_VERSIONS, self.get_config, namespace=NS)
        a.route("PUT", SITE + "/config/web", API_VERSIONS, self.put_config, namespace=NS)
        a.route("PATCH", SITE + "/config/web", API_VERSIONS, self.patch_config, namespace=NS)
        a.route("POST", SITE + "/host/default/listkeys", API_VERSIONS, self.list_host_keys, namespace=NS)
        a.route(
            "POST", SITE + r"/functions/(?P<fn>[^/]+)/listkeys", API_VERSIONS, self.list_function_keys, namespace=NS
        )
        a.route("GET", SITE + r"/functions/(?P<fn>[^/]+)", API_VERSIONS, self.get_function, namespace=NS)
        a.route("POST", SITE + "/restart", API_VERSIONS, self.restart, namespace=NS)
        a.route("POST", SITE + "/syncfunctiontriggers", API_VERSIONS, self.sync_triggers, namespace=NS)
        a.route("POST", SITE + "/host/default/sync", API_VERSIONS, self.sync_triggers, namespace=NS)

    def _forget(self, document: dict[str, Any]) -> None:
        if document.get("type") == "Microsoft.Web/sites":
            self.keys.pop(document["id"].lower(), None)

    def _is_flex(self, site: dict[str, Any]) -> bool:
        plan = self.arm.get(site["properties"].get("serverFarmId") or "")
        return plan is not None and plan["sku"]["name"] == "FC1"

    # -- PATCH site: a merge of the properties SitePatchResource can carry ----------------------------

    def patch_site(self, request: Request, match: re.Match[str]) -> Response:
        site = self.web.site(match)
        body = request.json() or {}
        validate_body(models.SitePatchResource, body, what="site update")
        props = dict(body.get("properties") or {})
        if "serverFarmId" in props and self.arm.get(props["serverFarmId"] or "") is None:
            raise ArmError(
                404, "NotFound", f"Cannot find ServerFarm with name {str(props['serverFarmId']).rsplit('/', 1)[-1]}."
            )
        site_config = props.pop("siteConfig", None)
        merged_config = None
        if site_config is not None:
            merged_config = self._merged_config(site, site_config, replace=False)
        if body.get("identity") is not None:
            identity = self.web._identity(body, site)
            if identity is not None:
                site["identity"] = identity
        if body.get("kind"):
            site["kind"] = body["kind"]
        site["properties"].update(props)
        if merged_config is not None:
            site["properties"]["siteConfig"] = merged_config
        site["properties"]["lastModifiedTimeUtc"] = now_iso()
        return Response(200, self.web.public(site))

    # -- config/web -------------------------------------------------------------------------------

    def _merged_config(self, site: dict[str, Any], given: dict[str, Any], *, replace: bool) -> dict[str, Any]:
        given = dict(given)
        settings = given.pop("appSettings", None)
        current = {k: v for k, v in (site["properties"].get("siteConfig") or {}).items() if v is not None}
        merged = given if replace else {**current, **given}
        if self._is_flex(site):
            flex.refuse_site_config(merged)
            if settings is not None:
                flex.refuse_forbidden([p["name"] for p in settings])
        if settings is not None:
            # as at site PUT: a siteConfig.appSettings list is the whole new set
            self.web.app_settings[site["id"].lower()] = {p["name"]: p.get("value") or "" for p in settings}
        return {**merged, "appSettings": None}

    def _config_document(self, site: dict[str, Any]) -> dict[str, Any]:
        config = {k: v for k, v in (site["properties"].get("siteConfig") or {}).items() if v is not None}
        config.setdefault("minTlsVersion", "1.2")
        config.setdefault("ftpsState", "FtpsOnly")
        config.setdefault("http20Enabled", False)
        return {
            "id": f"{site['id']}/config/web",
            "name": "web",
            "type": "Microsoft.Web/sites/config",
            "location": site["location"],
            "properties": config,
        }

    def get_config(self, request: Request, match: re.Match[str]) -> Response:
        return Response(200, self._config_document(self.web.site(match)))

    def _write_config(self, request: Request, match: re.Match[str], *, replace: bool) -> Response:
        site = self.web.site(match)
        body = request.json() or {}
        validate_body(models.SiteConfigResource, body, what="site configuration")
        site["properties"]["siteConfig"] = self._merged_config(site, body.get("properties") or {}, replace=replace)
        return Response(200, self._config_document(site))

    def put_config(self, request: Request, match: re.Match[str]) -> Response:
        return self._write_config(request, match, replace=True)

    def patch_config(self, request: Request, match: re.Match[str]) -> Response:
        return self._write_config(request, match, replace=False)

    # -- keys: what the admin API and function-level routes of the site accept --------------------------

    def list_host_keys(self, request: Request, match: re.Match[str]) -> Response:
        keys = self.keys_of(self.web.site(match)["id"])
        return Response(
            200, {"masterKey": keys.master, "functionKeys": dict(keys.host), "systemKeys": dict(keys.system)}
        )

    def _indexed(self, site: dict[str, Any], name: str) -> dict[str, Any]:
        index = self.web.function_index(site["id"])
        for function in index.functions if index else []:
            if function["name"].lower() == name.lower():
                return dict(function)
        raise not_found("Microsoft.Web/sites/functions", f"{site['name']}/{name}", site["properties"]["resourceGroup"])

    def list_function_keys(self, request: Request, match: re.Match[str]) -> Response:
        site = self.web.site(match)
        function = self._indexed(site, match["fn"])
        keys = self.keys_of(site["id"]).function(function["name"])
        return Response(200, {"name": function["name"], "type": "Microsoft.Web/sites/functions", "properties": keys})

    def get_function(self, request: Request, match: re.Match[str]) -> Response:
        site = self.web.site(match)
        function = self._indexed(site, match["fn"])
        return Response(
            200,
            {
                "id": f"{site['id']}/functions/{function['name']}",
                "name": f"{site['name']}/{function['name']}",
                "type": "Microsoft.Web/sites/functions",
                "properties": {
                    "name": function["name"],
                    "config": {"bindings": function["bindings"]},
                    "language": "python",
                    "isDisabled": False,
                },
            },
        )

    # -- restart and trigger sync -----------------------------------------------------------------

    def restart(self, request: Request, match: re.Match[str]) -> Response:
        site = self.web.site(match)
        self.restarts.append(site["name"])
        if self.on_restart is not None:
            self.on_restart(site)
        return Response(200)

    def sync_triggers(self, request: Request, match: re.Match[str]) -> Response:
        self.trigger_syncs.append(self.web.site(match)["name"])
        return Response(204)
