"""Custom domain (stub until the domain step lands)."""

from __future__ import annotations

from faas.core.plan import Action
from faas.core.results import Resource
from faas.providers.aws.context import Deployment


def plan_domain(deployment: Deployment) -> list[Action]:
    return []


def custom_url(deployment: Deployment) -> str | None:
    return None


def resources(deployment: Deployment) -> list[Resource]:
    return []


def plan_domain_removal(deployment: Deployment) -> list[Action]:
    return []
