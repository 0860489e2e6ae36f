"""`faas import` of Zappa settings, with configs written from Zappa's README."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.core.migrate.conftest import (
    entries,
    faas_import,
    import_json,
    plan_local,
    source_keys,
    stage_config,
    written,
)

FLASK_APP = "from flask import Flask\napp = Flask(__name__)\n"
TASKS = "def cleanup(event, context):\n    return 'ok'\n\ndef thumbnail(event, context):\n    return 'ok'\n"

# Shaped like the README's example settings: a base template extended by dev and production.
README_SETTINGS = """{
    // Comments are common in hand-edited settings files.
    "base": {
        "app_function": "my_app.app",
        "aws_region": "us-east-1",
        "project_name": "my-project",
        "runtime": "python3.8",
        "s3_bucket": "zappa-abc123",
        "environment_variables": {"SHARED": "yes", "ONLY_BASE": "1"},
        "events": [
            {"function": "tasks.cleanup", "expression": "rate(1 minute)"},
            {"function": "tasks.cleanup", "expression": "cron(0 12 ? * 2 *)", "enabled": false}
        ]
    },
    "dev": {
        "extends": "base",
        "memory_size": 256,
        "environment_variables": {"SHARED": "yes", "DEBUG": true, "DB_PORT": 5432}
    },
    /* "staging": {"extends": "base"}, */
    "production": {
        "extends": "base",
        // "debug": true,
        "domain": "example.com",
        "certificate_arn": "arn:aws:acm:us-east-1:123456789012:certificate/abc",
        "keep_warm": false,
        "include": ["vendor"],
        "use_apigateway": true
    }
}
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "my_app.py").write_text(FLASK_APP)
    (tmp_path / "tasks.py").write_text(TASKS)
    (tmp_path / "zappa_settings.json").write_text(README_SETTINGS)
    return tmp_path


def test_readme_settings_import_and_plan_on_local(project: Path) -> None:
    document = import_json(cwd=project)
    assert document["format"] == "zappa"
    config_file = project / "faas.toml"
    assert written(config_file) == document["config"]
    assert set(document["config"]["stages"]) == {"dev", "production"}
    for stage in ("dev", "production"):
        config = stage_config(config_file, stage)
        assert config.app is not None and config.app.entry == "my_app:app"
    # The local provider has no custom domains, so the stage without one is planned there.
    plan_local(project, "dev")
    report = entries(document)
    # Every key of the source, including the template's and the overridden ones, is listed once.
    for stage, keys in {
        "base": [
            "app_function",
            "aws_region",
            "project_name",
            "runtime",
            "s3_bucket",
            "environment_variables",
            "events",
        ],
        "dev": ["extends", "memory_size", "environment_variables"],
        "production": ["extends", "domain", "certificate_arn", "keep_warm", "include", "use_apigateway"],
    }.items():
        for key in keys:
            assert any(
                k == f"{stage}.{key}" or k.startswith(f"{stage}.{key}.") or k.startswith(f"{stage}.{key}[")
                for k in report
            ), f"{stage}.{key}"
    assert report["base"]["status"] == "info" and "template" in report["base"]["reason"]
    assert report["production.use_apigateway"]["status"] == "warn"
    assert "staging" not in json.dumps(document), "a commented-out stage does not exist"
    assert "production.debug" not in report


def test_extends_replaces_nested_tables_and_nothing_leaks_between_stages(project: Path) -> None:
    import_json(cwd=project)
    dev = stage_config(project / "faas.toml", "dev")
    production = stage_config(project / "faas.toml", "production")
    assert dev.app is not None and production.app is not None
    # dev's environment_variables replaced base's whole table (Zappa's shallow update).
    assert dev.app.environment == {"SHARED": "yes", "DEBUG": "true", "DB_PORT": "5432"}
    assert production.app.environment == {"SHARED": "yes", "ONLY_BASE": "1"}
    assert dev.app.memory == 256 and production.app.memory == 512
    assert production.domain == "example.com" and dev.domain is None


