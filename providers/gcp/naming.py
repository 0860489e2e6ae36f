"""Names and labels of a project and stage's Google Cloud resources (rules and label format from core)."""

from __future__ import annotations

from dataclasses import dataclass

from faas import CLOUD_FUNCTION, CLOUD_SCHEDULER_JOB, GCP_LABELS, GCP_SERVICE_ACCOUNT, TriggerRef, default_trigger_name
from faas import Names as BaseNames

CODE_LABEL = "faas-code"
"""Label carrying the artifact's hash: a redeploy of the same code uploads nothing."""

DESCRIPTION_HEAD = "faas:"
"""How a description carrying ownership labels starts (resources without labels: jobs, accounts)."""


class Names(BaseNames):
    function_rule = CLOUD_FUNCTION
    tag_format = GCP_LABELS

    def job(self, function: str, index: int) -> str:
        """The Cloud Scheduler job id of `function`'s schedule number `index` (also its trigger name)."""
        return CLOUD_SCHEDULER_JOB.fit(f"{self.prefix}_{function}_{index}")

    @property
    def runtime_account(self) -> str:
        """The id of the stage's runtime service account (6-30 characters, `[a-z][-a-z0-9]*[a-z0-9]`)."""
        # A project name may start with a digit; an account id may not.
        head = f"{self.prefix}-run" if self.prefix[0].isalpha() else f"f-{self.prefix}-run"
        return GCP_SERVICE_ACCOUNT.fit(head, hash_of=f"{self.project}/{self.stage}/runtime")


@dataclass(frozen=True)
class TriggerNames:
    """A packaged trigger's name: a schedule's is its Cloud Scheduler job id (the job calls with
    `X-CloudScheduler-JobName`, which the adapter matches), any other the default. A value, so two
    targets of the same project compare equal (the local provider builds exactly what gcp builds)."""

    names: Names

    def __call__(self, ref: TriggerRef) -> str:
        return self.names.job(ref.function, ref.index) if ref.kind == "schedule" else default_trigger_name(ref)


def code_label(sha256: str) -> str:
    # Label values hold at most 63 characters; 32 hex digits of sha256 still never collide by chance.
    return sha256[:32]


def labels_description(labels: dict[str, str]) -> str:
    """`faas: faas-project=p faas-stage=s ...`: the labels of a resource whose API has none, in its description."""
    return DESCRIPTION_HEAD + " " + " ".join(f"{k}={v}" for k, v in sorted(labels.items()))


def description_labels(description: str) -> dict[str, str]:
    """The labels `labels_description` wrote, or {} for a description faas did not write."""
    if not description.startswith(DESCRIPTION_HEAD):
        return {}
    pairs = (part.partition("=") for part in description[len(DESCRIPTION_HEAD) :].split())
    return {key: value for key, sep, value in pairs if sep}
