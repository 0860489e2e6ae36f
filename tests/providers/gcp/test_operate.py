"""status, rollback and logs against the fake: what the URL serves is the judge."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
import requests

from faas import UsageError
from tests.fakes.gcp.fake import GcpFake

from .conftest import deploy


def greeting(url: str) -> str:
    answer = requests.get(url, timeout=60)
    assert answer.status_code == 200, answer.text
    return str(answer.json()["message"])


def test_rollback_serves_the_old_code_and_the_next_deploy_the_new(flask_project: Any, gcp_env: GcpFake) -> None:
    _, first = deploy(flask_project())
    provider, second = deploy(flask_project(greeting="Hello v2"))
    url = second.result.url
    assert greeting(url) == "Hello v2"
    before = provider.status()
    assert before.deployed and before.url == url and before.version == second.result.version
    assert not any("pinned" in r.detail for r in before.resources)

    result = provider.rollback()
    assert result.previous_version == second.result.version
    assert result.current_version == first.result.version
    assert greeting(url) == "Hello from Flask"
    after = provider.status()
    assert after.version == first.result.version
    assert any("pinned" in r.detail for r in after.resources)

    # The same code again: the plan sees the pinned traffic and patches, so the latest serves again.
    deploy(flask_project())
    assert greeting(url) == "Hello v2"
    assert not any("pinned" in r.detail for r in provider.status().resources)

    provider.rollback()
    assert greeting(url) == "Hello from Flask"
    app = flask_project.root / "app.py"
    app.write_text(app.read_text().replace("Hello v2", "Hello v3"))
    _, fourth = deploy(flask_project())
    assert greeting(fourth.result.url) == "Hello v3"
    assert not any("pinned" in r.detail for r in provider.status().resources)


def test_rollback_from_the_first_revision_is_refused(flask_project: Any, gcp_env: GcpFake) -> None:
    provider, _ = deploy(flask_project())
    with pytest.raises(UsageError, match="first deployed version"):
        provider.rollback()


def test_logs_show_what_the_request_printed(flask_project: Any, gcp_env: GcpFake) -> None:
    # The access line is the request's own output (off by default on GCP, where Cloud Run logs requests).
    provider, outcome = deploy(flask_project('[app.environment]\nFAAS_ACCESS_LOG = "1"\n'))
    requests.get(outcome.result.url + "/items/logged", timeout=60).raise_for_status()
    gcp_env.logging.add(
        {
            "logName": f"projects/{gcp_env.project}/logs/other",
            "resource": {"type": "cloud_run_revision", "labels": {"service_name": "someone-else"}},
            "textPayload": "faas not ours",
        }
    )
    deadline = time.monotonic() + 30
    messages: list[str] = []
    while time.monotonic() < deadline and not any("/items/logged" in m for m in messages):
        messages = [r.message for r in provider.logs()]
        time.sleep(0.5)
    assert any('"GET /items/logged" 200' in m for m in messages), messages
    assert "faas not ours" not in messages


TASKS = """
def shout(event, context):
    print("shouting", event["word"])
    return {"upper": event["word"].upper()}
