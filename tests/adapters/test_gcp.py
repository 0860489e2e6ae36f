"""Google Cloud Functions: the handler driven through a real functions-framework app."""

from __future__ import annotations

import http.client
import json
import textwrap
import threading
from pathlib import Path

import pytest

functions_framework = pytest.importorskip("functions_framework")

from tests.adapters.apps.flask_app import PNG  # noqa: E402

FLASK_SOURCE = """
from faas.adapters.gcp import make_handler
from tests.adapters.apps.flask_app import create_app

handler = make_handler(create_app())
"""

PROBE_SOURCE = """
from faas.adapters.gcp import make_handler
from tests.adapters.apps.probe import echo_app, fixed_app

handler = make_handler(echo_app)
bare = make_handler(fixed_app("200 OK", [], b"no type"))
"""


def ff_client(tmp_path: Path, source: str, target: str = "handler"):
    path = tmp_path / "main.py"
    path.write_text(textwrap.dedent(source))
    app = functions_framework.create_app(target=target, source=str(path), signature_type="http")
    return app.test_client()


class TestGcpHttp:
    def test_routes_and_url_for(self, tmp_path):
        client = ff_client(tmp_path, FLASK_SOURCE)
        response = client.get("/items/rex", headers={"Host": "myfn-abc-ew.a.run.app"})
        assert response.status_code == 200
        assert response.get_json() == {"name": "rex", "self_url": "/items/rex"}

    def test_cloudfunctions_host_mounts_the_app_under_the_function_name(self, tmp_path, monkeypatch):
        monkeypatch.setenv("K_SERVICE", "myfn")
        client = ff_client(tmp_path, FLASK_SOURCE)
        response = client.get(
            "/items/rex", headers={"Host": "europe-west1-proj.cloudfunctions.net", "X-Forwarded-Proto": "https"}
        )
        assert response.get_json()["self_url"] == "/myfn/items/rex"
        data = client.get(
            "/", headers={"Host": "europe-west1-proj.cloudfunctions.net", "X-Forwarded-Proto": "https"}
        ).get_json()
        assert data["item_external"] == "https://europe-west1-proj.cloudfunctions.net/myfn/items/rex"

    def test_non_ascii_path(self, tmp_path):
        client = ff_client(tmp_path, FLASK_SOURCE)
        response = client.get("/caf%C3%A9")
        assert response.status_code == 200
        assert response.get_json()["path"] == "/café"

    def test_repeated_query_keys_and_cookies(self, tmp_path):
        client = ff_client(tmp_path, FLASK_SOURCE)
        client.set_cookie("a", "1")
        client.set_cookie("b", "2")
        data = client.get("/echo?x=1&x=2&y=%26").get_json()
        assert data["args"] == {"x": ["1", "2"], "y": ["&"]}
        assert data["cookies"] == {"a": "1", "b": "2"}

    def test_multiple_set_cookie(self, tmp_path):
        client = ff_client(tmp_path, FLASK_SOURCE)
        response = client.get("/cookies")
        assert [c.split(";")[0] for c in response.headers.getlist("Set-Cookie")] == ["a=1", "b=2", "c=3"]

    def test_binary_body_both_ways(self, tmp_path):
        client = ff_client(tmp_path, FLASK_SOURCE)
        assert client.get("/image.png").data == PNG
        data = client.post("/echo", data=PNG, content_type="image/png").get_json()
        assert bytes.fromhex(data["data"]) == PNG

    def test_remote_addr_is_rightmost_forwarded_for(self, tmp_path):
        client = ff_client(tmp_path, FLASK_SOURCE)
        data = client.get("/echo", headers={"X-Forwarded-For": "6.6.6.6, 198.51.100.4"}).get_json()
        assert data["remote_addr"] == "198.51.100.4"

    def test_no_content_type_invented(self, tmp_path):
        client = ff_client(tmp_path, PROBE_SOURCE, target="bare")
        response = client.get("/")
        assert response.data == b"no type"
        assert "Content-Type" not in response.headers

    def test_exception_gives_generic_500(self, tmp_path):
        client = ff_client(tmp_path, FLASK_SOURCE)
        response = client.get("/boom")
        assert response.status_code == 500
        assert b"secret" not in response.data

    def test_the_apps_static_urls_reach_the_app(self, tmp_path):
        # Not functions-framework's own /static/ route (files of ./static), which answers 404.
        client = ff_client(tmp_path, PROBE_SOURCE)
        for path in ("/static/style.css", "/static/admin/css/base.css"):
            response = client.get(path)
            assert response.status_code == 200, path
            assert response.get_json()["PATH_INFO"] == path

    def test_head(self, tmp_path):
        client = ff_client(tmp_path, FLASK_SOURCE)
        response = client.head("/items/rex")
        assert response.status_code == 200
        assert response.data == b""

    def test_real_server_raw_utf8_path(self, tmp_path):
        """Over a real socket: the path bytes as a browser sends them reach the app."""
        from werkzeug.serving import make_server

        path = tmp_path / "main.py"
        path.write_text(textwrap.dedent(FLASK_SOURCE))
        app = functions_framework.create_app(target="handler", source=str(path), signature_type="http")
        server = make_server("127.0.0.1", 0, app)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            connection = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=10)
            connection.putrequest("GET", "/caf%C3%A9")
            connection.endheaders()
            response = connection.getresponse()
            assert response.status == 200
            assert json.loads(response.read())["path"] == "/café"
        finally:
            server.shutdown()


ASGI_SOURCE = """
from faas.adapters.gcp import make_handler
from tests.adapters.apps.asgi_app import create_fastapi

EVENTS = []
handler = make_handler(create_fastapi(EVENTS))
"""

LIMIT_SOURCE = """
from faas.adapters.gcp import make_handler
from tests.adapters.apps.probe import fixed_app

handler = make_handler(fixed_app("200 OK", [("Content-Type", "application/octet-stream")], b"x" * 2048),
                       max_response_bytes=1024)
"""


class TestGcpMore:
    def test_fastapi_app_natively(self, tmp_path):
        client = ff_client(tmp_path, ASGI_SOURCE)
        for _ in range(2):
            data = client.get(
                "/items/rex?a=1&a=2", headers={"Host": "fn-x.a.run.app", "X-Forwarded-Proto": "https"}
            ).get_json()
            assert data["url"] == "https://fn-x.a.run.app/items/rex"
            assert data["pool"] == "ready"
        assert client.post("/echo", data=PNG).data == PNG

    def test_response_over_the_limit_is_a_502(self, tmp_path, caplog):
        client = ff_client(tmp_path, LIMIT_SOURCE)
        response = client.get("/")
        assert response.status_code == 502
        assert "over the 1024-byte Cloud Functions limit" in caplog.text

    def test_no_access_line_by_default(self, tmp_path, capsys, monkeypatch):
        # Cloud Run logs every request itself; the adapter's line is opt-in.
        monkeypatch.delenv("FAAS_ACCESS_LOG", raising=False)
        client = ff_client(tmp_path, FLASK_SOURCE)
        capsys.readouterr()
        assert client.get("/items/rex").status_code == 200
        assert "faas " not in capsys.readouterr().out

    def test_access_line_when_asked(self, tmp_path, capsys, monkeypatch):
        monkeypatch.setenv("FAAS_ACCESS_LOG", "1")
        client = ff_client(tmp_path, FLASK_SOURCE)
        capsys.readouterr()
        client.get("/items/rex")
        assert 'faas "GET /items/rex" 200 ' in capsys.readouterr().out
