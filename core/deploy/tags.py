"""Ownership tags (labels on GCP) per cloud: what marks a resource as one project and stage's.

Tags tell ours apart from look-alikes with the same name, and find resources whose config entry was
removed. Each cloud spells them its own way:
- AWS tags: `faas:project`, `faas:stage`, `faas:function` (keys up to 128, values up to 256);
- GCP labels: `faas-project`, `faas-stage`, `faas-function`; keys and values only `[a-z0-9_-]`,
  at most 63 characters, keys starting with a letter;
- Azure tags: `faas-project`, `faas-stage`, `faas-function` (names up to 512, no `<>%&\\?/`,
  values up to 256).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

APP_LABEL = "app"
"""The `function` tag value of the web app (plain functions carry their own name)."""


@dataclass(frozen=True)
class TagFormat:
    """How one cloud writes ownership tags, and which user tags it accepts."""

    cloud: str
    project_key: str
    stage_key: str
    function_key: str
    key_limit: int
    value_limit: int
    key_pattern: str
    value_pattern: str

    @property
    def reserved(self) -> frozenset[str]:
        """The keys faas writes itself; a user tag may not take them."""
        return frozenset({self.project_key, self.stage_key, self.function_key})

    def tags(
        self, project: str, stage: str, extra: dict[str, str] | None = None, *, function: str | None = None
    ) -> dict[str, str]:
        """User tags `extra`, then the ownership tags (which win); `function` is a function's key."""
        tags = {**(extra or {}), self.project_key: project, self.stage_key: stage}
        if function is not None:
            tags[self.function_key] = function or APP_LABEL
        return tags

    def owns(self, project: str, stage: str, tags: dict[str, str] | None) -> bool:
        """Whether `tags` read back from the cloud mark the resource as this project and stage's."""
        return bool(tags) and tags.get(self.project_key) == project and tags.get(self.stage_key) == stage  # type: ignore[union-attr]

    def problems(self, tags: dict[str, str]) -> list[str]:
        """Why user `tags` cannot be written on this cloud (empty when they can), one line each."""
        found = []
        for key, value in tags.items():
            if key in self.reserved:
                found.append(f"tag '{key}' is reserved: faas writes it")
            elif len(key) > self.key_limit or not re.fullmatch(self.key_pattern, key):
                found.append(f"tag key '{key}' is not a valid {self.cloud} key ({self.key_limit} characters at most)")
            elif len(value) > self.value_limit or not re.fullmatch(self.value_pattern, value):
                found.append(
                    f"tag '{key}' has a value that is not valid on {self.cloud} ({self.value_limit} characters at most)"
                )
        return found


AWS_TAGS = TagFormat(
    cloud="AWS",
    project_key="faas:project",
    stage_key="faas:stage",
    function_key="faas:function",
    key_limit=128,
    value_limit=256,
    key_pattern=r"(?!aws:)[\w .:/=+@-]+",
    value_pattern=r"[\w .:/=+@-]*",
)
GCP_LABELS = TagFormat(
    cloud="GCP",
    project_key="faas-project",
    stage_key="faas-stage",
    function_key="faas-function",
    key_limit=63,
    value_limit=63,
    key_pattern=r"[a-z][a-z0-9_-]*",
    value_pattern=r"[a-z0-9_-]*",
)
AZURE_TAGS = TagFormat(
    cloud="Azure",
    project_key="faas-project",
    stage_key="faas-stage",
    function_key="faas-function",
    key_limit=512,
    value_limit=256,
    key_pattern=r"[^<>%&\\?/]+",
    value_pattern=r".*",
)
