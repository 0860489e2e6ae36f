from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from faas.core.config import find_config, load_project
from faas.core.errors import ConfigError

FULL = """
name = "bestpuppers"
provider = "aws"
python = "3.12"
[app]
entry = "bestpuppers.wsgi:application"
interface = "wsgi"
memory = 512
timeout = 30
environment = { DJANGO_SETTINGS_MODULE = "bestpuppers.settings", SECRET_KEY = "${env:SECRET_KEY}" }
[[functions]]
name = "nightly-report"
entry = "reports.tasks:nightly"
triggers = [
    { schedule = "rate(4 hours)" },
    { storage = { bucket = "uploads", events = ["created"], prefix = "img/" } },
    { queue = "thumbnails" },
]
[storage.static]
public = true
[package]
exclude = ["node_modules/**", ".idea/**", "media/**"]
[stages.production]
domain = "bestpuppers.com"
certificate = "arn:aws:acm:us-east-1:123456789012:certificate/abc"
app = { memory = 1024 }
[providers.aws]
region = "us-east-1"
"""


def write(tmp_path: Path, text: str, name: str = "faas.toml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def test_the_documented_example_loads(tmp_path: Path) -> None:
    project = load_project(write(tmp_path, FULL), environ={"SECRET_KEY": "s3cr3t"})
    assert project.stage == "dev"
    assert project.resource_prefix == "bestpuppers-dev"
    assert project.config.app is not None
    assert project.config.app.environment["SECRET_KEY"] == "s3cr3t"
    assert project.config.domain is None
    assert project.root == tmp_path.resolve()


def test_stage_overrides_merge_deeply(tmp_path: Path) -> None:
    project = load_project(write(tmp_path, FULL), "production", environ={"SECRET_KEY": "x"})
    app = project.config.app
    assert app is not None
    assert app.memory == 1024
    # Keys the stage does not mention keep the base values.
    assert app.entry == "bestpuppers.wsgi:application"
    assert app.environment["DJANGO_SETTINGS_MODULE"] == "bestpuppers.settings"
    assert project.config.domain == "bestpuppers.com"
    assert project.config.providers["aws"]["region"] == "us-east-1"


def test_stage_overrides_of_lists_replace_them(tmp_path: Path) -> None:
    text = FULL + '\n[stages.quiet]\nfunctions = [{ name = "only", entry = "m:f" }]\n'
    project = load_project(write(tmp_path, text), "quiet", environ={"SECRET_KEY": "x"})
    assert [function.name for function in project.config.functions] == ["only"]


def test_error_in_a_stage_names_the_stage_key_path(tmp_path: Path) -> None:
    path = write(tmp_path, FULL.replace("app = { memory = 1024 }", "app = { memory = 2000000 }"))
    with pytest.raises(ConfigError) as caught:
        load_project(path, "production", environ={"SECRET_KEY": "x"})
    assert (
        str(caught.value) == f"{path}:26: stages.production.app.memory: Input should be less than or equal to 1048576"
    )
    assert caught.value.exit_code == 2


def test_typo_names_the_key_and_suggests_the_right_one(tmp_path: Path) -> None:
    path = write(tmp_path, FULL.replace("memory = 512", "memroy = 512"))
    with pytest.raises(ConfigError) as caught:
        load_project(path, environ={"SECRET_KEY": "x"})
    message = str(caught.value)
    assert message.startswith(f"{path}:8: app.memroy: unknown key 'memroy'; did you mean 'memory'?")
    assert "allowed: entry, interface" in message


def test_typo_inside_a_trigger_names_the_trigger_keys(tmp_path: Path) -> None:
    path = write(tmp_path, FULL.replace('prefix = "img/"', 'prefx = "img/"'))
    with pytest.raises(
        ConfigError, match=r"functions\[0\]\.triggers\[1\]\.storage\.prefx: unknown key 'prefx'; did you mean 'prefix'"
    ):
        load_project(path, environ={"SECRET_KEY": "x"})


def test_bad_schedule_is_one_line_with_its_path(tmp_path: Path) -> None:
    path = write(tmp_path, FULL.replace("rate(4 hours)", "rate(4 weeks)"))
    with pytest.raises(ConfigError) as caught:
        load_project(path, environ={"SECRET_KEY": "x"})
    assert "functions[0].triggers[0].schedule: 'rate(4 weeks)': the unit must be minutes, hours or days" in str(
        caught.value
    )
    assert "\n" not in str(caught.value)


def test_missing_environment_variable_names_it_and_the_key(tmp_path: Path) -> None:
    path = write(tmp_path, FULL)
    with pytest.raises(ConfigError, match=r"app\.environment\.SECRET_KEY: environment variable SECRET_KEY is not set"):
        load_project(path, environ={})


def test_another_stages_environment_variables_are_not_needed(tmp_path: Path) -> None:
    text = FULL + '\n[stages.production.providers.aws]\nprofile = "${env:PRODUCTION_PROFILE}"\n'
    project = load_project(write(tmp_path, text), "dev", environ={"SECRET_KEY": "x"})
    assert project.config.providers["aws"] == {"region": "us-east-1"}
    with pytest.raises(
        ConfigError, match=r"stages\.production\.providers\.aws\.profile: environment variable PRODUCTION_PROFILE"
    ):
        load_project(write(tmp_path, text), "production", environ={"SECRET_KEY": "x"})


def test_interpolation_defaults_and_escapes(tmp_path: Path) -> None:
    text = """
    name = "demo-app"
    [app]
    entry = "app:app"
    environment = { A = "${env:MISSING:-fallback}", B = "cost: $$5", C = "x-${env:PART}-y" }
    """
    project = load_project(write(tmp_path, text), environ={"PART": "mid"})
    assert project.config.app is not None
    assert project.config.app.environment == {"A": "fallback", "B": "cost: $5", "C": "x-mid-y"}


def test_secrets_from_the_environment_are_redacted(tmp_path: Path) -> None:
    project = load_project(write(tmp_path, FULL), environ={"SECRET_KEY": "hunter2-very-secret"})
    assert project.redact("key=hunter2-very-secret!") == "key=***!"
    assert "hunter2" not in repr(project)


def test_pyproject_tool_faas_is_read(tmp_path: Path) -> None:
    write(
        tmp_path,
        '[project]\nname = "x"\n[tool.faas]\nname = "from-pyproject"\n[tool.faas.app]\nentry = "a:b"\n',
        "pyproject.toml",
    )
    path = find_config(tmp_path)
    assert path.name == "pyproject.toml"
    assert load_project(path).name == "from-pyproject"


def test_faas_toml_is_found_from_a_subfolder_and_wins_over_pyproject(tmp_path: Path) -> None:
    write(tmp_path, '[tool.faas]\nname = "from-pyproject"\n', "pyproject.toml")
    write(tmp_path, 'name = "from-faas-toml"\n[app]\nentry = "a:b"\n')
    (tmp_path / "deep" / "er").mkdir(parents=True)
    assert find_config(tmp_path / "deep" / "er") == tmp_path / "faas.toml"


def test_no_config_says_to_run_init(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="run `faas init`"):
        find_config(tmp_path)


def test_invalid_toml_names_the_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, 'name = "x"\n[app\n')
    with pytest.raises(ConfigError, match=rf"{path}: not valid TOML: .*line 2"):
        load_project(path)


