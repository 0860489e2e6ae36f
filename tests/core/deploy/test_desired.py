"""The neutral desired functions, and diffs that never show an environment value."""

from __future__ import annotations

from pathlib import Path

import pytest

from faas import APP, changed_variables, desired_functions, environment_diff, field_diff, load_project, secret_diff


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DB_PASSWORD", "hunter2")
    (tmp_path / "faas.toml").write_text(
        'name = "pups"\npython = "3.12"\n'
        '[app]\nentry = "app:application"\nmemory = 1024\nenvironment = { DB = "${env:DB_PASSWORD}" }\n'
        '[[functions]]\nname = "tick"\nentry = "tasks:tick"\ntimeout = 120\nenvironment = { BUCKET = "mine" }\n'
    )
    return load_project(tmp_path / "faas.toml", "dev")


def test_app_first_then_functions_with_their_settings(project) -> None:  # type: ignore[no-untyped-def]
    app, tick = desired_functions(project, {"FAAS_STATIC_URL": "https://cdn", "BUCKET": "shared"})
    assert (app.key, app.memory, app.timeout, app.python, app.label) == (APP, 1024, 30, "3.12", "the app")
    assert app.environment == {"FAAS_STATIC_URL": "https://cdn", "BUCKET": "shared", "DB": "hunter2"}
    assert (tick.key, tick.timeout, tick.label) == ("tick", 120, "tick")
    # The function's own value wins over the shared one; FAAS_FUNCTION routes its events.
    assert tick.environment == {"FAAS_STATIC_URL": "https://cdn", "BUCKET": "mine", "FAAS_FUNCTION": "tick"}
    assert "hunter2" not in repr(app)


def test_environment_diff_names_variables_never_values() -> None:
    deployed = {"DB": "hunter2", "OLD": "x", "SAME": "1"}
    desired = {"DB": "hunter3", "NEW": "y", "SAME": "1"}
    assert changed_variables(deployed, desired) == ["DB", "NEW", "OLD"]
    [line] = environment_diff(deployed, desired)
    assert line == ("environment", "", "changed: DB, NEW, OLD")
    assert not any(secret in str(line) for secret in ("hunter2", "hunter3", "x", "y"))
    assert environment_diff(desired, dict(desired)) == []


def test_field_diff_lists_only_what_differs() -> None:
    assert field_diff([("memory", 512, 1024), ("timeout", 30, 30), ("role", None, "arn")]) == [
        ("memory", "512", "1024"),
        ("role", "", "arn"),
    ]


def test_secret_diff_shows_neither_side() -> None:
    assert secret_diff("DB", "aaa", "aaa") == []
    assert secret_diff("DB", "aaa", "bbb") == [("DB", "(set)", "changed")]
    assert secret_diff("DB", None, "bbb") == [("DB", "", "changed")]


def test_functions_carry_their_triggers(tmp_path: Path) -> None:
    (tmp_path / "faas.toml").write_text(
        'name = "pups"\n[[functions]]\nname = "tick"\nentry = "tasks:tick"\n'
        'triggers = [{ schedule = "rate(5 minutes)" }]\n'
    )
    [tick] = desired_functions(load_project(tmp_path / "faas.toml", "dev"))
    assert len(tick.triggers) == 1
    assert tick.environment == {"FAAS_FUNCTION": "tick"}
