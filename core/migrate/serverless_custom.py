"""serverless.yml `custom:`: the settings of serverless-wsgi, serverless-python-requirements and
serverless-domain-manager; any other key is a value for `${self:custom...}` and is resolved where used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from faas.core.migrate.serverless import _StageConverter
    from faas.core.migrate.serverless_functions import FunctionsConverter

_LOCKS = "faas finds uv.lock, poetry.lock, Pipfile.lock or requirements.txt itself, locked versions first"
_WHEELS = "faas installs manylinux wheels for the target platform itself, no Docker needed"
REQUIREMENTS = {
    "usePipenv": _LOCKS,
    "usePoetry": _LOCKS,
    "requirePoetryLockFile": _LOCKS,
    "poetryWithGroups": _LOCKS,
    "poetryWithoutGroups": _LOCKS,
    "poetryOnlyGroups": _LOCKS,
    "dockerizePip": _WHEELS,
    "dockerImage": _WHEELS,
    "dockerFile": _WHEELS,
    "dockerSsh": _WHEELS,
    "dockerEnv": _WHEELS,
    "dockerExtraFiles": _WHEELS,
    "dockerRunCmdExtraArgs": _WHEELS,
    "dockerBuildCmdExtraArgs": _WHEELS,
    "slim": "faas ships compiled bytecode and leaves out caches; its package.exclude takes more globs",
    "slimPatterns": "faas ships compiled bytecode and leaves out caches; its package.exclude takes more globs",
    "slimPatternsAppendDefaults": "faas ships compiled bytecode and leaves out caches",
    "strip": "faas ships wheels as they are built",
    "useDownloadCache": "faas keeps its own wheel cache",
    "useStaticCache": "faas keeps its own wheel cache",
    "cacheLocation": "faas keeps its own wheel cache",
    "staticCacheMaxVersions": "faas keeps its own wheel cache",
    "invalidateCaches": "faas keeps its own wheel cache",
}
REQUIREMENTS_WARN = {
    "zip": "faas does not zip requirements inside the artifact; remove `import unzip_requirements` from the code",
    "layer": "no Lambda layers in faas; the requirements go into the artifact",
    "pipCmdExtraArgs": "extra pip arguments are not imported",
    "vendor": "put the vendored folder inside the project: faas packages the project root",
}
DOMAIN_INFO = {
    "stage": "faas sets the domain per stage",
    "createRoute53Record": "faas writes the record in the Route 53 zone it finds (providers.aws.hosted_zone_id)",
    "autoDomain": "faas creates the domain on deploy",
    "enabled": "the domain is written for this stage",
    "apiType": "the front door is providers.aws.front_door",
}


def convert_custom(conv: _StageConverter, custom: dict[str, Any], functions: FunctionsConverter) -> None:
    for key, value in custom.items():
        where = f"custom.{key}"
        if key == "wsgi" and isinstance(value, dict):
            _wsgi(conv, value)
        elif key == "pythonRequirements" and isinstance(value, dict):
            _requirements(conv, value)
        elif key == "customDomain" and isinstance(value, dict):
            _domain(conv, value)
        elif where not in conv.report:
            conv.info(where, "a value for ${self:custom...}: resolved where it is used")


def _wsgi(conv: _StageConverter, wsgi: dict[str, Any]) -> None:
    for key in wsgi:
        where = f"custom.wsgi.{key}"
        if key == "app":
            if where not in conv.report:
                conv.warn(where, "no function uses serverless-wsgi's handler (wsgi_handler.handler); no [app]")
        elif key == "pythonBin":
            conv.info(where, "the Python that builds the package: faas builds for `python`", "python")
        elif key == "packRequirements":
            conv.info(where, "faas installs the requirements itself")
        elif key in ("pipArgs", "textMimeTypes"):
            conv.warn(where, "not imported: faas decides text vs binary responses itself and runs pip its own way")
        else:
            conv.warn(where, "not a serverless-wsgi setting faas knows; ignored")


def _requirements(conv: _StageConverter, settings: dict[str, Any]) -> None:
    for key, value in settings.items():
        where = f"custom.pythonRequirements.{key}"
        if key == "fileName":
            conv.out.setdefault("package", {})["requirements"] = str(value)
            conv.mapped(where, "package.requirements")
        elif key == "noDeploy" and isinstance(value, list):
            conv.out.setdefault("package", {})["runtime_provided"] = [str(item) for item in value]
            conv.mapped(where, "package.runtime_provided", "distributions left out of the artifact")
        elif key in REQUIREMENTS:
            conv.info(where, REQUIREMENTS[key])
        elif key in REQUIREMENTS_WARN:
            conv.warn(where, REQUIREMENTS_WARN[key])
        else:
            # The plugin ignores keys it does not know, so a typo there never did anything.
            conv.warn(where, "not a serverless-python-requirements setting (the plugin ignores it too)")


def _domain(conv: _StageConverter, domain: dict[str, Any]) -> None:
    for key, value in domain.items():
        where = f"custom.customDomain.{key}"
        if value is None:
            conv.info(where, f"not set for stage {conv.stage}")
        elif key == "domainName":
            conv.out["domain"] = str(value)
            conv.mapped(where, "domain")
        elif key == "certificateArn":
            conv.out["certificate"] = str(value)
            conv.mapped(where, "certificate")
        elif key == "certificateName":
            conv.warn(
                where,
                'faas takes the certificate ARN (certificate) or "managed"; the name is not looked up',
                "certificate",
            )
        elif key == "basePath":
            path = "/" + str(value).strip("/")
            if path != "/":
                conv.out["base_path"] = path
            conv.mapped(where, "base_path")
        elif key == "endpointType":
            kind = str(value).lower()
            if kind in ("regional", "edge"):
                conv.aws["endpoint_type"] = kind
                conv.mapped(where, "providers.aws.endpoint_type")
            else:
                conv.warn(where, f"'{value}' endpoints have no faas counterpart", "providers.aws.endpoint_type")
        elif key == "hostedZoneId":
            conv.aws["hosted_zone_id"] = str(value)
            conv.mapped(where, "providers.aws.hosted_zone_id")
        elif key in DOMAIN_INFO:
            conv.info(where, DOMAIN_INFO[key])
        else:
            conv.warn(where, "not imported (TLS policy, tags and the like have no faas counterpart)")
