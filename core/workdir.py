"""The project's `.faas/` folder (build output, local deployments): never for version control.

Like pytest's `.pytest_cache`, the folder ignores itself: a `.gitignore` holding `*` is written in
it, so `git add .` in the project stages nothing of it (it can hold logs and the app's local data).
"""

from __future__ import annotations

from pathlib import Path

WORK_DIR_NAME = ".faas"
_GITIGNORE = "# Created by faas: this folder holds build output and local deployments.\n*\n"


def ensure_work_dir(path: Path, mode: int = 0o777) -> Path:
    """Create `path` with its parents; a `.faas` folder among them gets its `.gitignore`."""
    path.mkdir(parents=True, exist_ok=True, mode=mode)
    for folder in (path, *path.parents):
        if folder.name == WORK_DIR_NAME:
            ignore = folder / ".gitignore"
            if not ignore.exists():
                ignore.write_text(_GITIGNORE, encoding="utf-8")
            break
    return path
