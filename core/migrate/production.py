"""Private networks, concurrency and secret-store references: the production keys every importer maps.

Each source spells them its own way (Zappa `vpc_config`, SAM `VpcConfig`, Serverless `vpc`,
Chalice `subnet_ids`); they all land on `providers.aws.vpc`, `max_instances` (reserved
concurrency), `min_instances` (provisioned concurrency) and `${secret:NAME}`. Only literal values
map: an intrinsic or a deploy-time variable cannot be resolved offline, so it stays a warning that
names the key rather than a guess.
"""

from __future__ import annotations

import re
from typing import Any

from faas.adapters.contract import SECRET_REFERENCE_PATTERN
from faas.core.migrate.common import is_placeholder
from faas.core.migrate.report import Report

# The same shapes providers/aws/options.py accepts; checked here so a written faas.toml validates.
_SUBNET = re.compile(r"^subnet-[0-9a-f]{8,17}$")
_SECURITY_GROUP = re.compile(r"^sg-[0-9a-f]{8,17}$")
_SECRET_NAME = re.compile(SECRET_REFERENCE_PATTERN.removeprefix(r"^\$\{secret:").removesuffix(r"\}$") + "$")
_MAX_INSTANCES = 100_000


def vpc(report: Report, key: str, subnets: object, groups: object, *, stage: str | None) -> dict[str, list[str]] | None:
    """`providers.aws.vpc` from literal subnet and security group ids, or None after a warning."""
    target = "providers.aws.vpc"
    found: dict[str, list[str]] = {}
    for field, value, pattern, kind, example in (
        ("subnets", subnets, _SUBNET, "subnet", "subnet-0abc1234"),
        ("security_groups", groups, _SECURITY_GROUP, "security group", "sg-0abc1234"),
    ):
        items = value if isinstance(value, list) else [value]
        if value is None or not items:
            report.warn(
                key, f"no {kind} ids: Lambda needs both subnets and security groups; not written", target, stage=stage
            )
            return None
        bad = [item for item in items if not isinstance(item, str) or not pattern.match(item)]
        if bad:
            shown = ", ".join(str(item) for item in bad)
            report.warn(
                key,
                f"{shown}: not a literal {kind} id ({example}), or an intrinsic or variable faas cannot "
                f"resolve offline: set {target}.{field} by hand; without it the functions run outside the VPC",
                target,
                stage=stage,
            )
            return None
        found[field] = sorted(set(str(item) for item in items))
    report.mapped(key, target, "the functions attach to these subnets and security groups", stage=stage)
    return found


def instances(report: Report, key: str, value: object, target: str, *, what: str, stage: str | None) -> int | None:
    """A reserved or provisioned concurrency as `max_instances` / `min_instances`, or None after a warning."""
    low = 1 if target.endswith("max_instances") else 0
    number = value if isinstance(value, int) and not isinstance(value, bool) else None
    if isinstance(value, str) and value.isdigit():
        number = int(value)
    if number is None or not low <= number <= _MAX_INSTANCES:
        reason = (
            "reserved concurrency 0 stops every invocation; faas has no such switch: not written"
            if number == 0
            else f"{value!r} is not a literal count ({low}..{_MAX_INSTANCES}); set {target} by hand"
        )
        report.warn(key, reason, target, stage=stage)
        return None
    report.mapped(key, target, what, stage=stage)
    return number


_DYNAMIC = re.compile(r"^\{\{resolve:(?P<service>secretsmanager|ssm|ssm-secure):(?P<rest>[^{}]+)\}\}$")


def dynamic_reference(value: str) -> tuple[str, str | None, str] | None:
    """(store, `${secret:NAME}` or None, reason) for a CloudFormation `{{resolve:...}}`; None for other text."""
    match = _DYNAMIC.match(value)
    if match is None:
        return None
    service, rest = match.group("service"), match.group("rest")
    kind = "secretsmanager" if service == "secretsmanager" else "ssm"
    if kind == "secretsmanager":
        if rest.startswith("arn:"):
            return (
                kind,
                None,
                (
                    "a Secrets Manager ARN (its name ends in a random suffix AWS adds): "
                    'use "${secret:NAME}" with the secret\'s name; left as written'
                ),
            )
        name, _, selector = rest.partition(":")
        # SecretString alone is the whole secret; a JSON key or a version picks part of it or an old one.
        if selector not in ("", "SecretString", "SecretString:", "SecretString::", "SecretString:::"):
            return (
                kind,
                None,
                (
                    f"picks a JSON key or a version of the secret {name} ({selector}); ${{secret:NAME}} is a whole "
                    "secret's current value: store that part as a secret of its own; left as written"
                ),
            )
    else:
        name, _, version = rest.partition(":")
        if version:
            return kind, None, f"pins version {version} of the SSM parameter {name}; ${{secret:NAME}} reads the latest"
    reference, reason = secret_reference(kind, name)
    return kind, reference, reason


def secret_reference(kind: str, name: str) -> tuple[str | None, str]:
    """(`${secret:NAME}` or None, the reason) for a Secrets Manager or SSM reference to `name`."""
    store = "Secrets Manager secret" if kind == "secretsmanager" else "SSM parameter"
    if not _SECRET_NAME.match(name):
        return None, (
            f"the {store} '{name}' has a name ${{secret:NAME}} cannot hold (letters, digits, _ and -, starting "
            "with a letter): copy it to such a name (`faas secrets set NAME --provider aws`) and use "
            '"${secret:NAME}"; left as written'
        )
    note = "read by the function when it starts, never written into the config" + (
        "; providers.aws.secrets = ssm (SecureString parameters)" if kind == "ssm" else ""
    )
    return f"${{secret:{name}}}", f"the {store} {name}: {note}"


def secret_store(report: Report, kinds: dict[str, str], aws: dict[str, Any], *, stage: str | None) -> None:
    """Set `providers.aws.secrets` to the one store the mapped references use; warn when they mix."""
    used = set(kinds.values())
    if used == {"ssm"}:
        aws["secrets"] = "ssm"
    elif len(used) > 1:
        for key, kind in kinds.items():
            if kind == "ssm":
                report.warn(
                    key,
                    "references both Secrets Manager and SSM: faas reads one store per project "
                    "(providers.aws.secrets); this one is an SSM parameter, move it to Secrets Manager",
                    stage=stage,
                )


def placeholder(value: object) -> bool:
    """A value a loader left unresolved (an intrinsic, a variable token)."""
    return isinstance(value, str) and (is_placeholder(value) or "\x00REF" in value)
