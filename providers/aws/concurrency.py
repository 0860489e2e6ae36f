"""`min_instances` and `max_instances` on Lambda: provisioned and reserved concurrency.

- `min_instances` is provisioned concurrency on the stage alias: that many execution environments
  are initialised ahead of traffic and kept warm. When a deploy moves the alias, Lambda prepares
  the new version's environments before the alias serves from them. They are billed while idle.
- `max_instances` is reserved concurrency on the function: at most that many run at once (and
  that many are set aside from the account's pool), e.g. to protect a database.

Removing a key removes the setting; undeploy deletes the function and both go with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from faas import Action, Change, Detail
from faas.providers.aws.context import ApplyState, Deployment
from faas.providers.aws.session import error_code, is_missing

# us-east-1 list prices of provisioned concurrency per GB-second (it is billed while idle too).
_PRICE_PER_GB_SECOND = {"x86_64": 0.0000041667, "arm64": 0.0000033334}
_SECONDS_PER_MONTH = 730 * 3600
_NOT_CONFIGURED = ("ProvisionedConcurrencyConfigNotFoundException",)


@dataclass(frozen=True)
class Wanted:
    """One function's desired concurrency (None: not set)."""

    function: str
    provisioned: int | None
    reserved: int | None
    memory: int


def plan_concurrency(deployment: Deployment, wanted: list[Wanted]) -> list[Action]:
    """Set, change or remove provisioned and reserved concurrency where they differ from the config."""
    client = deployment.session.client("lambda")
    actions: list[Action] = []
    for item in wanted:
        reserved, provisioned = _deployed(client, item.function, deployment.names.alias)
        details: list[Detail] = []
        if provisioned != item.provisioned:
            details.append(("warm instances (provisioned)", _shown(provisioned), _shown(item.provisioned)))
        if reserved != item.reserved:
            details.append(("max instances (reserved)", _shown(reserved), _shown(item.reserved)))
        if not details:
            continue
        change = Change.DELETE if item.provisioned is None and item.reserved is None else Change.UPDATE
        if provisioned is None and reserved is None:
            change = Change.CREATE
        step = ConcurrencyStep(
            item,
            provisioned_first=item.reserved is not None and (provisioned or 0) > item.reserved,
            set_provisioned=provisioned != item.provisioned,
            set_reserved=reserved != item.reserved,
        )
        actions.append(Action(change, "lambda concurrency", item.function, tuple(details), step))
    return actions


def cost_note(deployment: Deployment, wanted: list[Wanted]) -> str | None:
    """The plan's line on what the warm instances cost, or None without any."""
    gb_seconds = sum((item.provisioned or 0) * item.memory / 1024 * _SECONDS_PER_MONTH for item in wanted)
    if not gb_seconds:
        return None
    count = sum(item.provisioned or 0 for item in wanted)
    monthly = gb_seconds * _PRICE_PER_GB_SECOND[deployment.options.architecture]
    return (
        f"{count} warm instance(s) (provisioned concurrency) are billed while idle: about ${monthly:,.2f} a month "
        "at us-east-1 prices, plus their requests and duration"
    )


def _deployed(client: Any, function: str, alias: str) -> tuple[int | None, int | None]:
    try:
        reserved = client.get_function_concurrency(FunctionName=function).get("ReservedConcurrentExecutions")
    except Exception as error:
        if not is_missing(error):
            raise
        return None, None  # no function yet
    try:
        config = client.get_provisioned_concurrency_config(FunctionName=function, Qualifier=alias)
        provisioned = config.get("RequestedProvisionedConcurrentExecutions")
    except Exception as error:
        if not (is_missing(error) or error_code(error) in _NOT_CONFIGURED):
            raise
        provisioned = None
    return reserved, provisioned


def _shown(value: int | None) -> str:
    return "(none)" if value is None else str(value)


@dataclass(frozen=True)
class ConcurrencyStep:
    """Put or delete one function's reserved concurrency and its alias's provisioned concurrency."""

    wanted: Wanted
    provisioned_first: bool = field(kw_only=True)
    set_provisioned: bool = field(kw_only=True)
    set_reserved: bool = field(kw_only=True)

    def run(self, deployment: Deployment, state: ApplyState) -> None:
        client = deployment.session.client("lambda")
        # Provisioned concurrency may not exceed reserved: lower it first when reserved goes below it.
        order = [self._provisioned, self._reserved] if self.provisioned_first else [self._reserved, self._provisioned]
        for put in order:
            put(client, deployment.names.alias)

    def _reserved(self, client: Any, alias: str) -> None:
        if not self.set_reserved:
            return
        name, count = self.wanted.function, self.wanted.reserved
        if count is None:
            client.delete_function_concurrency(FunctionName=name)
        else:
            client.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=count)

    def _provisioned(self, client: Any, alias: str) -> None:
        if not self.set_provisioned:
            return
        name, count = self.wanted.function, self.wanted.provisioned
        if count is not None:
            client.put_provisioned_concurrency_config(
                FunctionName=name, Qualifier=alias, ProvisionedConcurrentExecutions=count
            )
            return
        try:
            client.delete_provisioned_concurrency_config(FunctionName=name, Qualifier=alias)
        except Exception as error:
            if not (is_missing(error) or error_code(error) in _NOT_CONFIGURED):
                raise
