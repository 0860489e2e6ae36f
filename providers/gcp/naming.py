"""Names and labels of a project and stage's Google Cloud resources (rules and label format from core)."""

from __future__ import annotations

from faas import CLOUD_FUNCTION, GCP_LABELS
from faas import Names as BaseNames

CODE_LABEL = "faas-code"
"""Label carrying the artifact's hash: a redeploy of the same code uploads nothing."""


class Names(BaseNames):
    function_rule = CLOUD_FUNCTION
    tag_format = GCP_LABELS


def code_label(sha256: str) -> str:
    # Label values hold at most 63 characters; 32 hex digits of sha256 still never collide by chance.
    return sha256[:32]
