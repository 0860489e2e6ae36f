"""Azure Functions: real azure.functions.HttpRequest objects in, HttpResponse out."""

from __future__ import annotations

import json

import pytest

func = pytest.importorskip("azure.functions")
from azure.functions.http import HttpResponseConverter  # noqa: E402

from faas.adapters.azure import make_handler  # noqa: E402
from tests.adapters.apps.flask_app import PNG  # noqa: E402
from tests.adapters.apps.probe import echo_app, fixed_app  # noqa: E402

HOST = "myapp.azurewebsites.net"


def request(method: str = "GET", path: str = "/api/", *, headers: dict | None = None, body: bytes = b""):
    return func.HttpRequest(method, f"https://{HOST}{path}", headers={"host": HOST, **(headers or {})}, body=body)


def wire(response) -> dict:
    """What the Functions worker actually sends: the converter's output."""
    datum = HttpResponseConverter.encode(response, expected_type=None)
    value = datum.value
    return {
        "status": int(value["status_code"].value),
        "headers": {k.lower(): v.value for k, v in value["headers"].items()},
        "cookies": [c.output(header="").strip() for c in value["cookies"] or []],
        "body": value["body"].value,
    }


class TestAzure:
    @pytest.mark.parametrize("path", ["/api/caf%C3%A9", "/api/café"])
    def test_non_ascii_path_is_not_double_encoded(self, flask_app, path):
        response = make_handler(flask_app)(request(path=path))
        assert response.status_code == 200
        assert json.loads(response.get_body()) == {"path": "/café", "url": "/api/caf%C3%A9"}

    def test_api_prefix_is_the_mount_point(self, flask_app, django_app):
        data = json.loads(make_handler(flask_app)(request(path="/api/")).get_body())
        assert data["script_root"] == "/api"
        assert data["item_external"] == f"https://{HOST}/api/items/rex"
        data = json.loads(make_handler(django_app)(request(path="/api/items/rex/")).get_body())
        assert data["reverse"] == "/api/items/rex/"

    def test_custom_route_prefix(self, flask_app):
        data = json.loads(make_handler(flask_app, route_prefix="")(request(path="/items/rex")).get_body())
        assert data["self_url"] == "/items/rex"

    def test_base_path_after_route_prefix(self, flask_app):
        data = json.loads(make_handler(flask_app, base_path="/shop")(request(path="/api/shop/items/rex")).get_body())
        assert data["self_url"] == "/api/shop/items/rex"

    def test_query_and_remote_addr(self, flask_app):
        response = make_handler(flask_app)(
            request(path="/api/echo?a=1&a=2", headers={"x-forwarded-for": "6.6.6.6, 198.51.100.5:61234"})
        )
        data = json.loads(response.get_body())
        assert data["args"] == {"a": ["1", "2"]}
        assert data["remote_addr"] == "198.51.100.5"

    def test_every_set_cookie_reaches_the_wire(self, flask_app):
        sent = wire(make_handler(flask_app)(request(path="/api/cookies")))
        assert sorted(c.split(";")[0] for c in sent["cookies"]) == ["a=1", "b=2", "c=3"]

    def test_duplicate_headers_joined_not_dropped(self):
        app = fixed_app("200 OK", [("Vary", "Accept"), ("Vary", "Cookie"), ("Content-Type", "text/plain")], b"x")
        sent = wire(make_handler(app)(request()))
        assert sent["headers"]["vary"] == "Accept, Cookie"

    def test_no_content_type_invented_on_the_wire(self):
        sent = wire(make_handler(fixed_app("200 OK", [], b"raw"))(request()))
        assert "content-type" not in sent["headers"]
        assert sent["body"] == b"raw"

    def test_binary_both_ways(self, flask_app):
        handler = make_handler(flask_app)
        assert handler(request(path="/api/image.png")).get_body() == PNG
        data = json.loads(handler(request("POST", "/api/echo", body=PNG)).get_body())
        assert bytes.fromhex(data["data"]) == PNG

    def test_exception_gives_generic_500(self, flask_app):
        response = make_handler(flask_app)(request(path="/api/boom"))
        assert response.status_code == 500
        assert b"secret" not in response.get_body()

    def test_head_and_scheme(self):
        handler = make_handler(echo_app)
        assert handler(request("HEAD")).get_body() == b""
        seen = json.loads(handler(request()).get_body())
        assert (seen["wsgi.url_scheme"], seen["SERVER_PORT"], seen["SERVER_NAME"]) == ("https", "443", HOST)


class TestAzureMore:
    def test_fastapi_app_natively(self):
        from tests.adapters.apps.asgi_app import create_fastapi

        events: list[str] = []
        handler = make_handler(create_fastapi(events))
        try:
            for _ in range(2):
                data = json.loads(handler(request(path="/api/items/rex")).get_body())
                assert data["url"] == f"https://{HOST}/api/items/rex"
            assert events == ["startup"]
            response = handler(request("POST", "/api/echo", body=PNG))
            assert response.get_body() == PNG
        finally:
            handler.service.asgi.close()
        assert events == ["startup", "shutdown"]

    def test_response_over_the_limit_is_a_502(self, caplog):
        app = fixed_app("200 OK", [], b"x" * 2048)
        response = make_handler(app, max_response_bytes=1024)(request())
        assert response.status_code == 502
        assert "over the 1024-byte Azure Functions limit" in caplog.text

    def test_access_line(self, flask_app, capsys, monkeypatch):
        monkeypatch.delenv("FAAS_ACCESS_LOG", raising=False)
        make_handler(flask_app)(request(path="/api/items/rex"))
        assert 'faas "GET /api/items/rex" 200 ' in capsys.readouterr().out

    def test_access_line_turned_off(self, flask_app, capsys, monkeypatch):
        monkeypatch.setenv("FAAS_ACCESS_LOG", "0")
        make_handler(flask_app)(request(path="/api/items/rex"))
        assert capsys.readouterr().out == ""
