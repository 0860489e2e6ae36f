"""`faas migrate --to gcp|azure`: the portability report, its exit code and `--write`, through the real CLI."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from importlib.abc import MetaPathFinder
from pathlib import Path
from typing import Any

import pytest

from faas.core.config import load_project
from faas.core.errors import NEEDS_USER_EXIT_CODE
from faas.core.migrate.portability import load_for_report, portability_report
from faas.providers.gcp.provider import GcpOptions
from tests.core.plugins.conftest import run_faas

AWS_PROJECT = """\
# The shop, as it runs on AWS today.
name = "shop"  # names every resource
provider = "aws"

[app]
entry = "app:app"
timeout = 300   # long reports
memory = 1024

[app.environment]
MEDIA = "s3://shop-media/uploads"
API = "https://a1b2c3.execute-api.eu-west-1.amazonaws.com/prod"
AWS_S3_REGION = "eu-west-1"
SECRET_KEY = "${env:SHOP_SECRET}"
GREETING = "hello"

[[functions]]
name = "digest"
entry = "jobs:digest"
timeout = 900
triggers = [
    { schedule = "cron(0 9 ? * MON-FRI *)" },
    { schedule = "rate(7 minutes)" },
    { queue = "orders" },
    { storage = { bucket = "uploads", suffix = ".jpg" } },
]

[providers.aws]
region = "eu-west-1"  # Ireland
iam_statements = [{ actions = ["dynamodb:GetItem"], resources = ["arn:aws:dynamodb:eu-west-1:1:table/t"] }]

[stages.production]
app = { environment = { ORDERS = "arn:aws:sqs:eu-west-1:123456789012:orders" } }
"""

PORTABLE_PROJECT = """\
name = "blog"

[app]
entry = "app:app"
memory = 512
timeout = 30

