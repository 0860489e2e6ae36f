# mypy: disable-error-code="no-untyped-call,import-untyped"
"""Requests the real API refuses are refused by the fake, in Google's error envelope.

The official clients cannot send an unknown field or a wrong type, so these go over raw HTTP with
an access token from the fake's token endpoint (what google-auth's AuthorizedSession does).
"""

from __future__ import annotations

from typing import Any

import pytest
from google.auth.transport.requests import AuthorizedSession
from google.cloud import functions_v2

from tests.fakes.gcp.clients import create, functions_client, upload
from tests.fakes.gcp.fake import GcpFake

pytestmark = pytest.mark.slow


def session(fake: GcpFake) -> AuthorizedSession:
    return AuthorizedSession(fake.credentials())


def functions_url(fake: GcpFake, suffix: str = "") -> str:
    return f"{fake.endpoints['cloudfunctions']}/v2/{fake.location()}/functions{suffix}"


def assert_envelope(response: Any, code: int, status: str, *, message: str) -> dict[str, Any]:
    assert response.status_code == code, response.text
    error = response.json()["error"]
    assert set(error) == {"code", "message", "status", "details"}
    assert error["code"] == code and error["status"] == status
    assert message in error["message"], error["message"]
    assert isinstance(error["details"], list)
    return dict(error)


def valid_body(fake: GcpFake) -> dict[str, Any]:
    source = upload(fake, functions_client(fake))
    return {
        "buildConfig": {
            "runtime": "python312",
            "entryPoint": "hello",
            "source": {"storageSource": {"bucket": source.bucket, "object": source.object_}},
        },
        "serviceConfig": {"availableMemory": "256Mi"},
    }


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"bogusField": 1}, 'Unknown name "bogusField"'),
        ({"serviceConfig": {"availableMemory": "256Mi", "noSuchKnob": True}}, 'Unknown name "noSuchKnob"'),
        ({"serviceConfig": {"maxInstanceCount": "many"}}, "function.service_config.max_instance_count"),
        ({"serviceConfig": {"maxInstanceCount": 2**40}}, "TYPE_INT32"),
        ({"serviceConfig": {"ingressSettings": "ALLOW_EVERYONE"}}, "function.service_config.ingress_settings"),
        ({"serviceConfig": {"ingressSettings": 99}}, "IngressSettings), 99"),
        ({"labels": ["not", "a", "map"]}, "function.labels"),
        ({"eventTrigger": {"retryPolicy": "RETRY_POLICY_RETRY"}}, "function.event_trigger.event_type"),
        ({"eventTrigger": {"eventType": "x", "eventFilters": [{"attribute": "bucket"}]}}, "event_filters.value"),
    ],
)
def test_a_body_the_schema_refuses_is_400_invalid_argument(
    gcp_fake: GcpFake, change: dict[str, Any], message: str
) -> None:
    body = valid_body(gcp_fake)
    body.update(change)
    response = session(gcp_fake).post(functions_url(gcp_fake), params={"functionId": "bad-body"}, json=body)
    error = assert_envelope(response, 400, "INVALID_ARGUMENT", message=message)
    assert error["details"][0]["@type"] == "type.googleapis.com/google.rpc.BadRequest"
    assert not [r for r in gcp_fake.requests if r.method_id and r.method_id.endswith("operations.get")]


def test_output_only_fields_are_ignored_on_input(gcp_fake: GcpFake) -> None:
    body = valid_body(gcp_fake)
    body["state"] = "FAILED"
    body["serviceConfig"]["uri"] = "https://elsewhere.example"
    response = session(gcp_fake).post(functions_url(gcp_fake), params={"functionId": "ro-ignored"}, json=body)
    assert response.status_code == 200, response.text
    assert response.json()["done"] is False
    client = functions_client(gcp_fake)
    function = client.get_function(name=f"{gcp_fake.location()}/functions/ro-ignored")
    assert function.state == functions_v2.Function.State.DEPLOYING
    assert function.service_config.uri == ""


