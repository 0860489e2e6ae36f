"""Names of a project and stage's cloud resources, derived from the config alone, with each cloud's rules.

Deterministic names let a teammate or CI on another machine find the same deployment without a
state file. Every cloud restricts names differently (length, alphabet, case, global uniqueness), so
a name is made by a `NameRule`; the rules of the clouds faas targets are defined here, once.

Two promises hold for every rule, and tests/core/deploy/test_naming.py checks them by property:
- a name fits its rule (length and alphabet), whatever the project, stage and function names;
- the app of one stage never takes the name of a function of another stage. Project, stage and
  function names are `[a-z0-9-]` (core.model), so where a cloud allows one more character (Lambda:
  `_`), it separates the stage from the function and the names cannot meet. Where a cloud allows
  nothing more (Cloud Functions ids are `[a-z0-9-]`), a function's name ends with a hash of
  (project, stage, function), which an app name (`<project>-<stage>`) only carries if a stage is
  deliberately named after that hash; ownership labels then tell the two apart (`TagFormat.owns`).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Self

from faas.core.deploy.tags import AWS_TAGS, TagFormat

if TYPE_CHECKING:
    from faas.core.config import Project

APP = ""
"""The key of the web app among the deployment's functions (plain functions use their own names)."""


def digest(text: str, length: int) -> str:
    """The first `length` hex digits of sha256(text): short, stable, and spread evenly."""
    return hashlib.sha256(text.encode()).hexdigest()[:length]


def fit(name: str, limit: int, separator: str = "-") -> str:
    """`name` if it fits in `limit` characters, else its head plus a short hash (stays unique)."""
    if len(name) <= limit:
        return name
    tail = digest(name, 8)
    return name[: limit - len(tail) - 1].rstrip(separator + "_") + separator + tail


@dataclass(frozen=True)
class NameRule:
    """What one cloud allows in one kind of resource name.

    `allowed` is a regex character class of the characters allowed (after `lowercase`); anything
    else is dropped, and a name that lost characters (or length) gets a hash of the original so it
    stays unique. `separator` is a character the cloud allows but faas names never contain (None
    when there is none); `joiner` goes between a head and its hash ("" where punctuation is not
    allowed). `global_scope` says the name is shared by every customer of the cloud (S3 buckets,
    Azure storage accounts and sites): such names are made with `Names.unique`, hashed over the
    account or subscription.
    """

    kind: str
    limit: int
    allowed: str = "a-z0-9-"
    separator: str | None = None
    joiner: str = "-"
    lowercase: bool = False
    hash_length: int = 8
    global_scope: bool = False

    def clean(self, name: str) -> str:
        """`name` in the rule's case with disallowed characters dropped (and no leading/trailing joiner)."""
        text = name.lower() if self.lowercase else name
        text = re.sub(f"[^{self.allowed}]", "", text)
        return text.strip(self.joiner) if self.joiner else text

    def fit(self, name: str, *, hash_of: str | None = None) -> str:
        """`name` made valid: unchanged when it already is, else its clean head plus a hash of `hash_of`."""
        clean = self.clean(name)
        if clean == name and len(name) <= self.limit and hash_of is None:
            return name
        tail = digest(hash_of if hash_of is not None else name, self.hash_length)
        room = self.limit - len(tail) - len(self.joiner)
        head = clean[:room]
        if self.joiner:
            head = head.rstrip(self.joiner + "_")
        return f"{head}{self.joiner}{tail}" if head else tail

    def valid(self, name: str) -> bool:
        return 0 < len(name) <= self.limit and re.fullmatch(f"[{self.allowed}]+", name) is not None