[[functions]]
name = "nightly"
entry = "jobs:nightly"
memory = 512
triggers = [{ schedule = "cron(30 2 * * *)" }, { topic = "posts" }]
"""


def project(root: Path, text: str, name: str = "faas.toml") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / name).write_text(text)
    (root / "app.py").write_text("def app(environ, start_response):\n    return []\n")
    (root / "jobs.py").write_text("def digest(event, context):\n    pass\n\n\ndef nightly(event, context):\n    pass\n")
    return root


def migrate_json(root: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, dict[str, Any]]:
    result = run_faas("migrate", *args, "--json", cwd=root, env=env)
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, json.loads(result.stdout)


def by_key(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    findings = document["findings"]
    keys = [finding["key"] for finding in findings]
    assert len(keys) == len(set(keys)), keys
    return {finding["key"]: finding for finding in findings}


def test_each_schedule_is_shown_as_cloud_scheduler_runs_it(tmp_path: Path) -> None:
    code, document = migrate_json(project(tmp_path, AWS_PROJECT), "--to", "gcp")
    found = by_key(document)
    weekday = found["functions[0].triggers[0]"]
    assert weekday["status"] == "differs" and not weekday["needs_user"]
    assert "0 9 * * 1-5 (Etc/UTC)" in weekday["target"]
    rate = found["functions[0].triggers[1]"]
    assert rate["status"] == "breaks" and rate["needs_user"]
    assert "rate(7 minutes)" in rate["detail"] and "divide an hour" in rate["detail"]
    assert code == NEEDS_USER_EXIT_CODE


def test_each_schedule_is_shown_as_an_azure_timer_runs_it(tmp_path: Path) -> None:
    _, document = migrate_json(project(tmp_path, AWS_PROJECT), "--to", "azure")
    assert "0 0 9 * * 1-5" in by_key(document)["functions[0].triggers[0]"]["target"]


def test_limits_the_target_breaks_are_named_with_the_platform(tmp_path: Path) -> None:
    root = project(tmp_path, AWS_PROJECT)
    _, gcp = migrate_json(root, "--to", "gcp")
    gcp_found = by_key(gcp)
    # 900 s is fine on Lambda; Cloud Functions stops event-driven functions at 540 s.
    assert "540 s" in gcp_found["functions[0].timeout"]["detail"]
    assert "app.timeout" not in gcp_found  # HTTP functions run up to 3600 s
    _, azure = migrate_json(root, "--to", "azure")
    azure_found = by_key(azure)
    assert "512, 2048, 4096" in azure_found["app.memory"]["detail"]
    # The memory problem does not hide the timeout one behind it: Azure's front end cuts HTTP at 230 s.
    assert "230 s" in azure_found["app.timeout"]["detail"]
    assert all(azure_found[key]["status"] == "breaks" for key in ("app.memory", "app.timeout"))


def test_values_naming_aws_are_listed_in_every_stage(tmp_path: Path) -> None:
    _, document = migrate_json(project(tmp_path, AWS_PROJECT), "--to", "gcp")
    found = by_key(document)
    assert "s3:// URL" in found["app.environment.MEDIA"]["detail"]
    assert "execute-api" in found["app.environment.API"]["detail"]
    assert "an ARN" in found["stages.production.app.environment.ORDERS"]["detail"]
    assert found["app.environment.AWS_S3_REGION"]["status"] == "check"
    assert "app.environment.GREETING" not in found
    assert all(found[key]["needs_user"] for key in found if ".environment." in key)


def test_the_report_never_reads_this_machines_environment(tmp_path: Path) -> None:
    root = project(tmp_path, AWS_PROJECT)
    result = run_faas("migrate", "--to", "gcp", cwd=root, env={"SHOP_SECRET": "hunter2-very-secret"})
    assert result.returncode == NEEDS_USER_EXIT_CODE, result.stderr
    assert "hunter2" not in result.stdout + result.stderr
    # Unset, it is no error either: the reference stays a reference.
    code, _ = migrate_json(root, "--to", "gcp")
    assert code == NEEDS_USER_EXIT_CODE


def test_aws_options_become_the_targets_or_say_there_is_no_counterpart(tmp_path: Path) -> None:
    _, document = migrate_json(project(tmp_path, AWS_PROJECT), "--to", "gcp")
    found = by_key(document)
    assert found["providers.aws.region"]["status"] == "differs"
    assert document["provider_table"] == {"region": "europe-west1"}
    iam = found["providers.aws.iam_statements"]
    assert iam["status"] == "missing" and iam["needs_user"] and "service account" in iam["target"]


def test_triggers_that_work_differently_say_which_mechanism(tmp_path: Path) -> None:
    _, gcp = migrate_json(project(tmp_path, AWS_PROJECT), "--to", "gcp")
    found = by_key(gcp)
    assert "Pub/Sub" in found["functions[0].triggers[2]"]["target"]
    assert "Eventarc" in found["functions[0].triggers[3]"]["target"]
    # Eventarc cannot filter by suffix: no equivalent, and the nearest is named.
    assert found["functions[0].triggers[3].storage"]["status"] == "missing"
    assert found["functions[0].triggers[3].storage"]["target"] == "a check at the start of the function"


def test_a_project_that_maps_exits_0(tmp_path: Path) -> None:
    root = project(tmp_path, PORTABLE_PROJECT)
    for target in ("gcp", "azure"):
        code, document = migrate_json(root, "--to", target)
        assert code == 0, document
        assert document["needs_user"] == 0
        assert all(not finding["needs_user"] for finding in document["findings"])
    text = run_faas("migrate", "--to", "gcp", cwd=root)
    assert text.returncode == 0
    assert "Ready for gcp." in text.stdout
    assert "Cloud Scheduler: 30 2 * * * (Etc/UTC)" in text.stdout


def test_needs_user_lines_come_first_and_say_what_to_do(tmp_path: Path) -> None:
    result = run_faas("migrate", "--to", "gcp", cwd=project(tmp_path, AWS_PROJECT))
    lines = result.stdout.splitlines()[1:]
    marks = [line.split()[0] for line in lines if line.startswith("  ") and line.split()[0] in ("FIX", "ok")]
    assert marks == sorted(marks)  # every FIX before any ok
    media = next(line for line in lines if "environment MEDIA" in line)
    assert media.startswith("  FIX") and "-> point MEDIA at the resource" in media
    assert lines[-1].endswith("to fix before moving to gcp.")


def test_write_adds_the_table_keeping_comments_and_layout(tmp_path: Path) -> None:
    root = project(tmp_path, AWS_PROJECT)
    result = run_faas("migrate", "--to", "gcp", "--write", cwd=root)
    assert result.returncode == NEEDS_USER_EXIT_CODE, result.stderr
    assert "Added [providers.gcp]" in result.stdout
    written = (root / "faas.toml").read_text()
    original_lines = AWS_PROJECT.splitlines()
    new_lines = written.splitlines()
    # Every original line is still there, unchanged and in order; the table went in after [providers.aws].
    it: Iterator[str] = iter(new_lines)
    assert all(line in it for line in original_lines)
    assert new_lines.index("[providers.gcp]") < new_lines.index("[stages.production]")
    options = load_for_report(root / "faas.toml", None).provider_options("gcp", GcpOptions)
    assert options == GcpOptions(region="europe-west1")
    again = run_faas("migrate", "--to", "gcp", "--write", cwd=root)
    assert "already has [providers.gcp]" in again.stdout
    assert (root / "faas.toml").read_text() == written


def test_write_into_pyproject_tool_faas(tmp_path: Path) -> None:
    text = (
        '[project]\nname = "shop"\nversion = "1"\n\n'
        '[tool.faas]\nname = "shop"  # kept\n\n[tool.faas.app]\nentry = "app:app"\n\n'
        '[tool.faas.providers.aws]\nregion = "us-east-1"\n\n[tool.ruff]\nline-length = 100\n'
    )
    root = project(tmp_path, text, name="pyproject.toml")
    run_faas("migrate", "--to", "azure", "--write", cwd=root)
    written = (root / "pyproject.toml").read_text()
    assert written.startswith(text.split("[tool.ruff]", maxsplit=1)[0])
    assert "[tool.faas.providers.azure]" in written and 'location = "eastus"' in written
    assert written.rstrip().endswith("[tool.ruff]\nline-length = 100")
    loaded = load_project(root / "pyproject.toml")
    assert loaded.config.providers["azure"] == {"location": "eastus"}


class _NoCloudSdk(MetaPathFinder):
    """Makes the GCP and Azure SDKs unimportable, as on a machine with only faas installed."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
        if name.split(".", maxsplit=1)[0] == "google" or name.startswith(
            ("azure.mgmt", "azure.identity", "azure.storage")
        ):
            raise ImportError(f"{name} is not installed")
        return None