def test_integer_enums_are_read_by_their_proto_numbers(gcp_fake: GcpFake) -> None:
    body = valid_body(gcp_fake)
    body["serviceConfig"]["ingressSettings"] = 2  # ALLOW_INTERNAL_ONLY in google.cloud.functions.v2
    response = session(gcp_fake).post(functions_url(gcp_fake), params={"functionId": "int-enum"}, json=body)
    assert response.status_code == 200, response.text
    stored = gcp_fake.functions.functions[f"{gcp_fake.location()}/functions/int-enum"]
    assert stored["serviceConfig"]["ingressSettings"] == "ALLOW_INTERNAL_ONLY"


def test_query_parameters_are_checked(gcp_fake: GcpFake) -> None:
    http = session(gcp_fake)
    unknown = http.get(functions_url(gcp_fake), params={"pageSize": "5", "colour": "blue"})
    assert_envelope(unknown, 400, "INVALID_ARGUMENT", message='Unknown name "colour"')
    wrong_type = http.get(functions_url(gcp_fake), params={"pageSize": "five"})
    assert_envelope(wrong_type, 400, "INVALID_ARGUMENT", message="pageSize")
    assert http.get(functions_url(gcp_fake), params={"pageSize": "5"}).status_code == 200


def test_unknown_routes_and_methods(gcp_fake: GcpFake) -> None:
    http = session(gcp_fake)
    assert_envelope(
        http.get(f"{gcp_fake.endpoints['cloudfunctions']}/v2/nothing/here"), 404, "NOT_FOUND", message="not found"
    )
    put = http.put(functions_url(gcp_fake, "/some-fn"), json={})
    assert put.status_code in (404, 501)


def test_a_request_without_credentials_is_401_unauthenticated(gcp_fake: GcpFake) -> None:
    import requests

    anonymous = requests.get(functions_url(gcp_fake), timeout=30)
    assert_envelope(anonymous, 401, "UNAUTHENTICATED", message="missing required authentication credential")
    forged = requests.get(functions_url(gcp_fake), headers={"authorization": "Bearer ya29.made-up"}, timeout=30)
    assert_envelope(forged, 401, "UNAUTHENTICATED", message="invalid authentication credentials")


def test_a_jwt_signed_by_another_key_is_refused(gcp_fake: GcpFake, tmp_path: Any) -> None:
    import requests
    from google.auth import jwt

    stranger = gcp_fake.identity.create_account("stranger")
    del gcp_fake.identity.accounts[stranger.email]  # a key the fake no longer trusts
    signer = jwt.Credentials.from_service_account_info(
        stranger.key_file(gcp_fake.project, gcp_fake.token_uri), audience="https://cloudfunctions.googleapis.com/"
    )
    signer.refresh(None)
    response = requests.get(
        functions_url(gcp_fake),
        headers={
            "authorization": f"Bearer {signer.token.decode() if isinstance(signer.token, bytes) else signer.token}"
        },
        timeout=30,
    )
    assert_envelope(response, 401, "UNAUTHENTICATED", message="unknown issuer")


def test_the_token_endpoint_issues_access_and_id_tokens(gcp_fake: GcpFake) -> None:
    from google.oauth2 import id_token

    credentials = gcp_fake.credentials()
    credentials.refresh(gcp_fake.auth_request())
    assert credentials.token and credentials.token.startswith("ya29.")
    audience = create(gcp_fake, "hello-idtoken").service_config.uri
    token = id_token.fetch_id_token(gcp_fake.auth_request(), audience)
    claims = id_token.verify_token(token, gcp_fake.auth_request(), audience=audience, certs_url=gcp_fake.certs_url)
    assert claims["email"] == gcp_fake.account.email and claims["aud"] == audience
    grants = [r for r in gcp_fake.requests if r.api == "oauth2"]
    assert grants and all(r.body["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer" for r in grants)