def test_stage_may_not_rename_the_project(tmp_path: Path) -> None:
    path = write(tmp_path, 'name = "demo-app"\n[app]\nentry = "a:b"\n[stages.prod]\nname = "other"\n')
    with pytest.raises(ConfigError, match=r"stages\.prod\.name: 'name' cannot differ per stage"):
        load_project(path, "prod")


def test_a_project_with_nothing_to_deploy_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="nothing to deploy"):
        load_project(write(tmp_path, 'name = "empty-app"\n'))


def test_provider_options_are_validated_by_the_provider_model(tmp_path: Path) -> None:
    from faas.core.plugins import ProviderOptions

    class Options(ProviderOptions):
        region: str = "us-east-1"

    project = load_project(write(tmp_path, 'name = "demo-app"\n[app]\nentry = "a:b"\n[providers.acme]\nregoin = "x"\n'))
    with pytest.raises(ConfigError, match=r"providers\.acme\.regoin: unknown key 'regoin'; did you mean 'region'"):
        project.provider_options("acme", Options)


def test_every_problem_is_reported_with_its_key_file_and_line(tmp_path: Path) -> None:
    text = FULL.replace("memory = 512", "memroy = 512").replace('interface = "wsgi"', 'interface = "cgi"')
    text = text.replace('prefix = "img/"', 'prefx = "img/"').replace(
        "app = { memory = 1024 }", "app = { timeout = -1 }"
    )
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_project(path, "production", environ={"SECRET_KEY": "x"})
    found = {(problem.key, problem.line) for problem in caught.value.problems}
    assert found == {
        ("app.interface", 7),
        ("app.memroy", 8),
        ("functions[0].triggers[1].storage.prefx", 16),
        ("stages.production.app.timeout", 26),
    }
    assert all(problem.source == str(path) for problem in caught.value.problems)
    lines = str(caught.value).splitlines()
    assert len(lines) == 4
    assert f"{path}:8: app.memroy: unknown key 'memroy'; did you mean 'memory'?" in str(caught.value)


