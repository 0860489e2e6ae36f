"""min_instances, max_instances and concurrency of the app as Flex Consumption's scale settings.

`min_instances` is the always-ready count of the `http` trigger group, `max_instances` the
maximumInstanceCount, `concurrency` the HTTP perInstanceConcurrency (site.py puts them in
functionAppConfig.scaleAndConcurrency). Always-ready instances are billed while idle.
"""

from __future__ import annotations

from faas import ConfigError
from faas.providers.azure.context import Deployment

MAX_INSTANCES = 1000  # Flex Consumption's maximumInstanceCount limit


def http_scale(deployment: Deployment) -> tuple[int, int, int | None]:
    """(always-ready instances of the http group, most instances, HTTP requests per instance or None).

    One function app serves every function, so the app's settings are the site's; a [[functions]]
    entry cannot have its own on Azure.
    """
    project = deployment.project
    for function in project.config.functions:
        if function.min_instances is not None or function.max_instances is not None or function.concurrency:
            raise ConfigError(
                f"[[functions]] {function.name}: min_instances, max_instances and concurrency are the app's on Azure "
                "(one function app hosts every function): set them under [app]"
            )
    app = project.config.app
    if app is None:
        return 0, deployment.options.maximum_instances, None
    most = app.max_instances if app.max_instances is not None else deployment.options.maximum_instances
    if most > MAX_INSTANCES:
        raise ConfigError(
            f"max_instances {most}: Flex Consumption scales a function app out to at most {MAX_INSTANCES}"
        )
    return app.min_instances or 0, most, app.concurrency


def warm_notes(deployment: Deployment) -> tuple[str, ...]:
    warm, _, _ = http_scale(deployment)
    if not warm:
        return ()
    memory = deployment.options.instance_memory
    return (
        f"{warm} always-ready instance(s) of {memory} MB (Flex Consumption, http group) are kept warm and billed "
        "while idle (the always-ready baseline rate, plus execution time at the always-ready rate)",
    )
