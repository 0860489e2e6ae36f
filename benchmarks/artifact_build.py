"""Packaging benchmark: first build vs rebuild of the Django example, sizes, and bytecode's cold-start gain.

    python benchmarks/artifact_build.py [--runs 15] [--warm-pip]

- First build: an empty faas cache (a fresh FAAS_CACHE_DIR) and, unless --warm-pip, pip's own HTTP
  cache disabled too, i.e. what a new machine or a CI runner without a cache pays.
- Rebuild: the same project unchanged, same cache; median of 5, in the benchmark's process and in
  a fresh process (what `faas package` pays: interpreter start and imports included). Also a
  rebuild after editing one source file.
- Cold start (import time): the artifact unpacked twice, once as built (unchecked-hash pycs) and
  once with every __pycache__ removed. A fresh `python3.12 -I -S` process with only that folder on
  sys.path runs `django.setup()` and imports the WSGI module; without pycs it runs with -B, like a
  read-only function filesystem where compiled modules cannot be written. Median of --runs runs,
  time measured inside the process (interpreter start excluded) and for the whole process.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from faas.core.packaging import Artifact

ROOT = Path(__file__).resolve().parents[1]
# Run as a script, this file's folder comes first on sys.path and this file would shadow the
# `packaging` distribution that faas imports.
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != ROOT / "benchmarks"]
EXAMPLE = ROOT / "tests" / "core" / "packaging" / "projects" / "djsite"

IMPORT_APP = """
import os, sys, time
start = time.perf_counter()
sys.path.insert(0, sys.argv[1])
os.environ["DJANGO_SETTINGS_MODULE"] = "djsite.settings"
import django
django.setup()
import djsite.wsgi
print(time.perf_counter() - start)
"""


def build(root: Path) -> tuple[float, Artifact]:
    from faas.core.config import load_project
    from faas.core.packaging import PackageTarget, SizeLimits, build_artifact, manylinux_tags
    from faas.providers.entry import entry_source

    target = PackageTarget(
        provider="aws",
        python="3.12",
        entry_module="faas_entry",
        entry_source=entry_source("aws", "handler"),
        platform_tags=manylinux_tags("x86_64"),
        runtime_provided=frozenset({"boto3", "botocore"}),
        limits=SizeLimits(unzipped=250 * 1024 * 1024, direct_upload=50 * 1024 * 1024),
    )
    start = time.perf_counter()
    artifact = build_artifact(load_project(root / "faas.toml", environ={}), target)
    return time.perf_counter() - start, artifact


def import_times(python: str, folder: Path, runs: int, no_bytecode: bool) -> tuple[float, float]:
    inside, whole = [], []
    flags = ["-I", "-S"] + (["-B"] if no_bytecode else [])
    for _ in range(runs):
        start = time.perf_counter()
        result = subprocess.run(
            [python, *flags, "-c", IMPORT_APP, str(folder)], capture_output=True, text=True, check=True
        )
        whole.append(time.perf_counter() - start)
        inside.append(float(result.stdout.strip()))
    return statistics.median(inside), statistics.median(whole)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--warm-pip", action="store_true", help="keep pip's HTTP cache for the first build")
    parser.add_argument("--build-once", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build_once:
        build(args.build_once)  # the child of the fresh-process rebuild measure
        return

    from faas.core.interpreters import find_interpreter

    python = find_interpreter("3.12")
    if python is None:
        sys.exit("needs a Python 3.12 interpreter (PATH, pyenv or uv)")
    with tempfile.TemporaryDirectory(prefix="faas-bench-") as scratch:
        work = Path(scratch)
        os.environ["FAAS_CACHE_DIR"] = str(work / "cache")
        if not args.warm_pip:
            os.environ["PIP_NO_CACHE_DIR"] = "1"
        root = work / "djsite"
        shutil.copytree(EXAMPLE, root)

        first, artifact = build(root)
        os.environ.pop("PIP_NO_CACHE_DIR", None)
        rebuilds = [build(root)[0] for _ in range(5)]
        rebuild = statistics.median(rebuilds)
        fresh = []
        for _ in range(5):
            start = time.perf_counter()
            subprocess.run([sys.executable, __file__, "--build-once", str(root)], check=True)
            fresh.append(time.perf_counter() - start)
        rebuild_process = statistics.median(fresh)
        (root / "djsite" / "urls.py").write_text((root / "djsite" / "urls.py").read_text() + "\n# edited\n")
        edited, _ = build(root)

        path = artifact.path
        with_pyc, without_pyc = work / "with-pyc", work / "without-pyc"
        for folder in (with_pyc, without_pyc):
            with zipfile.ZipFile(path) as archive:
                archive.extractall(folder)
        for cache in list(without_pyc.rglob("__pycache__")):
            shutil.rmtree(cache)
        pycs = sum(1 for _ in with_pyc.rglob("*.pyc"))
        cold_with = import_times(str(python), with_pyc, args.runs, no_bytecode=False)
        cold_without = import_times(str(python), without_pyc, args.runs, no_bytecode=True)

    mb = 1024 * 1024
    print(f"first build (empty faas cache{'' if args.warm_pip else ', no pip cache'}): {first:.2f} s")
    print(f"rebuild, unchanged (median of 5): {rebuild:.2f} s  -> {rebuild / first:.3f}x the first build")
    print(
        f"rebuild, unchanged, fresh process (interpreter start + imports included, median of 5): "
        f"{rebuild_process:.2f} s -> {rebuild_process / first:.3f}x"
    )
    print(f"rebuild after editing one source file: {edited:.2f} s")
    print(f"zipped: {artifact.zipped_size / mb:.1f} MB, unzipped: {artifact.unzipped_size / mb:.1f} MB, pycs: {pycs}")
    largest = artifact.manifest["largest_distributions"]
    print("largest:", ", ".join(f"{item['name']} {item['size'] / mb:.1f} MB" for item in largest))
    print(f"import (django.setup + wsgi), in process, median of {args.runs}:")
    print(f"  with unchecked-hash pycs: {cold_with[0] * 1000:.0f} ms (whole process {cold_with[1] * 1000:.0f} ms)")
    print(
        f"  without pycs (-B):        {cold_without[0] * 1000:.0f} ms (whole process {cold_without[1] * 1000:.0f} ms)"
    )
    gain = cold_without[0] - cold_with[0]
    print(f"  gain: {gain * 1000:.0f} ms ({cold_without[0] / cold_with[0]:.1f}x faster import)")


if __name__ == "__main__":
    main()
