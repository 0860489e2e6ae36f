"""A new user's path with a FastAPI app that has a lifespan, on the local provider, over real HTTP.

The app lives in `main.py` (FastAPI's convention, which the gcp entry module must not take), and
its lifespan's startup sets state that a route returns: the walk proves the lifespan ran in the
runtime that serves, on the default emulation and under `--emulate gcp` (functions-framework
imports the entry before gunicorn forks its worker) and `--emulate azure`.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from tests.providers.local.conftest import stop_all
from tests.walks.user import Browser, assert_gone, deployed_url, faas

pytestmark = pytest.mark.slow

MAIN = """
import os
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request

VERSION = 1


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.started_in = os.getpid()  # the process that ran startup
    yield {"pool": "ready"}  # lifespan state, copied into every request's scope


app = FastAPI(lifespan=lifespan)


@app.get("/")
def index(request: Request):
    return {"pool": request.state.pool, "started_in": request.app.state.started_in, "served_by": os.getpid(),
            "version": VERSION}


@app.get("/items/{name}")
def item(name: str, request: Request):
    return {"name": name, "url": str(request.url_for("item", name=name))}
"""


def answer(browser: Browser, url: str) -> dict[str, object]:
    status, content_type, body, _ = browser.request(url)
    assert (status, content_type) == (200, "application/json"), (url, status, body[:2000])
    data: dict[str, object] = json.loads(body)
    return data


@pytest.mark.parametrize("emulate", [None, "gcp", "azure"])
def test_fastapi_with_a_lifespan_from_init_to_undeploy(tmp_path: Path, emulate: str | None) -> None:
    project = tmp_path / "api"
    project.mkdir()
    (project / "main.py").write_text(MAIN)
    flags = ("--emulate", emulate) if emulate else ()
    try:
        faas(project, "init")
        assert tomllib.loads((project / "faas.toml").read_text())["app"]["entry"] == "main:app"
        faas(project, "deploy", *flags)
        base = deployed_url(project)

        browser = Browser()
        first = answer(browser, base + "/")
        assert first["pool"] == "ready", "the lifespan's state did not reach the route"
        assert first["started_in"] == first["served_by"], "startup ran in another process than the one serving"
        assert first["version"] == 1
        assert answer(browser, base + "/items/rex")["url"] == base + "/items/rex"
        assert b"swagger-ui" in browser.page(base + "/docs")
        assert "/items/{name}" in answer(browser, base + "/openapi.json")["paths"]  # type: ignore[operator]

        (project / "main.py").write_text(MAIN.replace("VERSION = 1", "VERSION = 2"))
        faas(project, "deploy", *flags)
        second = answer(browser, base + "/")
        assert (second["version"], second["pool"]) == (2, "ready")

        faas(project, "rollback")
        assert answer(browser, base + "/")["version"] == 1

        faas(project, "undeploy", "--yes")
        assert_gone(project, base)
    finally:
        stop_all(tmp_path)