def test_problems_in_pyproject_tool_faas_name_their_line_in_pyproject(tmp_path: Path) -> None:
    text = """
    [project]
    name = "x"

    [tool.faas]
    name = "demo-app"
    pythn = "3.12"

    [tool.faas.app]
    entry = "a:b"
    memory = "lots"
    """
    path = write(tmp_path, text, "pyproject.toml")
    with pytest.raises(ConfigError) as caught:
        load_project(path)
    problems = [str(problem) for problem in caught.value.problems]
    assert problems[0].startswith(f"{path}:7: pythn: unknown key 'pythn'; did you mean 'python'? (allowed: ")
    assert problems[1:] == [
        f"{path}:11: app.memory: Input should be a valid integer, unable to parse string as an integer"
    ]


def test_every_unset_environment_variable_is_listed(tmp_path: Path) -> None:
    text = """
    name = "demo-app"
    [app]
    entry = "app:app"
    [app.environment]
    SECRET_KEY = "${env:SECRET_KEY}"
    DATABASE_URL = "${env:DATABASE_URL}"
    """
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_project(path, environ={})
    assert [str(problem) for problem in caught.value.problems] == [
        f"{path}:6: app.environment.SECRET_KEY: environment variable SECRET_KEY is not set "
        "(needed by ${env:SECRET_KEY})",
        f"{path}:7: app.environment.DATABASE_URL: environment variable DATABASE_URL is not set "
        "(needed by ${env:DATABASE_URL})",
    ]


def test_a_stage_not_in_stages_is_refused_with_did_you_mean(tmp_path: Path) -> None:
    path = write(tmp_path, FULL)
    with pytest.raises(ConfigError) as caught:
        load_project(path, "prodution", environ={"SECRET_KEY": "x"})
    assert str(caught.value) == (
        f"{path}:23: stages: no stage 'prodution' here; did you mean 'production'? "
        "(stages: dev, production; add a [stages.prodution] table to create it)"
    )
    # The default stage needs no table; a project without [stages] takes any stage name.
    assert load_project(path, environ={"SECRET_KEY": "x"}).stage == "dev"
    bare = write(tmp_path, 'name = "demo-app"\n[app]\nentry = "a:b"\n', "bare.toml")
    assert load_project(bare, "feature-42").stage == "feature-42"


def test_provider_option_problems_name_their_line_and_the_stage(tmp_path: Path) -> None:
    from faas.core.plugins import ProviderOptions

    class Options(ProviderOptions):
        region: str = "us-east-1"
        size: int = 1

    text = 'name = "demo-app"\n[app]\nentry = "a:b"\n[providers.acme]\nsize = "big"\n'
    text += "[stages.prod.providers.acme]\nregoin = 'x'\n"
    project = load_project(write(tmp_path, text), "prod")
    with pytest.raises(ConfigError) as caught:
        project.provider_options("acme", Options)
    assert [(problem.key, problem.line) for problem in caught.value.problems] == [
        ("providers.acme.size", 5),
        ("stages.prod.providers.acme.regoin", 7),
    ]


def test_an_option_from_the_command_line_is_taken_as_typed_and_blamed_on_the_flag(tmp_path: Path) -> None:
    from faas.core.config import CommandLineOption
    from faas.core.plugins import ProviderOptions

    class Options(ProviderOptions):
        python: str | None = None
        size: int = 1

    project = load_project(write(tmp_path, 'name = "demo-app"\n[app]\nentry = "a:b"\n'))

    def option(key: str, value: object, text: str) -> CommandLineOption:
        return CommandLineOption(key, value, text, flag=f"-O {key}={text}")

    typed = project.with_options("acme", [option("python", 3.1, "3.10"), option("size", 3, "3")])
    options = typed.provider_options("acme", Options)
    assert options.model_dump() == {"python": "3.10", "size": 3}
    wrong = project.with_options("acme", [option("size", "big", "big")])
    with pytest.raises(ConfigError) as caught:
        wrong.provider_options("acme", Options)
    assert str(caught.value) == (
        "-O size=big: providers.acme.size: Input should be a valid integer, unable to parse string as an integer"
    )
