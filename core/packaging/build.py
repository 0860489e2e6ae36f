"""`build_artifact`: the project + its dependencies + the runtime adapter, as one reproducible zip."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from faas.core.config import Project
from faas.core.errors import PackagingError
from faas.core.packaging import bytecode, cache, wheels
from faas.core.packaging.archive import Entry, write_zip
from faas.core.packaging.artifact import Artifact
from faas.core.packaging.dependencies import Declaration, detect_declaration
from faas.core.packaging.django_static import DjangoBuild, StaticResult, collect_static, django_settings_module
from faas.core.packaging.report import check_limit, human, largest_distributions
from faas.core.packaging.resolve import Resolution
from faas.core.packaging.runtime import generated_entries, runtime_settings
from faas.core.packaging.sources import SourceRules, collect_sources
from faas.core.packaging.target import PackageTarget
from faas.core.packaging.vendored import Dependencies, dependency_entries, pinned_requirements, prepare_dependencies
from faas.core.reporting import NullReporter, Reporter
from faas.core.workdir import ensure_work_dir

MANIFEST_FORMAT = 1


def default_out_dir(project: Project, target: PackageTarget) -> Path:
    return project.root / ".faas" / "build" / project.stage / target.provider


@dataclass(frozen=True)
class _Inputs:
    """What a build decided before touching the project's files."""

    vendored: bool
    architecture: str
    interpreter: Path | None
    settings_module: str | None
    declaration: Declaration
    dependencies: Dependencies


def build_artifact(
    project: Project,
    target: PackageTarget,
    out_dir: Path | None = None,
    reporter: Reporter | None = None,
) -> Artifact:
    """Build `<out_dir>/<project>-<stage>-<provider>.zip` and its manifest JSON next to it.

    `out_dir` defaults to `<project root>/.faas/build/<stage>/<provider>`. No cloud call. Raises
    PackagingError, before anything could be uploaded, when a dependency has no wheel for the
    target or the artifact is over the target's size limits.
    """
    reporter = reporter or NullReporter()
    out_dir = ensure_work_dir((out_dir or default_out_dir(project, target)).resolve())
    zip_path = out_dir / f"{project.name}-{project.stage}-{target.provider}.zip"
    manifest_path = zip_path.with_suffix(".manifest.json")
    # A failed build must not leave the previous artifact behind for a deploy to pick up.
    zip_path.unlink(missing_ok=True)
    manifest_path.unlink(missing_ok=True)
    # A trigger the target cannot express is refused before any dependency is resolved.
    runtime_settings(project, target, None)
    inputs = _inputs(project, target, reporter)
    sources, django = _sources(project, out_dir, inputs, reporter)
    static = django.static
    warning = None if target.persistent_filesystem else django.read_only_warning(target.provider)
    if warning:
        reporter.warning(warning)
    dependency_files: list[Entry] = []
    site_dir = inputs.dependencies.site_dir
    if inputs.vendored and site_dir is not None:
        dependency_files = dependency_entries(
            site_dir, inputs.interpreter, reporter, python=target.python, under=target.dependencies_dir
        )
    elif not inputs.vendored and not inputs.declaration.empty:
        pins = pinned_requirements(inputs.dependencies.resolution)
        dependency_files = [Entry("requirements.txt", data=pins, origin="generated")]
    generated = generated_entries(project, target, inputs.settings_module)
    if static and static.manifest:
        generated.append(static.manifest)
    entries = _merge(generated, sources, dependency_files, reporter)
    modules = [entry for entry in entries if entry.origin in ("source", "generated")]
    entries = sorted([*entries, *_bytecode(modules, inputs.interpreter, out_dir / "bytecode")], key=lambda e: e.arcname)

    sizes = {entry.arcname: entry.size for entry in entries}
    unzipped = sum(sizes.values())
    largest = largest_distributions(entries, sizes)
    own = sum(sizes[entry.arcname] for entry in entries if entry.origin == "source")
    check_limit("unzipped", unzipped, target.limits.unzipped, target, largest, project_size=own)

    written = write_zip(entries, zip_path, reporter)
    digest = _sha256(zip_path)
    zipped = zip_path.stat().st_size
    try:
        check_limit("zipped", zipped, target.limits.zipped, target, largest, project_size=own)
    except PackagingError:
        zip_path.unlink()  # never leave an over-limit artifact a later deploy could pick up
        raise
    sizes_json = {"zipped_size": zipped, "unzipped_size": unzipped, "largest_distributions": largest}
    manifest = {
        "format": MANIFEST_FORMAT,
        "project": project.name,
        "stage": project.stage,
        "artifact": zip_path.name,
        "sha256": digest,
        **sizes_json,
        "upload": "object-storage"
        if target.limits.direct_upload is not None and zipped > target.limits.direct_upload
        else "direct",
        "target": _target_json(target),
        # The sha256 is the same on every machine with the same zlib and target interpreter version;
        # recorded so that a difference between two machines can be explained.
        "zlib": zlib.ZLIB_RUNTIME_VERSION,
        "dependencies": _dependencies_json(inputs),
        "bytecode": _bytecode_json(inputs.interpreter, entries),
        "static": _static_json(static),
        # What the app's settings make it write to disk, relative to the project root.
        "writable_paths": list(django.writable),
        "files": [{"path": name, "size": size, "sha256": sha} for name, (size, sha) in sorted(written.items())],
    }
    text = json.dumps(manifest, indent=2, sort_keys=True) + "\n"
    manifest_path.write_text(text, encoding="utf-8")
    manifest = json.loads(text)
    reporter.info(f"built {zip_path.name}: {human(zipped)} zipped, {human(unzipped)} unzipped, sha256 {digest[:12]}")
    return Artifact(zip_path, digest, target, zipped, unzipped, manifest_path, manifest)