def test_the_report_needs_neither_sdk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = project(tmp_path, AWS_PROJECT)
    monkeypatch.setattr(sys, "meta_path", [_NoCloudSdk(), *sys.meta_path])
    for name in [module for module in sys.modules if module.split(".")[0] == "google"]:
        monkeypatch.delitem(sys.modules, name)
    for target in ("gcp", "azure"):
        report = portability_report(load_for_report(root / "faas.toml", None), target)
        assert report.needs_user


def test_an_unknown_target_is_a_usage_error(tmp_path: Path) -> None:
    result = run_faas("migrate", "--to", "aws", cwd=project(tmp_path, PORTABLE_PROJECT))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_an_artifact_built_for_the_target_is_checked_against_its_size_limits(tmp_path: Path) -> None:
    root = project(tmp_path, PORTABLE_PROJECT)
    _, before = migrate_json(root, "--to", "gcp")
    assert by_key(before)["package"]["status"] == "check"
    assert "faas doctor --provider gcp" in by_key(before)["package"]["action"]
    built = run_faas("package", "--provider", "gcp", cwd=root)
    assert built.returncode == 0, built.stderr
    code, after = migrate_json(root, "--to", "gcp")
    size = by_key(after)["package"]
    assert size["status"] == "maps" and "MB zipped fits" in size["detail"]
    assert code == 0


