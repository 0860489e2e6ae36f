"""Value conventions every importer shares, so each source tool's quirks are answered the same way.

Out-of-range values become the nearest valid one and the caller warns; environment values become the
strings the platform would hand the process; credential-looking values are named so they can move out.
"""

from __future__ import annotations

import json
import re
from typing import Any

from faas.core.model.base import ENTRY_PATTERN, NAME_PATTERN
from faas.core.model.project import ENV_NAME_PATTERN, FUNCTION_NAME_PATTERN, PYTHON_VERSIONS, STAGE_PATTERN

MEMORY_RANGE = (128, 10240)
TIMEOUT_RANGE = (1, 900)
QUEUE_BATCH_RANGE = (1, 10000)
# The retentions CloudWatch Logs accepts, in days: what Zappa, Serverless and Chalice configs may
# set (providers/aws/options.py validates providers.aws.log_retention_days with the same list).
RETENTION_DAYS = (
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
)

_PYTHON = re.compile(r"^(?:python)?\s*(\d+)\.(\d+)")
_URL_WITH_PASSWORD = re.compile(r"^[a-z][a-z0-9+.-]*://[^/:@\s]+:[^@\s/]+@", re.IGNORECASE)
_SECRET_NAME = re.compile(r"(SECRET|PASSWORD|PASSWD|PASS$|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIAL|AUTH)")
_SECRET_VALUE = re.compile(r"^(AKIA|ASIA)[0-9A-Z]{16}$|^sk_(live|test)_|^gh[pousr]_[A-Za-z0-9]{20,}|^xox[abp]-")
_REFERENCE = re.compile(r"^\$\{env:[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\}$")


def python_version(text: object) -> tuple[str, str | None]:
    """The faas `python` for a source runtime ("python3.8" -> "3.10" with a reason to warn)."""
    match = _PYTHON.match(str(text).strip().lower())
    if not match:
        return PYTHON_VERSIONS[-1], f"'{text}' is not a Python runtime; using {PYTHON_VERSIONS[-1]}"
    version = f"{match.group(1)}.{match.group(2)}"
    if version in PYTHON_VERSIONS:
        return version, None
    known = [tuple(int(part) for part in item.split(".")) for item in PYTHON_VERSIONS]
    wanted = (int(match.group(1)), int(match.group(2)))
    nearest = ".".join(map(str, min(known) if wanted < min(known) else max(known)))
    return (
        nearest,
        f"Python {version} is outside the supported {PYTHON_VERSIONS[0]}-{PYTHON_VERSIONS[-1]}; using {nearest}",
    )


def clamp(value: object, low_high: tuple[int, int], what: str) -> tuple[int | None, str | None]:
    """An integer setting forced into range; None when it is not a number at all."""
    try:
        number = int(str(value).strip())
    except ValueError:
        return None, f"{what} '{value}' is not a number"
    low, high = low_high
    if number < low or number > high:
        nearest = min(max(number, low), high)
        return nearest, f"{what} {number} is outside {low}-{high}; using {nearest}"
    return number, None


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def stage_name(name: str) -> str:
    """A stage name faas accepts (`^[a-z][a-z0-9-]{0,15}$`), as close to `name` as possible."""
    if STAGE_PATTERN.match(name):
        return name
    slug = _slug(name) or "stage"
    if not slug[0].isalpha():
        slug = f"s-{slug}"
    return slug[:16].rstrip("-")


def project_name(name: str) -> str:
    """A project name faas accepts (3-40 characters, lowercase, hyphens)."""
    if NAME_PATTERN.match(name):
        return name
    slug = _slug(name) or "app"
    if not slug[0].isalpha():
        slug = f"app-{slug}"
    if len(slug) < 3:
        slug = f"{slug}-app"
    return slug[:40].rstrip("-")


def function_name(name: str, taken: set[str]) -> str:
    """A unique function name faas accepts, derived from a Python or Lambda name."""
    # CamelCase logical ids (SAM, CloudFormation) read better with hyphens: ThumbnailFunction -> thumbnail-function.
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "-", name)
    slug = _slug(spaced.replace("_", "-")) or "function"
    if not slug[0].isalpha():
        slug = f"fn-{slug}"
    slug = slug[:40].rstrip("-")
    candidate, counter = slug, 2
    while candidate in taken or not FUNCTION_NAME_PATTERN.match(candidate):
        candidate = f"{slug[:36]}-{counter}"
        counter += 1
    taken.add(candidate)
    return candidate


def dotted_entry(dotted: str) -> str | None:
    """`pkg.mod.app` -> `pkg.mod:app` (Zappa and Chalice name callables with dots)."""
    text = dotted.strip().removesuffix(".py")
    module, dot, attribute = text.rpartition(".")
    entry = f"{module}:{attribute}" if dot else ""
    return entry if ENTRY_PATTERN.match(entry) else None


def path_entry(handler: str, code_root: str = "") -> str | None:
    """`dir/module.attr` (Serverless, SAM) -> `dir.module:attr`, relative to the project root."""
    text = handler.strip()
    folder, _, module_attr = text.rpartition("/")
    module, dot, attribute = module_attr.rpartition(".")
    if not dot:
        return None
    parts = [part for part in f"{code_root.strip('./')}/{folder}".replace("\\", "/").split("/") if part and part != "."]
    entry = ".".join([*parts, module]) + f":{attribute}"
    return entry if ENTRY_PATTERN.match(entry) else None


def env_string(value: Any) -> str:
    """The string the platform sets for a config value: YAML `false` -> "false", `5432` -> "5432"."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def valid_env_name(name: str) -> bool:
    return bool(ENV_NAME_PATTERN.match(name))


def credential_reason(name: str, value: str) -> str | None:
    """Why `name=value` looks like a credential written into the config, or None."""
    if not value or _REFERENCE.match(value):
        return None
    if _URL_WITH_PASSWORD.match(value):
        return f"{name} holds a URL with a password"
    if _SECRET_VALUE.match(value):
        return f"{name} holds what looks like an access key or token"
    if _SECRET_NAME.search(name.upper()) and len(value) >= 8 and "${" not in value:
        return f"{name} looks like a secret"
    return None


def credential_advice(name: str) -> str:
    return f'keep it out of faas.toml: set {name} = "${{env:{name}}}" and export {name} when deploying'
