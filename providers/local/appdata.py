"""The stage's data area: what the app writes beside its code survives a redeploy and a rollback.

Each version runs from its own unpacked artifact (`versions/<id>/code/`), but what the app writes
there (a SQLite file, media uploads) belongs to the stage, not to the version. It lives in
`<state dir>/data/`, mirroring the code tree, and every version's code dir links to it:

- Paths the settings name (Django's SQLite files and MEDIA_ROOT, found by packaging) are linked
  before the version starts, so the first write already lands in the data area. SQLite follows
  the link and keeps its journal next to the real file.
- Anything the app wrote that is not part of the artifact is moved into the data area (and linked
  back) when the next version is deployed or rolled back to.
- Every entry of the data area is linked into each version's code dir: a file or folder the
  artifact does not have as a folder is one link; a folder both have is entered.

A path the artifact ships and the data area already holds is the data area's (the running app's
database wins over a copy packaged by mistake); the artifact's copy seeds an empty data area.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

_NEVER_DATA = ("__pycache__",)


def link_data(code: Path, data: Path, writable: list[str]) -> None:
    """Make `code` use `data` for the `writable` paths (folders end with /) and everything in `data`."""
    data.mkdir(parents=True, exist_ok=True)
    for name in writable:
        _link(code, data, Path(name), folder=name.endswith("/"))
    _link_tree(code, data, Path())


def _link(code: Path, data: Path, relative: Path, *, folder: bool) -> None:
    """Link the first part of `relative` that `code` lacks as a real folder to the data area."""
    for depth in range(1, len(relative.parts) + 1):
        part = Path(*relative.parts[:depth])
        here = code / part
        if here.is_dir() and not here.is_symlink() and depth < len(relative.parts):
            continue
        stored = data / part
        if here.is_symlink():
            return
        if here.exists() and not stored.exists():
            stored.parent.mkdir(parents=True, exist_ok=True)
            os.replace(here, stored)  # the artifact's copy seeds the data area
        stored.parent.mkdir(parents=True, exist_ok=True)
        if depth < len(relative.parts) or folder:
            # A folder (MEDIA_ROOT, or a parent of the database file): the app writes into it.
            stored.mkdir(parents=True, exist_ok=True)
        _replace_with_link(here, stored)
        return


def _link_tree(code: Path, data: Path, relative: Path) -> None:
    for entry in sorted((data / relative).iterdir()):
        part = relative / entry.name
        here = code / part
        if entry.is_dir() and not entry.is_symlink() and here.is_dir() and not here.is_symlink():
            _link_tree(code, data, part)
        elif not here.is_symlink():
            _replace_with_link(here, entry)


def _replace_with_link(here: Path, target: Path) -> None:
    if here.is_dir() and not here.is_symlink():
        shutil.rmtree(here)
    here.parent.mkdir(parents=True, exist_ok=True)
    temporary = here.with_name(f".{here.name}.faas-link")
    temporary.unlink(missing_ok=True)
    temporary.symlink_to(target)
    os.replace(temporary, here)  # the path is never missing for a running process


def adopt_writes(code: Path, data: Path, artifact_files: set[str]) -> list[str]:
    """Move what the app wrote under `code` (not from the artifact) into `data`, linked back; what moved."""
    folders = {str(Path(name).parent) for name in artifact_files} | {""}
    folders |= {str(parent) for name in artifact_files for parent in Path(name).parents}
    moved: list[str] = []
    _adopt(code, data, Path(), (artifact_files, folders), moved)
    return moved


def _adopt(code: Path, data: Path, relative: Path, artifact: tuple[set[str], set[str]], moved: list[str]) -> None:
    files, folders = artifact
    for entry in sorted((code / relative).iterdir()):
        part = relative / entry.name
        name = part.as_posix()
        if entry.is_symlink() or entry.name in _NEVER_DATA or entry.name.endswith(".faas-link"):
            continue
        if entry.is_dir():
            if name in folders:
                _adopt(code, data, part, artifact, moved)
                continue
        elif name in files:
            continue
        stored = data / part
        if stored.exists():
            continue  # the data area has it already (another version wrote it): keep that one
        stored.parent.mkdir(parents=True, exist_ok=True)
        if entry.is_dir():
            os.replace(entry, stored)
        else:
            # A hard link first: the path keeps answering (same file) until the link replaces it.
            os.link(entry, stored)
        _replace_with_link(entry, stored)
        moved.append(name)