"""


def test_invoke_and_manage_go_to_the_private_function_with_an_id_token(flask_project: Any, gcp_env: GcpFake) -> None:
    (flask_project.root / "tasks.py").write_text(TASKS)
    provider, outcome = deploy(flask_project('[[functions]]\nname = "shout"\nentry = "tasks:shout"\n'))
    result = provider.invoke({"word": "hey"}, "shout")
    assert result.error is None and result.payload == {"upper": "HEY"}
    # The plain function is private: the same envelope without a token is turned away.
    name = provider.deployment.function_name("shout")
    private_url = gcp_env.functions.functions[name]["serviceConfig"]["uri"]
    assert requests.post(private_url, json={"faas": {"function": "shout", "event": {}}}, timeout=60).status_code == 403
    # The public app never runs an envelope.
    public = requests.post(outcome.result.url, json={"faas": {"manage": ["routes"]}}, timeout=60)
    assert "exit_status" not in public.text
    managed = provider.manage(["routes"])
    assert managed.exit_status == 0, managed
    # `flask routes` of the user's app, not of functions-framework's own Flask app it runs inside.
    table = str(managed.payload)
    assert "Endpoint" in table and "Rule" in table
    assert {"index", "item", "echo"} <= set(table.split()), table


def test_rollback_pins_every_function_to_the_same_deploy_and_the_next_deploy_unpins_them(
    flask_project: Any, gcp_env: GcpFake
) -> None:
    tasks = flask_project.root / "tasks.py"
    config = '[[functions]]\nname = "shout"\nentry = "tasks:shout"\n'
    tasks.write_text(TASKS)
    deploy(flask_project(config))
    tasks.write_text(TASKS.replace(".upper()", ".upper() + '!'"))
    provider, second = deploy(flask_project(config, greeting="Hello v2"))
    assert provider.invoke({"word": "hey"}, "shout").payload == {"upper": "HEY!"}

    provider.rollback()
    assert greeting(second.result.url) == "Hello from Flask"
    # The private function serves the first deploy's code too, not a mix of two deploys.
    assert provider.invoke({"word": "hey"}, "shout").payload == {"upper": "HEY"}
    pinned = [r.name for r in provider.status().resources if "pinned" in r.detail]
    assert len(pinned) == 2, provider.status().resources

    deploy(flask_project(config, greeting="Hello v2"))
    assert provider.invoke({"word": "hey"}, "shout").payload == {"upper": "HEY!"}
    assert not any("pinned" in r.detail for r in provider.status().resources)


def test_logs_follow_polls_and_yields_each_entry_once(flask_project: Any, gcp_env: GcpFake) -> None:
    provider, outcome = deploy(flask_project('[app.environment]\nFAAS_ACCESS_LOG = "1"\n'))
    url = outcome.result.url
    seen: list[str] = []
    stream = provider.logs(follow=True)
    stop = threading.Event()

    def follow() -> None:
        for record in stream:
            seen.append(record.message)
            if stop.is_set():
                stream.close()  # from the generator's own thread, between polls
                return

    follower = threading.Thread(target=follow, daemon=True)
    follower.start()

    def wait_for(text: str) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not any(text in m for m in seen):
            time.sleep(0.2)
        assert any(text in m for m in seen), seen

    time.sleep(1.5)  # following starts now (to the second): the requests below come after it
    requests.get(url + "/items/first", timeout=60).raise_for_status()
    wait_for("/items/first")
    service = provider.deployment.names.function("").lower()
    stamp = "2099-01-01T00:00:00.000000Z"  # two entries at one instant: the inclusive re-poll returns both again
    for text in ("faas same instant one", "faas same instant two"):
        gcp_env.logging.add(
            {
                "logName": f"projects/{gcp_env.project}/logs/run.googleapis.com%2Fstdout",
                "resource": {"type": "cloud_run_revision", "labels": {"service_name": service}},
                "textPayload": text,
                "timestamp": stamp,
            }
        )
    requests.get(url + "/items/second", timeout=60).raise_for_status()
    wait_for("faas same instant two")
    time.sleep(4.5)  # two more polls from the same (inclusive) instant
    for text in ("/items/first", "faas same instant one", "faas same instant two"):
        assert sum(text in m for m in seen) == 1, seen
    # Stop following, so no poll of this test reaches the fake during the next ones: one more entry
    # (after the 2099 ones the poll now starts from) wakes it.
    stop.set()
    gcp_env.logging.add(
        {
            "logName": f"projects/{gcp_env.project}/logs/run.googleapis.com%2Fstdout",
            "resource": {"type": "cloud_run_revision", "labels": {"service_name": service}},
            "textPayload": "faas last",
            "timestamp": "2099-01-01T00:00:01.000000Z",
        }
    )
    follower.join(timeout=30)
    assert not follower.is_alive()


def test_manage_in_a_django_app_only_project_runs_in_a_private_copy(tmp_path: Any, gcp_env: GcpFake) -> None:
    from faas.core.config import load_project
    from faas.providers.gcp.functions import MANAGE_KEY

    root = tmp_path / "mysite"
    (root / "mysite").mkdir(parents=True)
    (root / "mysite" / "__init__.py").write_text("")
    (root / "mysite" / "settings.py").write_text(
        'SECRET_KEY = "test"\nALLOWED_HOSTS = ["*"]\nINSTALLED_APPS = []\nDATABASES = {}\n'
        'ROOT_URLCONF = "mysite.urls"\n'
    )
    (root / "mysite" / "urls.py").write_text("urlpatterns = []\n")
    (root / "mysite" / "wsgi.py").write_text(
        'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")\n'
        "from django.core.wsgi import get_wsgi_application\napplication = get_wsgi_application()\n"
    )
    (root / "requirements.txt").write_text("django>=4.2\n")
    (root / "faas.toml").write_text(
        'name = "mysite"\n[app]\nentry = "mysite.wsgi:application"\ninterface = "wsgi"\nframework = "django"\n'
        'settings_module = "mysite.settings"\n'
        f'[providers.gcp]\nregion = "{gcp_env.region}"\n'
    )
    provider, _ = deploy(load_project(root / "faas.toml", "dev"))
    result = provider.manage(["check"])
    assert result.exit_status == 0, result
    copy = gcp_env.functions.functions[provider.deployment.function_name(MANAGE_KEY)]
    assert copy["serviceConfig"]["environmentVariables"]["FAAS_PRIVATE"] == "1"
    # Private: the envelope without a token is turned away at the copy's door.
    answer = requests.post(copy["serviceConfig"]["uri"], json={"faas": {"manage": ["check"]}}, timeout=60)
    assert answer.status_code == 403