# The rules of the clouds faas deploys to. Sources: each service's API reference (limits quoted).
# A too-long Lambda name keeps `_` before its hash: `<project>-<stage>_<function head>_<hash>`.
LAMBDA_FUNCTION = NameRule("Lambda function", 64, "A-Za-z0-9_-", separator="_", joiner="_")
IAM_ROLE = NameRule("IAM role", 64, "A-Za-z0-9+=,.@_-")
S3_BUCKET = NameRule("S3 bucket", 63, "a-z0-9-", lowercase=True, hash_length=10, global_scope=True)
# Cloud Functions (2nd gen) ids: lowercase letters, digits and hyphens, at most 63; the Cloud Run
# service takes the same name, so `_` (which it would turn into `-`) is no separator here.
CLOUD_FUNCTION = NameRule("Cloud Function", 63, "a-z0-9-", lowercase=True)
CLOUD_SCHEDULER_JOB = NameRule("Cloud Scheduler job", 500, "A-Za-z0-9_-", separator="_", joiner="_")
GCS_BUCKET = NameRule("Cloud Storage bucket", 63, "a-z0-9_-", lowercase=True, hash_length=10, global_scope=True)
GCP_SERVICE_ACCOUNT = NameRule("service account", 30, "a-z0-9-", lowercase=True)
# Azure: a function app is a site, `<name>.azurewebsites.net`, unique in the world (2-60,
# alphanumerics and hyphens); storage accounts are 3-24 lowercase letters and digits, also global.
AZURE_FUNCTION_APP = NameRule("function app", 60, "a-z0-9-", lowercase=True, hash_length=10, global_scope=True)
AZURE_STORAGE_ACCOUNT = NameRule(
    "storage account", 24, "a-z0-9", joiner="", lowercase=True, hash_length=10, global_scope=True
)
AZURE_RESOURCE_GROUP = NameRule("resource group", 90, "A-Za-z0-9._()-")


@dataclass(frozen=True)
class Names:
    """The names of one project and stage's resources. A provider subclasses it with its cloud's rules.

    `function_rule` names the functions (`function(key)`), `tag_format` writes and reads the
    ownership tags or labels (`tags()`, `owns()`).
    """

    project: str
    stage: str
    function_rule: ClassVar[NameRule] = CLOUD_FUNCTION
    tag_format: ClassVar[TagFormat] = AWS_TAGS

    @classmethod
    def of(cls, project: Project) -> Self:
        return cls(project.name, project.stage)

    @property
    def prefix(self) -> str:
        """`<project>-<stage>`: the head of every name, and the name of the app's function."""
        return f"{self.project}-{self.stage}"

    def function(self, key: str) -> str:
        """The name of function `key` (APP for the app) under `function_rule`; see the module docstring."""
        return self.function_name(key, self.function_rule)

    def function_name(self, key: str, rule: NameRule) -> str:
        if key == APP:
            return rule.fit(self.prefix)
        if rule.separator is not None:
            return rule.fit(f"{self.prefix}{rule.separator}{key}")
        return rule.fit(f"{self.prefix}-{key}", hash_of=f"{self.project}/{self.stage}/{key}")

    def unique(self, role: str, scope: str, rule: NameRule) -> str:
        """A name unique in the world for `role` (e.g. "artifacts"): readable head, hash of scope and role.

        `scope` is what makes it ours (the account and region, the subscription): the same project
        deployed by two customers gets two names, the same customer always gets the same one.
        """
        key = f"{scope}/{self.prefix}/{role}"
        tail = digest(key, rule.hash_length)
        room = rule.limit - len(tail) - len(rule.joiner)
        head = rule.clean(f"{self.prefix}-{role}")[:room]
        if rule.joiner:
            head = head.rstrip(rule.joiner)
        return f"{head}{rule.joiner}{tail}"

    def tags(self, extra: dict[str, str] | None = None, *, function: str | None = None) -> dict[str, str]:
        """The ownership tags (labels) of a resource, with `extra` user tags; `function` marks a function's."""
        return self.tag_format.tags(self.project, self.stage, extra, function=function)

    def owns(self, tags: dict[str, str] | None) -> bool:
        """Whether tags read back from the cloud say the resource is this project and stage's."""
        return self.tag_format.owns(self.project, self.stage, tags)