def test_an_imported_serverless_service_reports_for_each_stage(tmp_path: Path) -> None:
    from tests.core.migrate.test_serverless import SERVICE, TASKS
    from tests.core.migrate.test_zappa import FLASK_APP

    (tmp_path / "serverless.yml").write_text(SERVICE)
    (tmp_path / "config.dev.yml").write_text("level: verbose\n")
    (tmp_path / "config.prod.yml").write_text("level: quiet\n")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "__init__.py").write_text("")
    (tmp_path / "src" / "app.py").write_text(FLASK_APP)
    (tmp_path / "src" / "tasks.py").write_text(TASKS)
    (tmp_path / "src" / "worker.py").write_text("def handler(event, context):\n    return 1\n")
    imported = run_faas("import", cwd=tmp_path)
    assert imported.returncode == 0, imported.stderr
    for stage in ("dev", "prod"):
        code, document = migrate_json(tmp_path, "--to", "gcp", "--stage", stage)
        assert code in (0, NEEDS_USER_EXIT_CODE), document
        assert document["stage"] == stage
        assert document["provider_table"]["region"] == "europe-west1"  # the service's eu-west-1
        found = by_key(document)
        # The import's own ARN (the IAM statement's table) is an AWS option without a counterpart.
        assert found["providers.aws.iam_statements"]["status"] == "missing"


def test_only_a_rest_api_front_door_needs_the_user(tmp_path: Path) -> None:
    for front_door, needs_user in (("http-api", False), ("function-url", False), ("rest-api", True)):
        text = PORTABLE_PROJECT + f'\n[providers.aws]\nfront_door = "{front_door}"\nlog_retention_days = 14\n'
        code, document = migrate_json(project(tmp_path / front_door, text), "--to", "gcp")
        found = by_key(document)
        assert found["providers.aws.front_door"]["needs_user"] is needs_user, front_door
        assert not found["providers.aws.log_retention_days"]["needs_user"]
        assert code == (NEEDS_USER_EXIT_CODE if needs_user else 0)


def test_write_into_an_inline_providers_table(tmp_path: Path) -> None:
    text = 'name = "blog"\nproviders = { aws = { region = "eu-west-2" } }  # one line\n\n[app]\nentry = "app:app"\n'
    root = project(tmp_path, text)
    run_faas("migrate", "--to", "gcp", "--write", cwd=root)
    written = (root / "faas.toml").read_text()
    assert written.startswith('name = "blog"\nproviders = { aws = { region = "eu-west-2" }, gcp = {')
    assert "# one line" in written
    assert load_project(root / "faas.toml").config.providers["gcp"] == {"region": "europe-west2"}


def test_an_option_of_the_target_changes_the_limits_checked(tmp_path: Path) -> None:
    root = project(tmp_path, AWS_PROJECT)
    _, flex = migrate_json(root, "--to", "azure")
    assert "app.memory" in by_key(flex)  # Flex has fixed sizes: 1024 MB is not one
    _, premium = migrate_json(root, "--to", "azure", "-O", "plan=premium")
    assert "app.memory" not in by_key(premium)
    assert "230 s" in by_key(premium)["app.timeout"]["detail"]  # the HTTP front end's cap stays


def test_write_keeps_the_options_the_report_was_made_with(tmp_path: Path) -> None:
    root = project(tmp_path, AWS_PROJECT)
    run_faas("migrate", "--to", "azure", "-O", "plan=premium", "--write", cwd=root)
    providers = load_for_report(root / "faas.toml", None).config.providers
    assert providers["azure"] == {"location": "northeurope", "plan": "premium"}
