"""faas deploy --provider azure of the Flask example against the fake, resource by resource."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from azure.mgmt.web import WebSiteManagementClient


def test_deploy_flask_example(azure_env: Any, flask_project: Path, deploy: Any) -> None:
    outcome = deploy(flask_project)
    assert outcome.result is not None
    site = outcome.result.outputs["function_app"]
    web = azure_env.client(WebSiteManagementClient)
    group = outcome.result.outputs["resource_group"]
    # The URL is the host name ARM reports (the fake's is a loopback front end for the site).
    assert outcome.result.url == f"https://{web.web_apps.get(group, site).default_host_name}/"
    found = {f.name.rsplit("/", 1)[-1] for f in web.web_apps.list_functions(group, site)}
    assert {"faas_http", "faas_invoke"} <= found
    settings = web.web_apps.list_application_settings(group, site).properties
    assert settings["AzureWebJobsStorage__credential"] == "managedidentity"
    assert settings["FAAS_RELEASE"] == outcome.artifact.sha256
