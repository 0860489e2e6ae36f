"""Names and tags of every AWS resource a project and stage own, derived from the config alone.

The rules (Lambda's 64 characters and its `_` separator, S3's global bucket names) and the
`faas:project` / `faas:stage` / `faas:function` tags come from the engine (`faas.Names`); this
adds the names only AWS has: log groups, the role, the alias, the API and the schedule rules.
"""

from __future__ import annotations

from faas import APP, AWS_TAGS, IAM_ROLE, LAMBDA_FUNCTION, S3_BUCKET, fit
from faas import Names as BaseNames

PROJECT_TAG = AWS_TAGS.project_key
STAGE_TAG = AWS_TAGS.stage_key
FUNCTION_TAG = AWS_TAGS.function_key

__all__ = ["APP", "FUNCTION_TAG", "PROJECT_TAG", "STAGE_TAG", "Names", "fit"]


class Names(BaseNames):
    """The names of one project and stage's AWS resources."""

    function_rule = LAMBDA_FUNCTION
    tag_format = AWS_TAGS

    def log_group(self, key: str) -> str:
        return f"/aws/lambda/{self.function(key)}"

    @property
    def role(self) -> str:
        return IAM_ROLE.fit(f"{self.prefix}-lambda")

    @property
    def alias(self) -> str:
        """The alias every trigger and front door points at; moved by deploy and rollback."""
        return "live"

    @property
    def api(self) -> str:
        return self.prefix

    def rule(self, function: str, index: int) -> str:
        # <prefix>-<function>-<n>: the adapter's dispatcher recognises this shape for schedules.
        return fit(f"{self.prefix}-{function}-{index}", 64)

    def bucket(self, role: str, account: str, region: str) -> str:
        """A globally unique bucket name: S3 names are shared by every account in the world."""
        return self.unique(role, f"{account}/{region}", S3_BUCKET)
