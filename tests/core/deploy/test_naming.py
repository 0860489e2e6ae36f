"""Names fit each cloud's rules and never collide across stages, whatever the project names are."""

from __future__ import annotations

import hashlib
import re

from hypothesis import given
from hypothesis import strategies as st

from faas import (
    APP,
    AZURE_FUNCTION_APP,
    AZURE_STORAGE_ACCOUNT,
    CLOUD_FUNCTION,
    GCS_BUCKET,
    LAMBDA_FUNCTION,
    S3_BUCKET,
    NameRule,
    Names,
)

from .strategies import functions, projects, stages

FUNCTION_RULES = [LAMBDA_FUNCTION, CLOUD_FUNCTION]
GLOBAL_RULES = [S3_BUCKET, GCS_BUCKET, AZURE_FUNCTION_APP, AZURE_STORAGE_ACCOUNT]


def names_with(rule: NameRule, project: str, stage: str) -> Names:
    kind = type("RuleNames", (Names,), {"function_rule": rule})
    return kind(project, stage)  # type: ignore[no-any-return]


@given(projects, stages, functions, st.sampled_from(FUNCTION_RULES))
def test_function_names_fit_the_rule(project: str, stage: str, function: str, rule: NameRule) -> None:
    names = names_with(rule, project, stage)
    for key in (APP, function):
        assert rule.valid(names.function(key)), names.function(key)


@given(projects, stages, stages, functions, st.sampled_from(FUNCTION_RULES))
def test_the_app_of_one_stage_never_takes_the_name_of_a_function_of_another(
    project: str, stage: str, other: str, function: str, rule: NameRule
) -> None:
    assert names_with(rule, project, stage).function(APP) != names_with(rule, project, other).function(function)


def test_the_classic_collision_is_avoided_on_every_cloud() -> None:
    # Stage `a-b`'s app and stage `a`'s function `b` would both be `p-a-b` with a plain hyphen.
    for rule in FUNCTION_RULES:
        assert names_with(rule, "pups", "a-b").function(APP) != names_with(rule, "pups", "a").function("b")


@given(projects, stages, functions, functions)
def test_distinct_functions_get_distinct_names(project: str, stage: str, one: str, two: str) -> None:
    for rule in FUNCTION_RULES:
        names = names_with(rule, project, stage)
        assert (names.function(one) == names.function(two)) == (one == two)


@given(projects, stages, st.sampled_from(["artifacts", "static", "media"]), st.sampled_from(GLOBAL_RULES))
def test_globally_unique_names_fit_and_depend_on_the_scope(project: str, stage: str, role: str, rule: NameRule) -> None:
    names = Names(project, stage)
    mine = names.unique(role, "account-1/eu-west-1", rule)
    assert rule.valid(mine), mine
    assert mine == names.unique(role, "account-1/eu-west-1", rule), "deterministic: a teammate finds it"
    assert mine != names.unique(role, "account-2/eu-west-1", rule), "another customer gets another name"


def test_azure_storage_accounts_are_short_lowercase_alphanumerics() -> None:
    name = Names("my-very-long-project-name", "production").unique("host", "subscription", AZURE_STORAGE_ACCOUNT)
    assert re.fullmatch(r"[a-z0-9]{3,24}", name), name


def _legacy_fit(name: str, limit: int, separator: str = "-") -> str:
    # providers/aws/naming.py before the engine: the oracle existing deployments were named by.
    if len(name) <= limit:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    return name[: limit - len(digest) - 1].rstrip(separator + "_") + separator + digest


@given(projects, stages, functions)
def test_aws_names_are_unchanged(project: str, stage: str, function: str) -> None:
    # Existing deployments are found by these exact names: the rules must reproduce them byte for byte.
    from faas.providers.aws.naming import Names as AwsNames

    names = AwsNames(project, stage)
    prefix = f"{project}-{stage}"
    assert names.function(APP) == prefix
    assert names.function(function) == _legacy_fit(f"{prefix}_{function}", 64, "_")
    assert names.role == _legacy_fit(f"{prefix}-lambda", 64)
    digest = hashlib.sha256(f"123456789012/eu-west-1/{prefix}/artifacts".encode()).hexdigest()[:10]
    head = f"{prefix}-artifacts"[: 63 - 11].rstrip("-")
    assert names.bucket("artifacts", "123456789012", "eu-west-1") == f"{head}-{digest}"
