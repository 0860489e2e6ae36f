"""The one apply loop and the one undeploy loop every provider's plan runs through.

A provider's `plan()` returns `Action`s whose payload is a `Step`. Apply says each step, runs it,
and turns an SDK error into `DeployError(step, one line)` with secrets redacted, through the
provider's `ErrorTranslator`; the failed step is named, and the next plan resumes from what is
still missing. Undeploy is the same loop, except that "already gone" is success: a second undeploy
(or a teammate's, running at the same time) converges too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, runtime_checkable

from faas.core.deploy.state import ApplyState
from faas.core.errors import DeployError, FaasError

if TYPE_CHECKING:
    from faas.core.deploy.context import Deployment
    from faas.core.plan import Action, Plan

ContextT_contra = TypeVar("ContextT_contra", contravariant=True)


@runtime_checkable
class Step(Protocol[ContextT_contra]):
    """The payload of an `Action`: carries it out against the provider's deployment.

    Raise the SDK's own errors (the loop names the step and translates them) or a `FaasError`
    (passed through as it is). A step must converge: running it after a partial earlier run
    finishes the job instead of failing on what that run left.
    """

    def run(self, deployment: ContextT_contra, state: ApplyState) -> None: ...


def _never_missing(error: BaseException) -> bool:
    return False


@dataclass(frozen=True)
class ErrorTranslator:
    """How one provider's SDK errors become a line for the user.

    `catches` are the SDK's exception classes (anything else is a bug and keeps its traceback);
    `describe` makes one line of one (code and message, no request ids or stack); `is_missing` says
    whether it means "no such resource", which undeploy treats as done.
    """

    catches: tuple[type[BaseException], ...]
    describe: Callable[[BaseException], str] = field(default=lambda error: str(error) or type(error).__name__)
    is_missing: Callable[[BaseException], bool] = _never_missing


def step_name(action: Action[Any]) -> str:
    """How progress and errors name an action: `create lambda function pups-dev`."""
    return f"{action.change.value} {action.resource} {action.name}"


@contextmanager
def translated(deployment: Deployment[Any, Any], step: str, errors: ErrorTranslator) -> Iterator[None]:
    """Turn an SDK error raised inside the block into `DeployError(step, ...)` (for plan's reads)."""
    try:
        yield
    except FaasError:
        raise
    except errors.catches as error:
        raise DeployError(step, deployment.redact(errors.describe(error))) from None


def apply_plan(
    deployment: Deployment[Any, Any], plan: Plan, errors: ErrorTranslator, state: ApplyState | None = None
) -> ApplyState:
    """Run the plan's steps in order; returns what they learned. A failure names its step."""
    state = state if state is not None else ApplyState()
    for action in plan.actions:
        _run(deployment, action, state, errors, missing_is_done=False)
    return state


def undeploy_plan(deployment: Deployment[Any, Any], plan: Plan, errors: ErrorTranslator) -> ApplyState:
    """Run an undeploy plan's steps in order; a resource already gone counts as deleted."""
    state = ApplyState(deploy_id="undeploy")
    for action in plan.actions:
        _run(deployment, action, state, errors, missing_is_done=True)
    return state


def _run(
    deployment: Deployment[Any, Any],
    action: Action[Any],
    state: ApplyState,
    errors: ErrorTranslator,
    *,
    missing_is_done: bool,
) -> None:
    name = step_name(action)
    deployment.say(name)
    step = action.payload
    if not isinstance(step, Step):
        raise DeployError(name, "the plan has no step for this action (a provider bug)")
    try:
        step.run(deployment, state)
    except FaasError:
        raise
    except errors.catches as error:
        if missing_is_done and errors.is_missing(error):
            return
        raise DeployError(name, deployment.redact(errors.describe(error))) from None
