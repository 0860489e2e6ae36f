"""The local provider's secret store: the values behind `${secret:NAME}`, outside every project.

`faas secrets set NAME` (value from stdin) writes one JSON file per project and stage under the
user data dir (FAAS_SECRETS_DIR overrides it), 0600 in 0700 folders. Nothing of it is under the
project: not the artifact, the stage dir's deployment.json (which keeps the reference as
written) or the logs. The supervisor reads the file each time it starts a worker and puts the
values into that worker's environment only, as the clouds resolve a secret when an instance
starts: a new value reaches the instances started after `faas secrets set`.

<data dir>/secrets/<project>/<stage>.json   {"NAME": "value", ...}
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from faas import ConfigError, Project, UsageError, secret_references

STORE_ENV = "FAAS_SECRETS_DIR"


def store_root() -> Path:
    """FAAS_SECRETS_DIR, else `<user data dir of faas>/secrets`."""
    explicit = os.environ.get(STORE_ENV)
    if explicit:
        return Path(explicit).expanduser().resolve()
    import platformdirs

    return Path(platformdirs.user_data_dir("faas")).resolve() / "secrets"


def store_path(project: Project) -> Path:
    """The store file of the project's stage; refused when it would sit inside the project."""
    path = store_root() / project.name / f"{project.stage}.json"
    if path.is_relative_to(project.root):
        raise ConfigError(
            f"the local secret store {path} is inside the project {project.root}: point {STORE_ENV} "
            "somewhere else, so no secret value lands in the project's files"
        )
    return path


def read_store(path: Path) -> dict[str, str]:
    """The stored values ({} where nothing was set yet)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        raise UsageError(f"cannot read the local secret store {path}: {error}") from None
    return {str(name): str(value) for name, value in data.items()} if isinstance(data, dict) else {}


def set_secret(path: Path, name: str, value: str) -> None:
    """Store `value` under `name`, atomically, readable by the owner only."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    for folder in (path.parent, path.parent.parent):
        os.chmod(folder, 0o700)
    values = {**read_store(path), name: value}
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # created 0600
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump(values, handle, indent=2, sort_keys=True)
    os.replace(temporary, path)


def missing_secrets(environment: Mapping[str, str], path: Path) -> list[str]:
    """The secret names `environment` references that the store has no value for."""
    stored = read_store(path)
    return sorted({name for name in secret_references(environment).values() if name not in stored})


def require_secrets(project: Project, environment: Mapping[str, str]) -> None:
    """Refuse a deploy whose references have no stored value, naming the command that stores one."""
    absent = missing_secrets(environment, store_path(project))
    if absent:
        commands = "; ".join(f"faas secrets set {name} --provider local --stage {project.stage}" for name in absent)
        raise ConfigError(f"no local value for secret {', '.join(absent)}: store it with `{commands}` (reads stdin)")


def resolved(environment: Mapping[str, str], path: str) -> dict[str, str]:
    """`environment` with each `${secret:NAME}` value replaced by the stored one (a worker's start)."""
    references = secret_references(environment)
    if not references:
        return dict(environment)
    stored = read_store(Path(path)) if path else {}
    absent = sorted({name for name in references.values() if name not in stored})
    if absent:
        raise UsageError(f"no local value for secret {', '.join(absent)}: run `faas secrets set NAME --provider local`")
    return {**environment, **{variable: stored[name] for variable, name in references.items()}}
