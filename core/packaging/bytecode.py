"""Compiled bytecode for the target Python, so the function never compiles at cold start.

A function's filesystem is read-only: without shipped .pyc files every cold start compiles every
imported module again. Bytecode is version-specific, so it is compiled by an interpreter of the
target's minor version, found on PATH, under pyenv, or through `uv python find`; without one the
build skips bytecode and says so. The pycs use UNCHECKED_HASH invalidation: the sources in the
artifact never change, so the import system need not stat or hash them (and zip timestamps,
normalised to 1980, would make timestamp-based pycs look stale).
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from faas.core.errors import PackagingError
from faas.core.interpreters import find_interpreter, full_version

__all__ = ["compile_tree", "find_interpreter", "full_version"]

# Each job: [source path, output root, path relative to the output root]; prints what it wrote.
_COMPILE_SCRIPT = """
import importlib.util, json, py_compile, sys
written, failed = [], []
for source, root, relative in json.load(sys.stdin):
    pyc = importlib.util.cache_from_source(relative)
    try:
        py_compile.compile(source, cfile=root + "/" + pyc, dfile=relative, doraise=True,
                           invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
    except (py_compile.PyCompileError, SyntaxError, ValueError, UnicodeDecodeError):
        failed.append(relative)
    else:
        written.append([relative, pyc])
json.dump({"written": written, "failed": failed}, sys.stdout)
"""
# A fixed number of compile processes (not os.cpu_count()): marshal output can depend on what a
# process compiled before, so the split must be the same on every machine.
_WORKERS = 2


def compile_tree(
    interpreter: Path, jobs: Sequence[tuple[Path, Path, str]], *, workers: int = _WORKERS
) -> dict[str, str]:
    """Compile each (source, output root, relative path); returns {relative source: relative pyc}.

    Files that do not compile for the target (Python 2 leftovers, templates named .py) are
    skipped, as pip does: they cannot be imported there either.
    """
    if not jobs:
        return {}
    chunks = [list(jobs[index::workers]) for index in range(workers)]
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTHON")}
    # A fixed hash seed keeps set/frozenset constants, and thus the pyc bytes, the same every run.
    env["PYTHONHASHSEED"] = "0"

    def run(chunk: list[tuple[Path, Path, str]]) -> dict[str, list[list[str]]]:
        payload = json.dumps([[str(source), str(root), relative] for source, root, relative in chunk])
        result = subprocess.run(
            [str(interpreter), "-I", "-c", _COMPILE_SCRIPT],
            input=payload,
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        if result.returncode != 0:
            raise PackagingError(f"compiling bytecode with {interpreter} failed: {result.stderr.strip()[-500:]}")
        data: dict[str, list[list[str]]] = json.loads(result.stdout)
        return data

    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(run, [chunk for chunk in chunks if chunk]))
    return {relative: pyc for result in results for relative, pyc in result["written"]}
