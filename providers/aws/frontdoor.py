"""The HTTP front door of the app: HTTP API (v2), REST API (v1) or a Function URL, on the stage alias.

Every variant sends all paths and methods to the alias through a proxy integration; switching
`front_door` deletes the previous one in the same deploy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from faas import Action, Change
from faas.providers.aws.context import API_ID, ApplyState, Deployment
from faas.providers.aws.naming import APP
from faas.providers.aws.permissions import Permission, plan_permission, revoke, statements
from faas.providers.aws.session import is_missing

HTTP_SID = "faas-http"
URL_SID = "faas-url"
URL_INVOKE_SID = "faas-url-invoke"


@dataclass(frozen=True)
class FrontDoor:
    """What is deployed: kind (http-api, rest-api, function-url), id and URL."""

    kind: str
    id: str
    url: str


def find_http_apis(deployment: Deployment) -> list[dict[str, Any]]:
    client = deployment.session.client("apigatewayv2")
    found, token = [], None
    while True:
        page = client.get_apis(**({"NextToken": token} if token else {}))
        found += [
            api
            for api in page.get("Items", [])
            if api.get("Name") == deployment.names.api and deployment.names.owns(api.get("Tags"))
        ]
        token = page.get("NextToken")
        if not token:
            return found


def find_rest_apis(deployment: Deployment) -> list[dict[str, Any]]:
    client = deployment.session.client("apigateway")
    found = []
    for page in client.get_paginator("get_rest_apis").paginate():
        found += [
            api
            for api in page.get("items", [])
            if api.get("name") == deployment.names.api and deployment.names.owns(api.get("tags"))
        ]
    return found


def find_function_url(deployment: Deployment) -> dict[str, Any] | None:
    client = deployment.session.client("lambda")
    try:
        return dict(
            client.get_function_url_config(
                FunctionName=deployment.names.function(APP), Qualifier=deployment.names.alias
            )
        )
    except Exception as error:
        if is_missing(error):
            return None
        raise


def rest_url(deployment: Deployment, api_id: str) -> str:
    return f"https://{api_id}.execute-api.{deployment.region}.amazonaws.com/{deployment.project.stage}/"


def deployed(deployment: Deployment) -> FrontDoor | None:
    """The front door currently deployed (the configured kind first)."""
    for api in find_http_apis(deployment):
        return FrontDoor("http-api", api["ApiId"], api["ApiEndpoint"].rstrip("/") + "/")
    for api in find_rest_apis(deployment):
        return FrontDoor("rest-api", api["id"], rest_url(deployment, api["id"]))
    url = find_function_url(deployment)
    if url is not None:
        return FrontDoor("function-url", deployment.names.function(APP), url["FunctionUrl"])
    return None


def plan_front_door(deployment: Deployment) -> list[Action]:
    """Create or repair the configured front door; delete any other kind this stage still has."""
    kind = deployment.options.front_door if deployment.project.config.app is not None else None
    actions: list[Action] = []
    http_apis = find_http_apis(deployment)
    rest_apis = find_rest_apis(deployment)
    url = find_function_url(deployment) if deployment.project.config.app is not None else None
    current = statements(deployment, APP) if kind else {}
    keep_http = http_apis[:1] if kind == "http-api" else []
    keep_rest = rest_apis[:1] if kind == "rest-api" else []
    for api in http_apis:
        if api not in keep_http:
            actions.append(
                Action(
                    Change.DELETE,
                    "http api",
                    f"{api['Name']} ({api['ApiId']})",
                    (),
                    DeleteApiStep("http-api", api["ApiId"]),
                )
            )
    for api in rest_apis:
        if api not in keep_rest:
            actions.append(
                Action(
                    Change.DELETE, "rest api", f"{api['name']} ({api['id']})", (), DeleteApiStep("rest-api", api["id"])
                )
            )
    if url is not None and kind != "function-url":
        actions.append(Action(Change.DELETE, "function url", url["FunctionUrl"], (), DeleteApiStep("function-url", "")))
    if kind == "http-api":
        actions += _plan_http_api(deployment, keep_http[0] if keep_http else None, current)
    elif kind == "rest-api":
        actions += _plan_rest_api(deployment, keep_rest[0] if keep_rest else None, current)
    elif kind == "function-url":
        actions += _plan_function_url(deployment, url, current)
    return actions


def _api_source(deployment: Deployment, api_id: str | None) -> str:
    return deployment.arn("execute-api", f"{api_id or '{api}'}/*")


def _plan_http_api(deployment: Deployment, api: dict[str, Any] | None, current: dict[str, Any]) -> list[Action]:
    client = deployment.session.client("apigatewayv2")
    target = deployment.alias_arn(APP)
    permission = Permission(
        APP, HTTP_SID, "apigateway.amazonaws.com", _api_source(deployment, api["ApiId"] if api else None)
    )
    if api is None:
        step = HttpApiStep(None, integration=None, route=True, stage=True)
        route = (("route", "", "$default -> " + deployment.names.alias),)
        return [
            Action(Change.CREATE, "http api", deployment.names.api, route, step),
            *plan_permission(deployment, current, permission, fresh=True),
        ]
    api_id = api["ApiId"]
    integrations = client.get_integrations(ApiId=api_id).get("Items", [])
    integration = next(
        (
            item["IntegrationId"]
            for item in integrations
            if item.get("IntegrationType") == "AWS_PROXY"
            and item.get("IntegrationUri") == target
            and item.get("PayloadFormatVersion") == "2.0"
        ),
        None,
    )
    routes = client.get_routes(ApiId=api_id).get("Items", [])
    route_ok = integration is not None and any(
        route.get("RouteKey") == "$default" and route.get("Target") == f"integrations/{integration}" for route in routes
    )
    stage_ok = any(stage.get("StageName") == "$default" for stage in client.get_stages(ApiId=api_id).get("Items", []))
    actions: list[Action] = []
    if not (route_ok and stage_ok):
        details: list[tuple[str, str, str]] = []
        if integration is None:
            details.append(("integration", "", target))
        if not route_ok:
            details.append(("route", "", "$default"))
        if not stage_ok:
            details.append(("stage", "", "$default"))
        step = HttpApiStep(api_id, integration, route=not route_ok, stage=not stage_ok)
        actions.append(Action(Change.UPDATE, "http api", f"{deployment.names.api} ({api_id})", tuple(details), step))
    return actions + plan_permission(deployment, current, permission)


@dataclass(frozen=True)
class HttpApiStep:
    """Create the HTTP API (or complete one a failed run left half-built)."""

    api_id: str | None
    integration: str | None
    route: bool
    stage: bool

    def run(self, deployment: Deployment, state: ApplyState) -> None:
        client = deployment.session.client("apigatewayv2")
        api_id = self.api_id
        if api_id is None:
            created = client.create_api(
                Name=deployment.names.api,
                ProtocolType="HTTP",
                Description=f"faas {deployment.names.prefix}",
                Tags=deployment.tags(),
            )
            api_id = created["ApiId"]
        integration = self.integration
        if integration is None:
            integration = client.create_integration(
                ApiId=api_id,
                IntegrationType="AWS_PROXY",
                IntegrationUri=deployment.alias_arn(APP),
                PayloadFormatVersion="2.0",
                TimeoutInMillis=30000,
            )["IntegrationId"]
        if self.route:
            existing = [r for r in client.get_routes(ApiId=api_id).get("Items", []) if r.get("RouteKey") == "$default"]
            for route in existing:
                client.delete_route(ApiId=api_id, RouteId=route["RouteId"])
            client.create_route(ApiId=api_id, RouteKey="$default", Target=f"integrations/{integration}")
        if self.stage:
            client.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True, Tags=deployment.tags())
        state.learn(API_ID, api_id)
        state.url = client.get_api(ApiId=api_id)["ApiEndpoint"].rstrip("/") + "/"


def _plan_rest_api(deployment: Deployment, api: dict[str, Any] | None, current: dict[str, Any]) -> list[Action]:
    client = deployment.session.client("apigateway")
    permission = Permission(
        APP, HTTP_SID, "apigateway.amazonaws.com", _api_source(deployment, api["id"] if api else None)
    )
    if api is None:
        details = (("routes", "", "ANY / and ANY /{proxy+} -> " + deployment.names.alias),)
        return [
            Action(Change.CREATE, "rest api", deployment.names.api, details, RestApiStep(None)),
            *plan_permission(deployment, current, permission, fresh=True),
        ]
    api_id = api["id"]
    uri = _rest_integration_uri(deployment)
    resources = client.get_resources(restApiId=api_id, embed=["methods"]).get("items", [])
    complete = True
    for path in ("/", "/{proxy+}"):
        resource = next((r for r in resources if r.get("path") == path), None)
        method = (resource or {}).get("resourceMethods", {}).get("ANY")
        if resource is None or method is None:
            complete = False
            break
        try:
            integration = client.get_integration(restApiId=api_id, resourceId=resource["id"], httpMethod="ANY")
        except Exception as error:
            if not is_missing(error):
                raise
            complete = False
            break
        complete = complete and integration.get("uri") == uri
    if complete:
        try:
            client.get_stage(restApiId=api_id, stageName=deployment.project.stage)
        except Exception as error:
            if not is_missing(error):
                raise
            complete = False
    actions: list[Action] = []
    if not complete:
        actions.append(
            Action(
                Change.UPDATE,
                "rest api",
                f"{deployment.names.api} ({api_id})",
                (("routes", "incomplete", "ANY /{proxy+}"),),
                RestApiStep(api_id),
            )
        )
    return actions + plan_permission(deployment, current, permission)


def _rest_integration_uri(deployment: Deployment) -> str:
    return (
        f"arn:{deployment.session.partition}:apigateway:{deployment.region}:lambda:path/2015-03-31/functions/"
        f"{deployment.alias_arn(APP)}/invocations"
    )


@dataclass(frozen=True)
class RestApiStep:
    """Create the REST API with ANY on / and /{proxy+}, or complete one a failed run left half-built."""

    api_id: str | None

    def run(self, deployment: Deployment, state: ApplyState) -> None:
        client = deployment.session.client("apigateway")
        api_id = self.api_id
        if api_id is None:
            api_id = client.create_rest_api(
                name=deployment.names.api,
                description=f"faas {deployment.names.prefix}",
                endpointConfiguration={"types": [deployment.options.endpoint_type.upper()]},
                binaryMediaTypes=["*/*"],
                tags=deployment.tags(),
            )["id"]
        resources = client.get_resources(restApiId=api_id).get("items", [])
        root = next(r["id"] for r in resources if r.get("path") == "/")
        proxy = next((r["id"] for r in resources if r.get("path") == "/{proxy+}"), None)
        if proxy is None:
            proxy = client.create_resource(restApiId=api_id, parentId=root, pathPart="{proxy+}")["id"]
        for resource in (root, proxy):
            try:
                client.put_method(restApiId=api_id, resourceId=resource, httpMethod="ANY", authorizationType="NONE")
            except Exception as error:
                if "ConflictException" not in str(error):
                    raise
            client.put_integration(
                restApiId=api_id,
                resourceId=resource,
                httpMethod="ANY",
                type="AWS_PROXY",
                integrationHttpMethod="POST",
                uri=_rest_integration_uri(deployment),
            )
        # The integration targets the alias, so later deploys move the alias, not the API deployment.
        client.create_deployment(restApiId=api_id, stageName=deployment.project.stage, description="faas")
        state.learn(API_ID, api_id)
        state.url = rest_url(deployment, api_id)


def _plan_function_url(deployment: Deployment, url: dict[str, Any] | None, current: dict[str, Any]) -> list[Action]:
    auth = "AWS_IAM" if deployment.options.private else "NONE"
    actions: list[Action] = []
    name = f"{deployment.names.function(APP)}:{deployment.names.alias}"
    if url is None:
        actions.append(Action(Change.CREATE, "function url", name, (("auth", "", auth),), FunctionUrlStep(auth, True)))
    elif url.get("AuthType") != auth:
        actions.append(
            Action(
                Change.UPDATE,
                "function url",
                name,
                (("auth", str(url.get("AuthType")), auth),),
                FunctionUrlStep(auth, False),
            )
        )
    if auth == "NONE":
        # A public URL needs both statements since AWS's 2025 change to Function URL authorisation.
        public = (("FunctionUrlAuthType", "NONE"),)
        actions += plan_permission(
            deployment, current, Permission(APP, URL_SID, "*", action="lambda:InvokeFunctionUrl", extra=public)
        )
        via_url = (("InvokedViaFunctionUrl", True),)
        actions += plan_permission(deployment, current, Permission(APP, URL_INVOKE_SID, "*", extra=via_url))
    else:
        for sid in (URL_SID, URL_INVOKE_SID):
            if sid in current:
                actions.append(Action(Change.DELETE, "permission", f"{name} {sid}", (), RevokeStep(APP, sid)))
    return actions


@dataclass(frozen=True)
class FunctionUrlStep:
    auth: str
    create: bool

    def run(self, deployment: Deployment, state: ApplyState) -> None:
        client = deployment.session.client("lambda")
        arguments = {
            "FunctionName": deployment.names.function(APP),
            "Qualifier": deployment.names.alias,
            "AuthType": self.auth,
        }
        if self.create:
            state.url = client.create_function_url_config(**arguments)["FunctionUrl"]
        else:
            state.url = client.update_function_url_config(**arguments)["FunctionUrl"]


@dataclass(frozen=True)
class RevokeStep:
    key: str
    sid: str

    def run(self, deployment: Deployment, state: ApplyState) -> None:
        revoke(deployment, self.key, self.sid)


@dataclass(frozen=True)
class DeleteApiStep:
    kind: str
    id: str

    def run(self, deployment: Deployment, state: ApplyState | None = None) -> None:
        try:
            if self.kind == "http-api":
                deployment.session.client("apigatewayv2").delete_api(ApiId=self.id)
            elif self.kind == "rest-api":
                deployment.session.client("apigateway").delete_rest_api(restApiId=self.id)
            else:
                deployment.session.client("lambda").delete_function_url_config(
                    FunctionName=deployment.names.function(APP), Qualifier=deployment.names.alias
                )
        except Exception as error:
            if not is_missing(error):
                raise
        # Its invoke statement goes with it, so a later front door of the other kind starts clean.
        for sid in (URL_SID, URL_INVOKE_SID) if self.kind == "function-url" else (HTTP_SID,):
            revoke(deployment, APP, sid)
