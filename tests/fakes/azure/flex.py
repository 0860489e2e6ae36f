"""The Flex Consumption (FC1) rules a site must satisfy, as ARM enforces them on PUT."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from .errors import ArmError

# Settings Flex Consumption refuses: the platform owns them (Learn: "Flex Consumption plan deprecations").
FORBIDDEN_SETTINGS = {
    "FUNCTIONS_WORKER_RUNTIME",
    "FUNCTIONS_EXTENSION_VERSION",
    "FUNCTIONS_WORKER_PROCESS_COUNT",
    "FUNCTIONS_WORKER_RUNTIME_VERSION",
    "WEBSITE_RUN_FROM_PACKAGE",
    "SCM_DO_BUILD_DURING_DEPLOYMENT",
    "ENABLE_ORYX_BUILD",
    "WEBSITE_NODE_DEFAULT_VERSION",
    "WEBSITE_SKIP_CONTENTSHARE_VALIDATION",
    "WEBSITE_USE_PLACEHOLDER",
    "WEBSITE_USE_PLACEHOLDER_DOTNETISOLATED",
    "PYTHON_ISOLATE_WORKER_DEPENDENCIES",
    "PYTHON_THREADPOOL_THREAD_COUNT",
}
FORBIDDEN_PREFIXES = ("WEBSITE_CONTENT",)  # WEBSITE_CONTENTSHARE, WEBSITE_CONTENTAZUREFILECONNECTIONSTRING ...
RUNTIMES = {
    "python": {"3.10", "3.11", "3.12", "3.13"},
    "node": {"20", "22"},
    "dotnet-isolated": {"8.0", "9.0"},
    "java": {"11", "17", "21"},
    "powershell": {"7.4"},
    "custom": {"1.0"},
}
INSTANCE_MEMORY_MB = {512, 2048, 4096}
MAX_INSTANCES = range(1, 1001)


def forbidden_settings(names: list[str]) -> list[str]:
    return [n for n in names if n.upper() in FORBIDDEN_SETTINGS or n.upper().startswith(FORBIDDEN_PREFIXES)]


def refuse_forbidden(names: list[str]) -> None:
    bad = forbidden_settings(names)
    if bad:
        raise ArmError(
            400,
            "BadRequest",
            f"The following app setting(s) are not supported by the Flex Consumption plan: {', '.join(bad)}. "
            "The platform manages them from properties.functionAppConfig.",
            [{"code": "FlexConsumptionAppSettingNotSupported", "message": name} for name in bad],
        )


def _bad(message: str) -> ArmError:
    return ArmError(400, "BadRequest", message)


def check_function_app_config(
    config: dict[str, Any] | None,
    *,
    kind: str,
    identities: set[str],
    system_identity: bool,
    setting_names: list[str],
    container_exists: Any,
) -> dict[str, Any]:
    """Validate and fill in defaults; `container_exists(url) -> bool` checks the deployment container."""
    if {part.strip() for part in kind.lower().split(",")} != {"functionapp", "linux"}:
        raise _bad(f"Flex Consumption sites must be of kind 'functionapp,linux', not '{kind}'.")
    if not config:
        raise _bad("Flex Consumption sites require properties.functionAppConfig.")
    storage = ((config.get("deployment") or {}).get("storage")) or {}
    if storage.get("type") != "blobContainer":
        raise _bad("functionAppConfig.deployment.storage.type must be 'blobContainer'.")
    url = storage.get("value") or ""
    if urlsplit(url).scheme != "https" or not container_exists(url):
        raise _bad(f"functionAppConfig.deployment.storage.value '{url}' is not an existing blob container URL.")
    auth = storage.get("authentication") or {}
    auth_type = auth.get("type")
    if auth_type == "UserAssignedIdentity":
        wanted = (auth.get("userAssignedIdentityResourceId") or "").lower()
        if not wanted or wanted not in identities:
            raise _bad(
                "functionAppConfig.deployment.storage.authentication.userAssignedIdentityResourceId must "
                "name an identity assigned to the site."
            )
    elif auth_type == "SystemAssignedIdentity":
        if not system_identity:
            raise _bad(
                "SystemAssignedIdentity deployment storage authentication needs the site's system-assigned "
                "identity enabled."
            )
    elif auth_type == "StorageAccountConnectionString":
        name = auth.get("storageAccountConnectionStringName")
        if not name or name not in setting_names:
            raise _bad("storageAccountConnectionStringName must name an app setting of the site.")
    else:
        raise _bad(f"functionAppConfig.deployment.storage.authentication.type '{auth_type}' is not supported.")
    runtime = config.get("runtime") or {}
    versions = RUNTIMES.get(str(runtime.get("name", "")).lower())
    if versions is None:
        raise _bad(
            f"functionAppConfig.runtime.name '{runtime.get('name')}' is not supported. Supported: "
            f"{', '.join(sorted(RUNTIMES))}."
        )
    if str(runtime.get("version")) not in versions:
        raise _bad(
            f"functionAppConfig.runtime.version '{runtime.get('version')}' is not supported for "
            f"{runtime['name']}. Supported: {', '.join(sorted(versions))}."
        )
    scale = dict(config.get("scaleAndConcurrency") or {})
    scale.setdefault("instanceMemoryMB", 2048)
    scale.setdefault("maximumInstanceCount", 100)
    if scale["instanceMemoryMB"] not in INSTANCE_MEMORY_MB:
        raise _bad(
            f"instanceMemoryMB {scale['instanceMemoryMB']} is not supported. Supported: "
            f"{', '.join(map(str, sorted(INSTANCE_MEMORY_MB)))}."
        )
    if scale["maximumInstanceCount"] not in MAX_INSTANCES:
        raise _bad(f"maximumInstanceCount {scale['maximumInstanceCount']} must be between 1 and 1000.")
    for entry in scale.get("alwaysReady") or []:
        # Learn: "Always ready instances": a trigger group (http, blob, durable) or function:<name>
        group = str(entry.get("name") or "")
        if group.lower() not in ("http", "blob", "durable") and not group.lower().startswith("function:"):
            raise _bad(f"alwaysReady name '{group}' is not a trigger group (http, blob, durable) or function:<name>.")
        if int(entry.get("instanceCount") or 0) < 0:
            raise _bad("alwaysReady instanceCount cannot be negative.")
    concurrency = ((scale.get("triggers") or {}).get("http") or {}).get("perInstanceConcurrency")
    if concurrency is not None and not 1 <= int(concurrency) <= 1000:
        raise _bad(f"triggers.http.perInstanceConcurrency {concurrency} must be between 1 and 1000.")
    ready = sum(int(entry.get("instanceCount") or 0) for entry in scale.get("alwaysReady") or [])
    if ready > scale["maximumInstanceCount"]:
        raise _bad("The total alwaysReady instance count cannot exceed maximumInstanceCount.")
    return {**config, "scaleAndConcurrency": scale}


# siteConfig properties Flex Consumption refuses: their job moved to functionAppConfig (Learn: "Flex
# Consumption plan deprecations"). ARM's message names the property as below.
FORBIDDEN_SITE_CONFIG = {
    "functionAppScaleLimit": "FunctionAppScaleLimit",
    "linuxFxVersion": "LinuxFxVersion",
    "windowsFxVersion": "WindowsFxVersion",
    "preWarmedInstanceCount": "PreWarmedInstanceCount",
    "minimumElasticInstanceCount": "MinimumElasticInstanceCount",
    "javaVersion": "JavaVersion",
    "netFrameworkVersion": "NetFrameworkVersion",
    "powerShellVersion": "PowerShellVersion",
    "pythonVersion": "PythonVersion",
    "use32BitWorkerProcess": "Use32BitWorkerProcess",
    "alwaysOn": "AlwaysOn",
}


def refuse_site_config(site_config: dict[str, Any]) -> None:
    # empty values are what the platform itself reports for a Flex site, so they pass
    for key, label in FORBIDDEN_SITE_CONFIG.items():
        if site_config.get(key) not in (None, "", False, 0):
            raise _bad(
                f"The following site configuration property (Site.SiteConfig.{label}) for Flex Consumption "
                "sites is invalid. Please remove or rename it before retrying."
            )
