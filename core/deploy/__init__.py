"""The deploy engine every provider plugs into: steps, the apply and undeploy loops, naming and tags
per cloud, the desired function spec and its diffs, rollback targets, and log polling.

A provider writes only its platform's steps and SDK calls; the loop that runs them, the error
mapping, the names, the ownership tags and the log cursor come from here (through `faas`).
"""

from __future__ import annotations

from faas.core.deploy.context import Deployment
from faas.core.deploy.desired import (
    FUNCTION_ENV,
    DesiredFunction,
    Detail,
    changed_variables,
    desired_functions,
    environment_diff,
    environment_size,
    field_diff,
    missing_secrets,
    secret_diff,
)
from faas.core.deploy.engine import ErrorTranslator, Step, apply_plan, step_name, translated, undeploy_plan
from faas.core.deploy.logs import LogCursor, LogEntry, poll_logs
from faas.core.deploy.naming import (
    APP,
    AZURE_FUNCTION_APP,
    AZURE_RESOURCE_GROUP,
    AZURE_STORAGE_ACCOUNT,
    CLOUD_FUNCTION,
    CLOUD_SCHEDULER_JOB,
    GCP_SERVICE_ACCOUNT,
    GCS_BUCKET,
    IAM_ROLE,
    LAMBDA_FUNCTION,
    S3_BUCKET,
    NameRule,
    Names,
    digest,
    fit,
)
from faas.core.deploy.rollback import Release, deploy_id_of, release_at, rollback_target, stamp
from faas.core.deploy.state import ApplyState, StateKey, new_deploy_id
from faas.core.deploy.storage import (
    STATIC_ROLE,
    StorageRole,
    storage_changes,
    storage_content_type,
    storage_environment,
    storage_files,
    storage_roles,
)
from faas.core.deploy.tags import APP_LABEL, AWS_TAGS, AZURE_TAGS, GCP_LABELS, TagFormat
from faas.core.deploy.waiting import wait_until

__all__ = [
    "APP",
    "APP_LABEL",
    "AWS_TAGS",
    "AZURE_FUNCTION_APP",
    "AZURE_RESOURCE_GROUP",
    "AZURE_STORAGE_ACCOUNT",
    "AZURE_TAGS",
    "CLOUD_FUNCTION",
    "CLOUD_SCHEDULER_JOB",
    "FUNCTION_ENV",
    "GCP_LABELS",
    "GCP_SERVICE_ACCOUNT",
    "GCS_BUCKET",
    "IAM_ROLE",
    "LAMBDA_FUNCTION",
    "S3_BUCKET",
    "STATIC_ROLE",
    "ApplyState",
    "Deployment",
    "DesiredFunction",
    "Detail",
    "ErrorTranslator",
    "LogCursor",
    "LogEntry",
    "NameRule",
    "Names",
    "Release",
    "StateKey",
    "Step",
    "StorageRole",
    "TagFormat",
    "apply_plan",
    "changed_variables",
    "deploy_id_of",
    "desired_functions",
    "digest",
    "environment_diff",
    "environment_size",
    "field_diff",
    "fit",
    "missing_secrets",
    "new_deploy_id",
    "poll_logs",
    "release_at",
    "rollback_target",
    "secret_diff",
    "stamp",
    "step_name",
    "storage_changes",
    "storage_content_type",
    "storage_environment",
    "storage_files",
    "storage_roles",
    "translated",
    "undeploy_plan",
    "wait_until",
]
