"""The build cache: resolutions, downloaded wheels and installed dependency trees.

Layout under `cache_root()`:
- `resolve/<key>.json`: the resolution of one declaration for one target (key: declaration + target;
  a declaration with version ranges expires after a day, a pinned or locked one never);
- `wheels/<sha256>/<filename>`: downloaded wheels, shared by every project;
- `site/<key>/`: the unpacked dependencies (key: exact pins + wheel hashes + platform + Python +
  architecture), plus `.faas-files.json` saying which distribution owns which file.

Entries are written to a temporary name and renamed into place, so a crashed or concurrent build
never leaves a half-written entry that a later build would trust.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import platformdirs

CACHE_ENV = "FAAS_CACHE_DIR"
# Bump when the layout or what an entry holds changes, so old entries are never misread.
CACHE_FORMAT = "1"


def cache_root() -> Path:
    """`$FAAS_CACHE_DIR`, else the user cache dir (e.g. ~/.cache/faas)."""
    configured = os.environ.get(CACHE_ENV)
    return Path(configured) if configured else Path(platformdirs.user_cache_dir("faas"))


def cache_key(*parts: Any) -> str:
    """A stable key for JSON-serialisable `parts`."""
    text = json.dumps([CACHE_FORMAT, *parts], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def read_json(path: Path) -> Any | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        json.dump(data, out, indent=1, sort_keys=True)
    os.replace(temporary, path)


def cached_dir(path: Path, fill: Callable[[Path], None]) -> Path:
    """`path` if it exists; else run `fill(temporary)` and move the result into place."""
    if path.is_dir():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}."))
    try:
        fill(temporary)
        try:
            temporary.rename(path)
        except OSError:
            # Another build finished the same entry first: theirs is as good as ours.
            if not path.is_dir():
                raise
    finally:
        shutil.rmtree(temporary, ignore_errors=True)
    return path
