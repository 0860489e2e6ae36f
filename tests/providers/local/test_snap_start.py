"""SnapStart in the local aws runtime: awslambdaric (snap-start init) runs the adapter's hooks.

Init seeds `random` with a constant, standing for the state a snapshot would freeze into every
instance; after the restore hook each instance must have its own sequence again.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from faas.core import workflow
from faas.core.config import load_project

from .conftest import get, stop_all

pytestmark = pytest.mark.slow

APP = """
import json
import random
import sys

random.seed(42)  # what init leaves behind: a snapshot would copy it into every instance


def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "application/json")])
    hooks = sys.modules.get("snapshot_restore_py")
    registered = [f.__name__ for f, _, _ in hooks.get_after_restore()] if hooks else []
    return [json.dumps({"random": random.random(), "after_restore": registered}).encode()]
"""


def served(root: Path, snap_start: bool) -> dict[str, object]:
    project = root / ("snap" if snap_start else "plain")
    project.mkdir()
    (project / "app.py").write_text(APP)
    (project / "requirements.txt").write_text("")
    options = "[providers.aws]\nsnap_start = true\n" if snap_start else ""
    (project / "faas.toml").write_text(
        f'name = "snapsite"\npython = "3.12"\n[app]\nentry = "app:application"\ninterface = "wsgi"\n{options}'
    )
    provider = workflow.open_provider(load_project(project / "faas.toml"), "local")
    outcome = workflow.deploy(provider)
    assert outcome.result is not None and outcome.result.url
    status, _, body = get(outcome.result.url)
    assert status == 200, body
    return dict(json.loads(body))


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("snapstart")
    yield folder
    stop_all(folder)


def test_after_restore_the_random_state_of_init_is_gone(root: Path) -> None:
    seeded = random.Random(42)
    frozen = [seeded.random() for _ in range(10)]  # the deploy's own checks may have drawn a few
    plain = served(root, snap_start=False)
    assert plain["random"] in frozen  # without SnapStart nothing re-seeds (and nothing needs to)
    assert plain["after_restore"] == []
    snap = served(root, snap_start=True)
    assert snap["after_restore"] == ["reseed"]
    assert snap["random"] not in frozen