def test_runtime_out_of_range_is_the_nearest_and_warned(project: Path) -> None:
    document = import_json(cwd=project)
    assert document["config"]["python"] == "3.10"
    entry = entries(document)["base.runtime"]
    assert entry["status"] == "warn" and "3.8" in entry["reason"]


def test_events_become_functions_with_the_apps_environment(project: Path) -> None:
    document = import_json(cwd=project)
    report = entries(document)
    production = stage_config(project / "faas.toml", "production")
    (cleanup,) = production.functions
    assert cleanup.entry == "tasks:cleanup"
    # The disabled event is not a trigger; the enabled one is.
    assert [str(trigger.schedule) for trigger in cleanup.triggers] == ["rate(1 minute)"]
    assert cleanup.environment == production.app.environment
    assert report["base.events[1]"]["status"] == "warn" and "enabled: false" in report["base.events[1]"]["reason"]
    assert report["base.events[0]"]["status"] == "mapped"


def test_keep_warm_defaults_to_true_and_include_is_not_a_package_include(project: Path) -> None:
    report = entries(import_json(cwd=project))
    assert "Zappa's default true" in report["dev.keep_warm"]["reason"]
    assert report["production.keep_warm"]["status"] == "info"
    assert report["production.include"]["status"] == "warn"
    assert "not a package include" in report["production.include"]["reason"]


def test_app_function_wins_over_django_settings(tmp_path: Path) -> None:
    (tmp_path / "zappa_settings.json").write_text(
        json.dumps(
            {
                "prod": {
                    "app_function": "pkg.server.app.app",
                    "django_settings": "mysite.settings",
                    "project_name": "site",
                }
            }
        )
    )
    document = import_json(cwd=tmp_path)
    app = document["config"]["app"]
    assert app["entry"] == "pkg.server.app:app"
    assert app["environment"] == {"DJANGO_SETTINGS_MODULE": "mysite.settings"}
    assert "app_function wins" in entries(document)["prod.django_settings"]["reason"]


def test_django_settings_alone_means_the_projects_wsgi_application(tmp_path: Path) -> None:
    (tmp_path / "mysite").mkdir()
    (tmp_path / "mysite" / "wsgi.py").write_text("application = None\n")
    (tmp_path / "zappa_settings.json").write_text(
        json.dumps({"dev": {"django_settings": "mysite.settings", "project_name": "mysite"}})
    )
    document = import_json(cwd=tmp_path)
    app = document["config"]["app"]
    assert app["entry"] == "mysite.wsgi:application"
    assert app["settings_module"] == "mysite.settings" and app["framework"] == "django"
    assert app["environment"]["DJANGO_SETTINGS_MODULE"] == "mysite.settings"
    assert entries(document)["dev.django_settings"]["status"] == "mapped"


def test_django_without_wsgi_module_is_warned(tmp_path: Path) -> None:
    (tmp_path / "zappa_settings.json").write_text(json.dumps({"dev": {"django_settings": "mysite.settings"}}))
    entry = entries(import_json(cwd=tmp_path))["dev.django_settings"]
    assert entry["status"] == "warn" and "mysite/wsgi.py" in entry["reason"]


