"""The base every configuration model shares: unknown keys are errors, values are immutable."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict

# `module:attribute`, or `module:factory()`: an app factory called with no argument at cold start,
# as gunicorn and `flask --app` accept it.
ENTRY_PATTERN = re.compile(r"^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*:[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*(\(\))?$")
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9-]{1,38}[a-z0-9]$")


class FaasModel(BaseModel):
    """Strict base: a typo in a key is an error, and a validated config cannot change under a deploy."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _check_entry(value: str) -> str:
    if not ENTRY_PATTERN.match(value):
        raise ValueError(
            f"'{value}' is not an entry point; write module:attribute, e.g. mysite.wsgi:application, "
            "or module:factory() for an app factory called with no argument, e.g. flaskr:create_app()"
        )
    return value


def _check_name(value: str) -> str:
    if not NAME_PATTERN.match(value):
        raise ValueError(
            f"'{value}' is not a usable resource name: 3-40 characters, lowercase letters, digits and "
            "hyphens, starting with a letter (clouds put it into bucket, function and role names)"
        )
    return value


Entry = Annotated[str, AfterValidator(_check_entry)]
ResourceName = Annotated[str, AfterValidator(_check_name)]
