"""Helpers shared by the importer tests: run the real CLI, read back what it wrote, check the report."""

from __future__ import annotations

import json
import subprocess
import tomllib
from pathlib import Path
from typing import Any

from faas.core.config import load_project
from faas.core.migrate import ImportResult, import_project
from faas.providers.aws.options import AwsOptions
from tests.core.plugins.conftest import run_faas

STATUSES = {"mapped", "warn", "info"}


def faas_import(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return run_faas("import", *args, cwd=cwd, env=env)


def import_json(*args: str, cwd: Path) -> dict[str, Any]:
    """`faas import --json`, checked for the promises every import keeps."""
    result = faas_import(*args, "--json", cwd=cwd)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "Traceback" not in result.stderr
    document = json.loads(result.stdout)
    assert set(document) == {"format", "config", "report"}
    check_report(document["report"])
    assert_no_nulls(document["config"])
    return document


def check_report(report: list[dict[str, Any]]) -> None:
    keys = [entry["source_key"] for entry in report]
    assert len(keys) == len(set(keys)), [key for key in keys if keys.count(key) > 1]
    for entry in report:
        assert set(entry) == {"source_key", "status", "target", "reason"}
        assert entry["status"] in STATUSES
        assert entry["target"] is None or isinstance(entry["target"], str)
        assert entry["reason"], entry


def assert_no_nulls(value: Any) -> None:
    if isinstance(value, dict):
        for item in value.values():
            assert_no_nulls(item)
    elif isinstance(value, list):
        for item in value:
            assert_no_nulls(item)
    else:
        assert value is not None


def entries(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {entry["source_key"]: entry for entry in document["report"]}


def written(path: Path) -> dict[str, Any]:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def stage_config(path: Path, stage: str, environ: dict[str, str] | None = None) -> Any:
    """The stage as faas itself loads it, with only `environ` as the deploying machine's environment."""
    project = load_project(path, stage, environ=environ or {})
    options = project.config.providers.get("aws")
    if options is not None:
        AwsOptions.model_validate(options)
    return project.config


def run_import(source: Path, **options: Any) -> ImportResult:
    return import_project(source, **options)


def plan_local(folder: Path, stage: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    result = run_faas("plan", "--provider", "local", "--stage", stage, cwd=folder, env=env)
    assert result.returncode == 0, result.stderr + result.stdout
    return result


def source_keys(document: dict[str, Any]) -> set[str]:
    return {entry["source_key"] for entry in document["report"]}
