"""moto_server with the two Lambda features #15 needs and moto 5 lacks, behaving as AWS documents.

- Provisioned concurrency configs (Put/Get/Delete ProvisionedConcurrencyConfig): only on an
  alias or a published version (AWS refuses $LATEST), on a function that exists; a missing config
  is ProvisionedConcurrencyConfigNotFoundException. Allocation is immediate (AWS: IN_PROGRESS,
  then READY; faas does not wait on it).
- SnapStart: moto always answers {"ApplyOn": "None"}; here the function keeps what
  CreateFunction / UpdateFunctionConfiguration sent, published versions report OptimizationStatus
  On, and a runtime that has no SnapStart (python < 3.12) is refused as AWS refuses it.

Run as moto_server: `python moto_plus.py -H 127.0.0.1 -p PORT`. Everything else is moto's own.
"""

from __future__ import annotations

import json
import sys
from typing import Any
from urllib.parse import unquote

from moto.awslambda import models, urls
from moto.awslambda.exceptions import InvalidParameterValueException, LambdaClientError
from moto.awslambda.responses import LambdaResponse

_SNAPSTART_RUNTIMES = ("python3.12", "python3.13", "java11", "java17", "java21", "dotnet8")
_FUNCTION = r"{0}/(?P<api_version>[^/]+)/functions/(?P<function_name>[\w_:%-]+)"
urls.url_paths[_FUNCTION + r"/provisioned-concurrency/?$"] = LambdaResponse.dispatch


class ProvisionedConcurrencyConfigNotFound(LambdaClientError):
    code = 404

    def __init__(self) -> None:
        super().__init__("ProvisionedConcurrencyConfigNotFoundException", "No Provisioned Concurrency Config found")


def _configs(backend: Any) -> dict[tuple[str, str], int]:
    return backend.__dict__.setdefault("_provisioned_concurrency", {})


def _target(response: LambdaResponse) -> tuple[str, str]:
    name = unquote(response.path.rsplit("/", 2)[-2])
    qualifier = response._get_param("Qualifier", None) or response.querystring.get("Qualifier", [None])[0]
    if not qualifier or qualifier == "$LATEST":
        raise InvalidParameterValueException(
            "Provisioned Concurrency Configs cannot be applied to unpublished function versions."
        )
    response.backend.get_function(name, qualifier)  # ResourceNotFoundException for an unknown alias or version
    return name, qualifier


def put_provisioned_concurrency_config(self: LambdaResponse) -> tuple[int, dict[str, str], str]:
    key = _target(self)
    requested = int(json.loads(self.body)["ProvisionedConcurrentExecutions"])
    if requested < 1:
        raise InvalidParameterValueException("ProvisionedConcurrentExecutions must be at least 1")
    _configs(self.backend)[key] = requested
    return 202, {}, json.dumps(_answer(requested))


def get_provisioned_concurrency_config(self: LambdaResponse) -> tuple[int, dict[str, str], str]:
    key = _target(self)
    if key not in _configs(self.backend):
        raise ProvisionedConcurrencyConfigNotFound()
    return 200, {}, json.dumps(_answer(_configs(self.backend)[key]))


def delete_provisioned_concurrency_config(self: LambdaResponse) -> tuple[int, dict[str, str], str]:
    key = _target(self)
    if _configs(self.backend).pop(key, None) is None:
        raise ProvisionedConcurrencyConfigNotFound()
    return 204, {}, ""


def _answer(count: int) -> dict[str, Any]:
    return {
        "RequestedProvisionedConcurrentExecutions": count,
        "AvailableProvisionedConcurrentExecutions": count,
        "AllocatedProvisionedConcurrentExecutions": count,
        "Status": "READY",
        "LastModified": "2026-01-01T00:00:00+0000",
    }


for _handler in (
    put_provisioned_concurrency_config,
    get_provisioned_concurrency_config,
    delete_provisioned_concurrency_config,
):
    setattr(LambdaResponse, _handler.__name__, _handler)


def _check_snap_start(runtime: str | None, snap_start: dict[str, Any] | None) -> None:
    if (snap_start or {}).get("ApplyOn") == "PublishedVersions" and runtime not in _SNAPSTART_RUNTIMES:
        raise InvalidParameterValueException(f"{runtime} is not supported for SnapStart enabled functions.")


_original_init = models.LambdaFunction.__init__
_original_update = models.LambdaFunction.update_configuration
_original_configuration = models.LambdaFunction.get_configuration


def _init(self: Any, account_id: str, spec: dict[str, Any], region: str, version: Any = 1) -> None:
    _check_snap_start(spec.get("Runtime"), spec.get("SnapStart"))
    _original_init(self, account_id, spec, region, version)
    self.snap_start = (spec.get("SnapStart") or {}).get("ApplyOn", "None")


def _update(self: Any, config_updates: dict[str, Any]) -> dict[str, Any]:
    runtime = config_updates.get("Runtime", self.run_time)
    snap_start = config_updates.get("SnapStart", {"ApplyOn": getattr(self, "snap_start", "None")})
    _check_snap_start(runtime, snap_start)
    self.snap_start = snap_start.get("ApplyOn", "None")
    return dict(_original_update(self, config_updates))


def _configuration(self: Any, on_create: bool = False) -> dict[str, Any]:
    config = dict(_original_configuration(self, on_create))
    apply_on = getattr(self, "snap_start", "None")
    published = str(config.get("Version")) != "$LATEST"
    status = "On" if apply_on == "PublishedVersions" and published else "Off"
    config["SnapStart"] = {"ApplyOn": apply_on, "OptimizationStatus": status}
    return config


models.LambdaFunction.__init__ = _init  # type: ignore[method-assign]
models.LambdaFunction.update_configuration = _update  # type: ignore[method-assign]
models.LambdaFunction.get_configuration = _configuration  # type: ignore[method-assign]


if __name__ == "__main__":
    from moto.server import main

    main(sys.argv[1:])
