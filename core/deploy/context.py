"""The deployment every step runs against: one project and stage on one platform, with its names.

A provider subclasses `Deployment` with what its SDK calls need (a session, a credential, the
account), and its steps receive that subclass. What every platform needs is here once: the
project, validated options, names and tags, the function keys in order, and progress that never
shows a secret.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

from faas.core.deploy.naming import APP, Names

if TYPE_CHECKING:
    from faas.core.config import Project
    from faas.core.reporting import Reporter

OptionsT = TypeVar("OptionsT")
NamesT = TypeVar("NamesT", bound=Names)


@dataclass
class Deployment(Generic[OptionsT, NamesT]):
    """One project and stage on one platform: what every planning and applying step shares."""

    project: Project
    options: OptionsT
    reporter: Reporter
    names: NamesT

    @property
    def function_keys(self) -> list[str]:
        """The app (APP) first, then the plain functions, in config order."""
        config = self.project.config
        return ([APP] if config.app is not None else []) + [function.name for function in config.functions]

    @property
    def primary(self) -> str:
        """The function whose version stands for the deployment: the app, else the first function."""
        return self.function_keys[0]

    def user_tags(self) -> dict[str, str]:
        """The user's own tags for every resource (from the provider's options); none by default."""
        return {}

    def tags(self, key: str | None = None) -> dict[str, str]:
        """Ownership tags plus the user's; with `key`, also the function tag of that function."""
        return self.names.tags(self.user_tags(), function=key)

    def say(self, message: str) -> None:
        """Report progress; secrets from `${env:...}` are redacted."""
        self.reporter.info(self.project.redact(message))

    def redact(self, text: str) -> str:
        return self.project.redact(text)