def test_neither_app_function_nor_django_means_functions_only(tmp_path: Path) -> None:
    (tmp_path / "tasks.py").write_text(TASKS)
    (tmp_path / "zappa_settings.json").write_text(
        json.dumps(
            {
                "dev": {
                    "project_name": "workers",
                    "aws_environment_variables": {"MODE": "lambda", "SHARED": "aws"},
                    "environment_variables": {"SHARED": "baked"},
                    "events": [
                        {"function": "tasks.cleanup", "expressions": ["rate(5 minutes)", "cron(0 3 * * ? *)"]},
                        {
                            "function": "tasks.thumbnail",
                            "event_source": {
                                "arn": "arn:aws:s3:::uploads-bucket",
                                "events": ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"],
                                "key_filters": [
                                    {"type": "prefix", "value": "incoming/"},
                                    {"type": "suffix", "value": ".jpg"},
                                ],
                            },
                        },
                        {
                            "function": "tasks.thumbnail",
                            "event_source": {"arn": "arn:aws:sqs:us-east-1:123456789012:jobs", "batch_size": 5},
                        },
                        {
                            "function": "tasks.cleanup",
                            "event_source": {"arn": "arn:aws:sns:us-east-1:123456789012:alerts"},
                        },
                        {"function": "tasks.cleanup", "event_source": {"arn": "tbd"}},
                    ],
                }
            }
        )
    )
    document = import_json(cwd=tmp_path)
    config = stage_config(tmp_path / "faas.toml", "dev")
    assert config.app is None
    functions = {function.name: function for function in config.functions}
    first, second, topic = functions["cleanup"].triggers
    assert [str(first.schedule), str(second.schedule)] == ["rate(5 minutes)", "cron(0 3 * * *)"]  # type: ignore[attr-defined]
    # event_source.arn by service: s3 -> storage, sqs -> queue, sns -> topic.
    assert topic.topic.name == "alerts"  # type: ignore[attr-defined]
    storage, queue = functions["thumbnail"].triggers
    assert storage.storage.bucket == "uploads-bucket"  # type: ignore[union-attr]
    assert storage.storage.events == ["created", "deleted"]  # type: ignore[union-attr]
    assert (storage.storage.prefix, storage.storage.suffix) == ("incoming/", ".jpg")  # type: ignore[union-attr]
    assert queue.queue.name == "jobs" and queue.queue.batch_size == 5  # type: ignore[union-attr]
    # environment_variables are set at cold start, over the Lambda's own variables.
    assert functions["cleanup"].environment == {"MODE": "lambda", "SHARED": "baked"}
    report = entries(document)
    # A topic trigger, warned because faas's aws provider does not deploy them yet.
    assert report["dev.events[3]"]["target"] == "functions.cleanup.triggers"
    assert (
        report["dev.events[3]"]["status"] == "warn"
        and "aws provider does not deploy topic" in report["dev.events[3]"]["reason"]
    )
    assert report["dev.events[4]"]["status"] == "warn" and "placeholder" in report["dev.events[4]"]["reason"]
    plan_local(tmp_path, "dev")


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("cron(0 12 ? * 2 *)", "cron(0 12 * * MON)"),  # AWS 2 = Monday
        ("cron(15 10 ? * 6L 2025)", None),
        ("cron(0 8 ? * MON#1 *)", None),
        ("cron(0 18 L * ? *)", None),
        ("cron(0 9 ? * L *)", "cron(0 9 * * SAT)"),
        ("cron(0/15 * * * ? *)", "cron(0-59/15 * * * *)"),
    ],
)
def test_zappa_schedules_convert_exactly_or_warn(tmp_path: Path, expression: str, expected: str | None) -> None:
    (tmp_path / "zappa_settings.json").write_text(
        json.dumps(
            {"dev": {"project_name": "cron-check", "events": [{"function": "tasks.cleanup", "expression": expression}]}}
        )
    )
    document = import_json(cwd=tmp_path)
    entry = entries(document)["dev.events[0]"]
    triggers = document["config"]["functions"][0]["triggers"]
    if expected is None:
        assert entry["status"] == "warn" and triggers == []
    else:
        assert entry["status"] == "mapped" and triggers == [{"schedule": expected}]


