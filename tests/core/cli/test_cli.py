"""The CLI as a user meets it: real subprocesses, exit codes, one-line errors, no tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.core.plugins.conftest import run_faas
from tests.hidden_sdks import hidden_sdks_env

FLASK_APP = "from flask import Flask\napp = Flask(__name__)\n"


@pytest.fixture
def flask_dir(tmp_path: Path) -> Path:
    (tmp_path / "app.py").write_text(FLASK_APP)
    return tmp_path


def test_console_script_is_installed() -> None:
    result = subprocess.run([Path(sys.executable).parent / "faas", "--version"], capture_output=True, text=True)
    assert result.returncode == 0
    assert result.stdout.strip() == "faas, version 0.1.0"


def test_every_command_exists_and_documents_itself() -> None:
    result = run_faas("--help")
    for command in (
        "init",
        "deploy",
        "plan",
        "package",
        "undeploy",
        "status",
        "logs",
        "invoke",
        "manage",
        "rollback",
        "certify",
        "schema",
        "plugins",
        "serve",
    ):
        assert f"  {command} " in result.stdout, command
        assert run_faas(command, "--help").returncode == 0


def test_init_then_a_config_error_is_one_line_with_exit_code_2(flask_dir: Path) -> None:
    assert run_faas("init", "--name", "demo-app", cwd=flask_dir).returncode == 0
    config = flask_dir / "faas.toml"
    config.write_text(config.read_text().replace("memory = 512", "memory = 5"))
    line = config.read_text().splitlines().index("memory = 5") + 1
    result = run_faas("status", cwd=flask_dir)
    assert result.returncode == 2
    assert result.stderr == f"error: {config}:{line}: app.memory: Input should be greater than or equal to 64\n"


def test_errors_in_json_mode_are_a_json_document(flask_dir: Path) -> None:
    result = run_faas("status", "--json", cwd=flask_dir)
    assert result.returncode == 2
    document = json.loads(result.stdout)
    assert document["exit_code"] == 2
    assert "run `faas init`" in document["error"]


def test_global_options_work_before_and_after_the_command(flask_dir: Path) -> None:
    run_faas("init", "--name", "demo-app", cwd=flask_dir)
    before = run_faas("--provider", "nowhere", "status", cwd=flask_dir)
    after = run_faas("status", "--provider", "nowhere", cwd=flask_dir)
    for result in (before, after):
        assert result.returncode == 3
        assert result.stderr.startswith("error: unknown provider 'nowhere' (installed: ")


def test_missing_extra_is_an_install_hint_not_an_import_error(flask_dir: Path, tmp_path: Path) -> None:
    run_faas("init", "--name", "demo-app", cwd=flask_dir)
    result = run_faas("deploy", "--provider", "gcp", cwd=flask_dir, env=hidden_sdks_env(tmp_path / "no-sdks"))
    assert result.returncode == 3
    assert "pip install 'faasport[gcp]'" in result.stderr
    assert "Traceback" not in result.stderr and "ImportError" not in result.stderr


def test_unknown_stage_key_names_the_stage_path(flask_dir: Path) -> None:
    run_faas("init", "--name", "demo-app", cwd=flask_dir)
    config = flask_dir / "faas.toml"
    config.write_text(config.read_text().replace("app = { memory = 1024 }", "app = { memroy = 1024 }"))
    result = run_faas("plan", "--stage", "production", cwd=flask_dir)
    assert result.returncode == 2
    assert "stages.production.app.memroy: unknown key 'memroy'; did you mean 'memory'?" in result.stderr


def test_init_refuses_to_overwrite(flask_dir: Path) -> None:
    assert run_faas("init", "--name", "demo-app", cwd=flask_dir).returncode == 0
    again = run_faas("init", cwd=flask_dir)
    assert again.returncode == 2
    assert "exists; use --force" in again.stderr


def test_usage_errors_exit_2(flask_dir: Path) -> None:
    result = run_faas("deploy", "--no-such-flag", cwd=flask_dir)
    assert result.returncode == 2
    assert "No such option" in result.stderr


def test_secrets_never_reach_the_output(flask_dir: Path) -> None:
    (flask_dir / "faas.toml").write_text(
        'name = "demo-app"\nprovider = "nowhere"\n[app]\nentry = "app:app"\nenvironment = { TOKEN = "${env:TOKEN}" }\n'
        '[providers.nowhere]\ntoken = "${env:TOKEN}"\n'
    )
    result = run_faas("status", "--json", cwd=flask_dir, env={"TOKEN": "tok-4f8a9c-secret"})
    assert "tok-4f8a9c-secret" not in result.stdout + result.stderr


def test_schema_includes_provider_options() -> None:
    result = run_faas("schema")
    assert result.returncode == 0
    schema = json.loads(result.stdout)
    providers = schema["properties"]["providers"]["properties"]
    assert {"aws", "gcp", "azure", "local"} <= set(providers)
    gcp = schema["$defs"][providers["gcp"]["$ref"].rsplit("/", 1)[1]]
    assert gcp["additionalProperties"] is False
    assert "region" in gcp["properties"]


def test_option_flag_overrides_provider_options_for_one_run(flask_dir: Path, tmp_path: Path) -> None:
    (flask_dir / "faas.toml").write_text('name = "demo-app"\n[app]\nentry = "app:app"\n[providers.gcp]\nregion = "x"\n')
    result = run_faas("plan", "--provider", "azure", "-O", "bogus_option=3", cwd=flask_dir)
    assert result.returncode == 2
    assert "-O bogus_option=3: providers.azure.bogus_option: unknown key" in result.stderr
    # Without azure's extra the option is not validated: the install hint wins.
    no_sdks = hidden_sdks_env(tmp_path / "no-sdks")
    result = run_faas("plan", "--provider", "azure", "-O", "bogus_option=3", cwd=flask_dir, env=no_sdks)
    assert result.returncode == 3
    assert "pip install 'faasport[azure]'" in result.stderr
    result = run_faas("plan", "--provider", "local", "-O", "no_such_local_option=true", cwd=flask_dir)
    assert result.returncode == 2
    assert "providers.local.no_such_local_option: unknown key" in result.stderr


def test_parse_option_reads_toml_values() -> None:
    from faas.core.cli.state import parse_option

    def read(text: str) -> tuple[str, object, str]:
        option = parse_option(text)
        return option.key, option.value, option.text

    assert read("pool_size=3") == ("pool_size", 3, "3")
    assert read("reload=true") == ("reload", True, "true")
    assert read("emulate=gcp") == ("emulate", "gcp", "gcp")
    assert read('name="a b"') == ("name", "a b", '"a b"')
    assert read("python=3.10") == ("python", 3.1, "3.10"), "the text as typed is kept beside the TOML value"
    assert parse_option("python=3.10").flag == "-O python=3.10"


BROKEN = """name = "demo-app"
provider = "local"
pythn = "3.12"
[app]
entry = "app:app"
memroy = 512
[stages.production]
app = { timeout = "soon" }
"""


@pytest.mark.parametrize("verbose", [(), ("-v",)])
def test_every_config_problem_is_one_line_with_its_file_and_line(flask_dir: Path, verbose: tuple[str, ...]) -> None:
    config = flask_dir / "faas.toml"
    config.write_text(BROKEN)
    result = run_faas("plan", "--stage", "production", *verbose, cwd=flask_dir)
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert [line.split(": ", 3)[1:3] for line in lines] == [
        [f"{config}:3", "pythn"],
        [f"{config}:6", "app.memroy"],
        [f"{config}:8", "stages.production.app.timeout"],
    ], result.stderr
    assert all(line.startswith("error: ") for line in lines)
    assert "more problem" not in result.stderr and "Traceback" not in result.stderr


def test_every_config_problem_is_in_the_json_document(flask_dir: Path) -> None:
    (flask_dir / "faas.toml").write_text(BROKEN)
    result = run_faas("plan", "--stage", "production", "--json", cwd=flask_dir)
    assert result.returncode == 2
    document = json.loads(result.stdout)
    assert document["exit_code"] == 2
    assert [(problem["key"], problem["line"]) for problem in document["problems"]] == [
        ("pythn", 3),
        ("app.memroy", 6),
        ("stages.production.app.timeout", 8),
    ]
    assert {problem["source"] for problem in document["problems"]} == {str(flask_dir / "faas.toml")}
    assert document["problems"][1]["message"].startswith("unknown key 'memroy'; did you mean 'memory'?")


def test_a_misspelt_stage_is_refused_with_did_you_mean(flask_dir: Path) -> None:
    assert run_faas("init", "--name", "demo-app", cwd=flask_dir).returncode == 0
    result = run_faas("plan", "--stage", "prodution", cwd=flask_dir)
    assert result.returncode == 2
    assert "no stage 'prodution' here; did you mean 'production'?" in result.stderr
    assert not (flask_dir / ".faas").exists(), "nothing was planned or built for the misspelt stage"


def test_an_option_value_is_read_as_typed_and_its_errors_name_the_flag(flask_dir: Path) -> None:
    (flask_dir / "faas.toml").write_text('name = "demo-app"\nprovider = "local"\n[app]\nentry = "app:app"\n')
    result = run_faas("plan", "-O", "python=3.1x", cwd=flask_dir)
    assert result.returncode == 2
    assert result.stderr.startswith("error: -O python=3.1x: providers.local.python: String should match pattern")
    assert "faas.toml" not in result.stderr
    result = run_faas("plan", "-O", "pool_size=many", "--json", cwd=flask_dir)
    assert json.loads(result.stdout)["problems"][0]["source"] == "-O pool_size=many"


def test_package_works_without_the_providers_sdk(flask_dir: Path, tmp_path: Path) -> None:
    """`faas package --provider gcp|azure` makes no SDK call, so it needs no SDK; deploy says what to install."""
    (flask_dir / "faas.toml").write_text('name = "demo-app"\n[app]\nentry = "app:app"\n')
    # The SDKs are hidden even where a dev install has them, as on a machine without the extras.
    no_sdks = {**os.environ, **hidden_sdks_env(tmp_path / "no-sdks")}

    def faas(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "faas.core.cli", *args]
        return subprocess.run(command, capture_output=True, text=True, cwd=flask_dir, timeout=300, env=no_sdks)

    # Every google.* and azure.* import fails, the runtime library azure.functions included: packaging needs none.
    for provider, extra, entry in (("gcp", "gcp", "faas_entry.py"), ("azure", "azure", "function_app.py")):
        out = tmp_path / f"out-{provider}"
        packaged = faas("package", "--provider", provider, "-o", str(out), "--json")
        assert packaged.returncode == 0, packaged.stderr
        artifact = Path(json.loads(packaged.stdout)["artifact"])
        assert artifact.is_file() and artifact.parent == out
        with zipfile.ZipFile(artifact) as archive:
            names = set(archive.namelist())
        assert {entry, "app.py", "faas/adapters/bootstrap.py"} <= names, sorted(names)
        deployed = faas("deploy", "--provider", provider)
        assert deployed.returncode == 3
        assert f"pip install 'faasport[{extra}]'" in deployed.stderr
        listed = json.loads(faas("plugins", "--json").stdout)
        assert next(item for item in listed if item["name"] == provider)["available"] is False


@pytest.mark.slow
def test_the_missing_interpreter_advice_works_when_pasted(tmp_path: Path) -> None:
    """No interpreter of the target Python here: the command the error prints deploys when pasted."""
    import shlex
    import tempfile
    import urllib.request

    from faas.core.interpreters import find_interpreter
    from tests.providers.local.conftest import stop_all

    missing = next(version for version in ("3.14", "3.15", "3.9") if find_interpreter(version) is None)
    project = tmp_path / "site"
    project.mkdir()
    (project / "app.py").write_text(
        "def app(environ, start_response):\n"
        "    start_response('200 OK', [('Content-Type', 'text/plain')])\n"
        "    return [b'pasted']\n"
    )
    (project / "faas.toml").write_text(
        f'name = "pasted"\nprovider = "local"\n[app]\nentry = "app:app"\n[providers.local]\npython = "{missing}"\n'
    )
    cache = {"FAAS_CACHE_DIR": str(Path(tempfile.gettempdir()) / "faas-test-cache")}
    refused = run_faas("deploy", cwd=project, env=cache)
    assert refused.returncode != 0 and f"no Python {missing}" in refused.stderr
    advice = [command for command in refused.stderr.split("`") if command.startswith("faas deploy")]
    assert advice, refused.stderr
    pasted = shlex.split(advice[0])
    try:
        deployed = run_faas(*pasted[1:], cwd=project, env=cache)
        assert deployed.returncode == 0, deployed.stderr
        url = next(line.split(" ", 1)[1] for line in deployed.stdout.splitlines() if line.startswith("URL: "))
        with urllib.request.urlopen(url, timeout=30) as response:
            assert response.read() == b"pasted"
    finally:
        stop_all(project)


def _no_aws(env_dir: Path) -> dict[str, str]:
    """An environment in which any AWS call would fail at once: no region, no credentials."""
    import os

    config = env_dir / "aws-config"
    config.write_text("")
    blank = {key: "" for key in os.environ if key.startswith("AWS_")}
    return {**blank, "AWS_CONFIG_FILE": str(config), "AWS_SHARED_CREDENTIALS_FILE": str(config)}


FUNCTIONS = 'name = "demo-app"\nprovider = "aws"\n[[functions]]\nname = "nightly-report"\nentry = "tasks:run"\n'


def test_an_unknown_function_is_refused_before_any_call_with_did_you_mean(tmp_path: Path) -> None:
    (tmp_path / "faas.toml").write_text(FUNCTIONS)
    result = run_faas("invoke", "--function", "nightly-reprot", "--data", "{}", cwd=tmp_path, env=_no_aws(tmp_path))
    assert result.returncode == 2, result.stderr
    assert result.stderr == (
        "error: no function 'nightly-reprot' in demo-app; did you mean 'nightly-report'? (functions: nightly-report)\n"
    )
    result = run_faas("invoke", "--data", "{}", cwd=tmp_path, env=_no_aws(tmp_path))
    assert result.returncode == 2 and "has no [app]; name a function with --function" in result.stderr


def test_invoke_without_an_event_says_what_to_pass(flask_dir: Path) -> None:
    (flask_dir / "faas.toml").write_text('name = "demo-app"\nprovider = "aws"\n[app]\nentry = "app:app"\n')
    result = run_faas("invoke", cwd=flask_dir, env=_no_aws(flask_dir))
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("error: give the event to send: --data '{")
    assert "--event event.json" in result.stderr and "--event -" in result.stderr


def test_manage_on_a_fastapi_app_is_refused_before_any_call(tmp_path: Path) -> None:
    (tmp_path / "main.py").write_text("from fastapi import FastAPI\n\napp = FastAPI()\n")
    assert run_faas("init", "--name", "demo-app", "--provider", "aws", cwd=tmp_path).returncode == 0
    result = run_faas("manage", "migrate", cwd=tmp_path, env=_no_aws(tmp_path))
    assert result.returncode == 2, result.stderr
    assert (
        "faas manage runs Django management commands and Flask CLI commands; the app of demo-app is fastapi"
        in result.stderr
    )


def test_top_level_help_gives_each_commands_line_whole() -> None:
    result = run_faas("--help", env={"COLUMNS": "80"})
    text = " ".join(result.stdout.split())
    assert "manage Run `manage.py ARGUMENTS` (Django) or `flask ARGUMENTS` (Flask) in the deployed function." in text
    assert "..." not in result.stdout.split("Commands:", 1)[1]


def test_every_init_option_has_help_text() -> None:
    text = " ".join(run_faas("init", "--help").stdout.split())
    assert "--python [3.10|3.11|3.12|3.13] Python version the functions run on in the cloud." in text
    assert "--dir DIRECTORY The project folder to write faas.toml in" in text


@pytest.mark.parametrize("command", ["plugins", "schema"])
def test_commands_about_faas_itself_take_no_stage_or_provider(command: str) -> None:
    result = run_faas(command, "--help")
    assert result.returncode == 0
    assert "--stage" not in result.stdout and "--provider" not in result.stdout and "--option" not in result.stdout
    assert run_faas(command, "--stage", "x").returncode == 2