def _inputs(project: Project, target: PackageTarget, reporter: Reporter) -> _Inputs:
    package = project.config.package
    provided = target.runtime_provided if package.runtime_provided is None else frozenset(package.runtime_provided)
    vendored = target.dependencies == "vendored"
    interpreter = None
    if package.bytecode:
        interpreter = bytecode.find_interpreter("{}.{}".format(*wheels.python_version(target)))
        if interpreter is None:
            reporter.info(
                f"no Python {target.python} interpreter found (PATH, pyenv, uv): shipping without bytecode; "
                "the function compiles the modules it imports at every cold start"
            )
    app = project.config.app
    settings_module = django_settings_module(project)
    if app is None or app.framework not in ("django", None):
        settings_module = None
    elif app.framework == "django" and settings_module is None:
        reporter.warning(
            "a Django app without app.settings_module (and no manage.py naming one): static files are not collected"
        )
    declaration = detect_declaration(project.root, package.requirements)
    if declaration.empty:
        reporter.info("no dependencies declared (requirements.txt, pyproject.toml, uv.lock or poetry.lock)")
    # Django's collectstatic needs the dependencies unpacked even where the platform installs them.
    install = vendored or settings_module is not None
    try:
        dependencies = prepare_dependencies(declaration, target, provided, reporter, install=install)
    except PackagingError as error:
        if install:
            raise
        # The platform installs requirements.txt itself, and can build what has no wheel here.
        reporter.warning(f"{error}; shipping the declared requirements unpinned for {target.provider} to resolve")
        dependencies = Dependencies(Resolution((), unpinned=declaration.requirements), None)
    if dependencies.resolution.left_out:
        reporter.info(f"left out, provided by the runtime: {', '.join(dependencies.resolution.left_out)}")
    return _Inputs(vendored, target.architecture, interpreter, settings_module, declaration, dependencies)


def _sources(project: Project, out_dir: Path, inputs: _Inputs, reporter: Reporter) -> tuple[list[Entry], DjangoBuild]:
    package = project.config.package
    generated_dirs = [out_dir.relative_to(project.root).as_posix()] if out_dir.is_relative_to(project.root) else []
    rules = SourceRules(package.include, package.exclude, package.secrets, tuple(generated_dirs))
    sources = [
        Entry(source.arcname, path=source.path, executable=bool(source.path.stat().st_mode & 0o111))
        for source in collect_sources(project.root, rules, reporter)
        # Platforms that install dependencies get the pinned requirements.txt instead.
        if inputs.vendored or source.arcname != "requirements.txt"
    ]
    django = DjangoBuild(None)
    if inputs.settings_module:
        site_dir = inputs.dependencies.site_dir
        key = cache.cache_key("static", inputs.settings_module, str(site_dir), [_stat(entry) for entry in sources])
        with reporter.progress("Collecting Django static files") as task:
            django = collect_static(
                project,
                inputs.settings_module,
                site_dir,
                out_dir / "static",
                target_python=inputs.interpreter,
                architecture=inputs.architecture,
                key=key,
            )
            task.advance()
    static = django.static
    if static and static.static_root:
        # Collected files are uploaded to storage by the deploy; only the manifest ships.
        prefix = static.static_root + "/"
        sources = [entry for entry in sources if not entry.arcname.startswith(prefix)]
    return sources, django