def test_values_as_strings_credentials_warned_stage_renamed_names_differ(tmp_path: Path) -> None:
    (tmp_path / "zappa_settings.yml").write_text(
        "Production_EU:\n"
        "  app_function: my_app.app\n"
        "  project_name: Shop\n"
        "  runtime: python3.14\n"
        "  environment_variables:\n"
        "    DB_PORT: 5432\n"
        "    FEATURE: false\n"
        "    DATABASE_URL: postgres://shop:hunter22@db.example.com/shop\n"
        "    STRIPE_SECRET_KEY: sk_live_abcdefghijklmnop\n"
        "dev:\n"
        "  app_function: my_app.app\n"
        "  project_name: shop-dev\n"
    )
    (tmp_path / "my_app.py").write_text(FLASK_APP)
    document = import_json(cwd=tmp_path)
    report = entries(document)
    assert report["Production_EU"]["status"] == "warn" and report["Production_EU"]["target"] == "stages.production-eu"
    assert "Production_EU.runtime" in report
    production = stage_config(tmp_path / "faas.toml", "production-eu")
    assert production.python == "3.13"
    assert production.app is not None
    assert production.app.environment["DB_PORT"] == "5432" and production.app.environment["FEATURE"] == "false"
    for name in ("DATABASE_URL", "STRIPE_SECRET_KEY"):
        entry = report[f"Production_EU.environment_variables.{name}"]
        assert entry["status"] == "warn" and name in entry["reason"]
    assert report["Production_EU.environment_variables.DB_PORT"]["status"] == "mapped"
    assert document["config"]["name"] == "shop"
    assert report["dev.project_name"]["status"] == "warn"
    assert "dev" in document["config"]["stages"]


def test_toml_settings_and_only_one_stage(tmp_path: Path) -> None:
    (tmp_path / "zappa_settings.toml").write_text(
        '[dev]\napp_function = "my_app.app"\nproject_name = "demo"\n\n'
        '[prod]\napp_function = "my_app.app"\nproject_name = "demo"\nmemory_size = 2048\n'
    )
    document = import_json("--stage", "prod", cwd=tmp_path)
    assert list(document["config"]["stages"]) == ["prod"]
    assert document["config"]["app"]["memory"] == 2048
    assert not any(key.startswith("dev.") for key in source_keys(document))
    assert entries(document)["dev"]["status"] == "info" and "--stage prod" in entries(document)["dev"]["reason"]


def test_extends_cycle_is_one_line_exit_2(tmp_path: Path) -> None:
    (tmp_path / "zappa_settings.json").write_text(
        json.dumps({"a": {"extends": "b"}, "b": {"extends": "c"}, "c": {"extends": "a"}, "d": {"extends": "a"}})
    )
    result = faas_import(cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "extends cycle: a -> b -> c -> a" in result.stderr
    assert not (tmp_path / "faas.toml").exists()


def test_refuses_to_overwrite_without_force_and_writes_inside_a_folder_source(project: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    first = faas_import(str(project), cwd=outside)
    assert first.returncode == 0, first.stderr
    assert (project / "faas.toml").is_file() and not (outside / "faas.toml").exists()
    assert "Imported" in first.stdout and "warn" in first.stdout
    before = (project / "faas.toml").read_text()
    (project / "faas.toml").write_text("# mine\n")
    again = faas_import(str(project), cwd=outside)
    assert again.returncode == 2 and "use --force" in again.stderr
    assert (project / "faas.toml").read_text() == "# mine\n"
    forced = faas_import(str(project), "--force", cwd=outside)
    assert forced.returncode == 0
    assert (project / "faas.toml").read_text() == before


def test_a_file_source_and_output(project: Path) -> None:
    settings = project / "zappa_settings.json"
    renamed = project / "settings-prod.json"
    renamed.write_text(settings.read_text())
    settings.unlink()
    unknown = faas_import(str(renamed), cwd=project)
    assert unknown.returncode == 2 and "--from" in unknown.stderr
    result = faas_import(str(renamed), "--from", "zappa", "--output", "out.toml", cwd=project)
    assert result.returncode == 0, result.stderr
    assert (project / "out.toml").is_file() and not (project / "faas.toml").exists()
