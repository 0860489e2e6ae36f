"""The one apply loop and the one undeploy loop: progress, redaction, error translation, "already gone".

The steps here are a tiny platform of our own (files in a folder) raising its own SDK-like error,
which is what every provider hands the engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from faas import (
    Action,
    ApplyState,
    Change,
    DeployError,
    Deployment,
    ErrorTranslator,
    Names,
    Plan,
    Project,
    StateKey,
    UsageError,
    apply_plan,
    load_project,
    translated,
    undeploy_plan,
)


class FolderError(Exception):
    """The toy platform's SDK error."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message} (request id 1234)")
        self.code = code
        self.message = message


ERRORS = ErrorTranslator(
    catches=(FolderError,),
    describe=lambda error: f"{error.code}: {error.message}" if isinstance(error, FolderError) else str(error),
    is_missing=lambda error: isinstance(error, FolderError) and error.code == "NotFound",
)
CREATED = StateKey[Path]("created file")


class Recorder:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def info(self, message: str) -> None:
        self.lines.append(message)

    def warning(self, message: str) -> None:
        self.lines.append("warning: " + message)

    def progress(self, description: str, total: int | None = None):  # type: ignore[no-untyped-def]
        raise NotImplementedError


@dataclass
class FolderDeployment(Deployment[None, Names]):
    root: Path


@dataclass(frozen=True)
class WriteStep:
    name: str
    fail: str | None = None

    def run(self, deployment: FolderDeployment, state: ApplyState) -> None:
        if self.fail:
            raise FolderError("Denied", self.fail)
        path = deployment.root / self.name
        path.write_text(state.deploy_id)
        state.learn(CREATED, path)


@dataclass(frozen=True)
class ReadBackStep:
    def run(self, deployment: FolderDeployment, state: ApplyState) -> None:
        state.outputs["read"] = state.require(CREATED).name


@dataclass(frozen=True)
class DeleteStep:
    name: str

    def run(self, deployment: FolderDeployment, state: ApplyState) -> None:
        path = deployment.root / self.name
        if not path.exists():
            raise FolderError("NotFound", f"no {self.name}")
        path.unlink()


@dataclass(frozen=True)
class RefuseStep:
    def run(self, deployment: FolderDeployment, state: ApplyState) -> None:
        raise UsageError("a user mistake, already worded for the user")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    monkeypatch.setenv("API_TOKEN", "s3cr3t-value")
    (tmp_path / "faas.toml").write_text(
        'name = "pups"\n[app]\nentry = "app:application"\nenvironment = { TOKEN = "${env:API_TOKEN}" }\n'
    )
    return load_project(tmp_path / "faas.toml", "dev")


@pytest.fixture
def deployment(project: Project, tmp_path: Path) -> FolderDeployment:
    root = tmp_path / "cloud"
    root.mkdir()
    return FolderDeployment(project, None, Recorder(), Names.of(project), root)


def plan_of(*actions: Action) -> Plan:
    return Plan("folder", "dev", actions)


def test_apply_says_each_step_and_hands_facts_to_later_steps(deployment: FolderDeployment) -> None:
    plan = plan_of(
        Action(Change.CREATE, "file", "a", payload=WriteStep("a")),
        Action(Change.UPDATE, "file", "a", payload=ReadBackStep()),
    )
    state = apply_plan(deployment, plan, ERRORS)
    assert deployment.reporter.lines == ["create file a", "update file a"]  # type: ignore[attr-defined]
    assert state.outputs == {"read": "a"}
    assert (deployment.root / "a").read_text() == state.deploy_id


def test_a_failed_step_is_named_with_one_redacted_line(deployment: FolderDeployment) -> None:
    plan = plan_of(
        Action(Change.CREATE, "file", "a", payload=WriteStep("a")),
        Action(Change.CREATE, "file", "b", payload=WriteStep("b", fail="token s3cr3t-value refused")),
        Action(Change.CREATE, "file", "c", payload=WriteStep("c")),
    )
    with pytest.raises(DeployError) as raised:
        apply_plan(deployment, plan, ERRORS)
    assert str(raised.value) == "create file b failed: Denied: token *** refused"
    assert "request id" not in str(raised.value)
    assert (deployment.root / "a").exists() and not (deployment.root / "c").exists()


def test_faas_errors_pass_through_and_other_errors_keep_their_traceback(deployment: FolderDeployment) -> None:
    with pytest.raises(UsageError, match="already worded"):
        apply_plan(deployment, plan_of(Action(Change.CREATE, "x", "y", payload=RefuseStep())), ERRORS)
    with pytest.raises(LookupError, match="no created file was learned"):
        apply_plan(deployment, plan_of(Action(Change.UPDATE, "file", "a", payload=ReadBackStep())), ERRORS)


def test_an_action_without_a_step_is_a_provider_bug_named_as_such(deployment: FolderDeployment) -> None:
    with pytest.raises(DeployError, match="create file a failed: the plan has no step"):
        apply_plan(deployment, plan_of(Action(Change.CREATE, "file", "a")), ERRORS)


def test_undeploy_twice_converges_because_already_gone_is_done(deployment: FolderDeployment) -> None:
    (deployment.root / "a").write_text("")
    plan = plan_of(Action(Change.DELETE, "file", "a", payload=DeleteStep("a")))
    undeploy_plan(deployment, plan, ERRORS)
    undeploy_plan(deployment, plan, ERRORS)  # NotFound now: ignored
    assert not (deployment.root / "a").exists()
    with pytest.raises(FolderError):
        # The same error during a deploy is a failure: only undeploy treats "gone" as done.
        apply_plan(deployment, plan, ErrorTranslator(catches=()))
    with pytest.raises(DeployError, match="delete file a failed: NotFound: no a"):
        apply_plan(deployment, plan, ERRORS)


def test_undeploy_still_fails_on_other_errors(deployment: FolderDeployment) -> None:
    plan = plan_of(Action(Change.DELETE, "file", "b", payload=WriteStep("b", fail="no s3cr3t-value")))
    with pytest.raises(DeployError, match=r"delete file b failed: Denied: no \*\*\*$"):
        undeploy_plan(deployment, plan, ERRORS)


def test_plan_reads_are_translated_too(deployment: FolderDeployment) -> None:
    with (
        pytest.raises(DeployError, match=r"^plan failed: Denied: listing \*\*\*$"),
        translated(deployment, "plan", ERRORS),
    ):
        raise FolderError("Denied", "listing s3cr3t-value")


def test_progress_never_shows_a_secret(deployment: FolderDeployment) -> None:
    apply_plan(deployment, plan_of(Action(Change.CREATE, "file", "s3cr3t-value", payload=WriteStep("x"))), ERRORS)
    assert deployment.reporter.lines == ["create file ***"]  # type: ignore[attr-defined]


def test_deployment_lists_functions_app_first_and_tags_them(deployment: FolderDeployment) -> None:
    assert deployment.function_keys == [""]
    assert deployment.primary == ""
    assert deployment.tags("") == {"faas:project": "pups", "faas:stage": "dev", "faas:function": "app"}
