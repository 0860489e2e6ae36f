"""Ownership tags per cloud: written in each cloud's alphabet, read back to tell ours from look-alikes."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from faas import AWS_TAGS, AZURE_TAGS, GCP_LABELS, TagFormat

from .strategies import functions as function_names
from .strategies import projects, stages

functions = st.one_of(st.just(""), function_names)


@pytest.mark.parametrize(
    ("form", "keys"),
    [
        (AWS_TAGS, ("faas:project", "faas:stage", "faas:function")),
        (GCP_LABELS, ("faas-project", "faas-stage", "faas-function")),
        (AZURE_TAGS, ("faas-project", "faas-stage", "faas-function")),
    ],
)
def test_each_cloud_spells_the_ownership_tags_its_way(form: TagFormat, keys: tuple[str, ...]) -> None:
    tags = form.tags("pups", "dev", {"team": "web"}, function="")
    assert tags == {"team": "web", keys[0]: "pups", keys[1]: "dev", keys[2]: "app"}


@given(projects, stages, functions, st.sampled_from([AWS_TAGS, GCP_LABELS, AZURE_TAGS]))
def test_ownership_tags_are_valid_on_their_cloud_and_read_back(
    project: str, stage: str, function: str, form: TagFormat
) -> None:
    tags = form.tags(project, stage, function=function)
    for key, value in tags.items():
        assert len(key) <= form.key_limit and re.fullmatch(form.key_pattern, key)
        assert len(value) <= form.value_limit and re.fullmatch(form.value_pattern, value)
    assert form.owns(project, stage, tags)
    assert not form.owns(project, stage + "x", tags)
    assert not form.owns(project + "x", stage, tags)


def test_untagged_resources_are_not_ours() -> None:
    assert not AWS_TAGS.owns("pups", "dev", None)
    assert not GCP_LABELS.owns("pups", "dev", {})


def test_user_tags_are_checked_against_the_cloud() -> None:
    assert GCP_LABELS.problems({"Team": "web"}) == ["tag key 'Team' is not a valid GCP key (63 characters at most)"]
    assert GCP_LABELS.problems({"team": "Web Site"})[0].startswith("tag 'team' has a value that is not valid on GCP")
    assert AWS_TAGS.problems({"faas:stage": "x"}) == ["tag 'faas:stage' is reserved: faas writes it"]
    assert AZURE_TAGS.problems({"a/b": "x"}) != []
    assert AWS_TAGS.problems({"team": "Web Site"}) == []
