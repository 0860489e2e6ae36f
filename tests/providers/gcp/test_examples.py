"""The FastAPI example on GCP against the fake: an ASGI app served at the function's root, every route."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import requests

from faas.core import workflow
from faas.core.config import load_project
from tests.fakes.gcp.fake import GcpFake

from .conftest import deploy

FASTAPI = Path(__file__).parents[3] / "examples" / "fastapi"


def test_the_fastapi_example_serves_its_routes_and_its_openapi_document(tmp_path: Path, gcp_env: GcpFake) -> None:
    root = tmp_path / "fastapi"
    shutil.copytree(FASTAPI, root, ignore=shutil.ignore_patterns("__pycache__"))
    with (root / "faas.toml").open("a") as config:
        config.write(f'\n[providers.gcp]\nregion = "{gcp_env.region}"\n')
    provider, outcome = deploy(load_project(root / "faas.toml", "dev"))
    url: Any = outcome.result.url
    base = url.rstrip("/")

    assert requests.get(url, timeout=60).json() == {"message": "Hello from FastAPI"}
    assert requests.get(f"{base}/items/7", params={"q": "café"}, timeout=60).json() == {"item_id": 7, "q": "café"}
    posted = requests.post(f"{base}/items", json={"name": "pup", "price": 3.5}, timeout=60)
    assert posted.status_code == 200 and posted.json()["name"] == "pup"
    invalid = requests.get(f"{base}/items/not-a-number", timeout=60)
    assert invalid.status_code == 422
    # FastAPI builds its docs' links from the request's root path: no prefix on a function URL.
    assert requests.get(f"{base}/openapi.json", timeout=60).json()["paths"].keys() >= {"/", "/items/{item_id}"}

    workflow.undeploy(provider)
    assert provider.status().resources == ()