def _bytecode(entries: list[Entry], interpreter: Path | None, staging: Path) -> list[Entry]:
    """Bytecode of the project's and the generated modules (dependencies come compiled from the cache)."""
    if interpreter is None:
        return []
    # Compiled into a build folder, never into the user's tree.
    shutil.rmtree(staging, ignore_errors=True)
    jobs = []
    for entry in entries:
        if not entry.arcname.endswith(".py"):
            continue
        source = entry.path
        if source is None:
            source = staging / "generated" / entry.arcname
            source.parent.mkdir(parents=True, exist_ok=True)
            source.write_bytes(entry.read())
        jobs.append((source, staging / "pyc", entry.arcname))
    compiled = bytecode.compile_tree(interpreter, jobs)
    return [Entry(pyc, path=staging / "pyc" / pyc, origin="generated") for _, pyc in sorted(compiled.items())]


def _merge(
    generated: list[Entry], sources: list[Entry], dependency_files: list[Entry], reporter: Reporter
) -> list[Entry]:
    """One entry per path: generated files are reserved, the user's files win over a dependency's."""
    merged = {entry.arcname: entry for entry in dependency_files}
    shadowed = sorted(entry.arcname for entry in sources if entry.arcname in merged)
    if shadowed:
        reporter.warning(f"project files replace files of dependencies: {', '.join(shadowed[:5])}")
    merged.update({entry.arcname: entry for entry in sources})
    for entry in generated:
        clash = merged.get(entry.arcname)
        if clash is not None and clash.origin == "source":
            raise PackagingError(
                f"the project has {entry.arcname}, which faas generates in the artifact for the "
                f"{'runtime adapter' if entry.arcname.startswith('faas/') else 'platform'}; rename or exclude it"
            )
        merged[entry.arcname] = entry
    return sorted(merged.values(), key=lambda entry: entry.arcname)


def _stat(entry: Entry) -> tuple[str, int, int]:
    assert entry.path is not None
    stat = entry.path.stat()
    return entry.arcname, stat.st_size, stat.st_mtime_ns


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _target_json(target: PackageTarget) -> dict[str, Any]:
    # Field by field, not asdict(): the naming and options hooks are callables (bound to a provider).
    data = {field.name: getattr(target, field.name) for field in dataclasses.fields(target)}
    data["limits"] = dataclasses.asdict(target.limits)
    data["runtime_provided"] = sorted(target.runtime_provided)
    data["extra_files"] = [path for path, _ in target.extra_files]
    data["schedules"] = target.schedules.name if target.schedules is not None else None
    for hook in ("entry_source", "trigger_name", "trigger_options"):
        data.pop(hook)
    return data


def _dependencies_json(inputs: _Inputs) -> dict[str, Any]:
    resolution = inputs.dependencies.resolution
    return {
        "declared_in": list(inputs.declaration.sources),
        "mode": "vendored" if inputs.vendored else "requirements",
        "distributions": [{"name": dist.name, "version": dist.version} for dist in resolution.distributions],
        "left_out": list(resolution.left_out),
    }


def _bytecode_json(interpreter: Path | None, entries: list[Entry]) -> dict[str, Any] | None:
    if interpreter is None:
        return None
    return {
        "interpreter": str(interpreter),
        "version": bytecode.full_version(str(interpreter)),
        "files": sum(1 for entry in entries if entry.arcname.endswith(".pyc")),
    }


def _static_json(static: StaticResult | None) -> dict[str, Any] | None:
    if static is None:
        return None
    return {
        "dir": str(static.directory),
        "files": static.files,
        "storage": static.storage,
        "manifest": static.manifest.arcname if static.manifest else None,
        "url": static.url,
    }
