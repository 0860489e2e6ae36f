"""What a provider tells packaging about its platform: the one neutral description of a target."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from faas.core.model.schedule_dialects import ScheduleDialect
    from faas.core.model.triggers import TriggerModel


@dataclass(frozen=True)
class TriggerRef:
    """One trigger of one function, as packaging hands it to a target's naming and options hooks."""

    function: str
    kind: str
    index: int
    """Position among the function's triggers of this kind (0 for its first schedule)."""
    trigger: TriggerModel


def default_trigger_name(ref: TriggerRef) -> str:
    """`<function>-<kind>-<n>`, unique within the project, for platforms that name nothing per trigger."""
    return f"{ref.function}-{ref.kind}-{ref.index}"


@dataclass(frozen=True)
class SizeLimits:
    """Platform limits checked before anything is uploaded (bytes; None means no limit)."""

    zipped: int | None = None
    unzipped: int | None = None
    # Above this zipped size the provider uploads through object storage instead of directly.
    direct_upload: int | None = None
    advice: str = ""


@dataclass(frozen=True)
class PackageTarget:
    """The runtime an artifact is built for, declared by a provider's `package_target()`.

    `dependencies="vendored"` installs wheels for `platform_tags` into the artifact (AWS);
    `"requirements"` writes a pinned requirements.txt for platforms that build remotely (GCP, Azure).
    """

    provider: str
    python: str
    entry_module: str
    entry_source: str
    os: Literal["linux"] = "linux"
    architecture: Literal["x86_64", "arm64"] = "x86_64"
    dependencies: Literal["vendored", "requirements"] = "vendored"
    platform_tags: tuple[str, ...] = ()
    dependencies_dir: str = ""
    """Where vendored dependencies go inside the artifact: "" is its root (AWS); Azure's Python worker
    puts `.python_packages/lib/site-packages` on sys.path."""
    runtime_provided: frozenset[str] = frozenset()
    limits: SizeLimits = field(default_factory=SizeLimits)
    extra_files: tuple[tuple[str, str], ...] = ()
    """More generated files, (path in the artifact, text), e.g. Azure's host.json."""
    persistent_filesystem: bool = False
    """True when what the app writes beside its code stays, across requests and deploys (local).

    Clouds run the code read-only and keep nothing an instance writes: packaging warns when the
    app's settings put a database there.
    """
    adapter_options: tuple[tuple[str, str], ...] = ()
    """Options the platform's adapter needs for the app, (name, value), e.g. Azure's route_prefix.

    Written to faas_runtime.json (`app.adapter_options`) and passed to the adapter's `make_handler`.
    """
    schedules: ScheduleDialect | None = None
    """The platform's schedule syntax (`faas.core.model.EVENTBRIDGE`, `CLOUD_SCHEDULER`, `NCRONTAB` or
    your own); each schedule is written to faas_runtime.json in it, and packaging refuses a schedule it
    cannot express. None: the platform has no schedules (the canonical form is written alone)."""
    trigger_name: Callable[[TriggerRef], str] = default_trigger_name
    """The platform's name of a trigger (the EventBridge rule, the Cloud Scheduler job, the Azure
    function): written as the trigger's `name`, by which the adapter matches an event to its function."""
    trigger_options: Callable[[TriggerRef], Mapping[str, str]] | None = None
    """Options the platform's adapter needs for one trigger (e.g. a connection setting), written to
    faas_runtime.json as the trigger's `adapter_options`."""

    @property
    def python_tag(self) -> str:
        """`cp312` for Python 3.12."""
        return "cp" + self.python.replace(".", "")


def manylinux_tags(architecture: Literal["x86_64", "arm64"], glibc: tuple[int, int] = (2, 28)) -> tuple[str, ...]:
    """Platform tags of wheels a glibc `glibc` Linux on `architecture` can load, newest first.

    Lambda's Python 3.12+ runtimes run on Amazon Linux 2023 (glibc 2.34); 2.28 is a safe floor
    every supported runtime meets, and wheels built for older glibc load on newer.
    """
    machine = "aarch64" if architecture == "arm64" else "x86_64"
    tags = [f"manylinux_2_{minor}_{machine}" for minor in range(glibc[1], 16, -1)]
    legacy = {17: "manylinux2014", 12: "manylinux2010", 5: "manylinux1"}
    tags += [
        f"{name}_{machine}"
        for minor, name in legacy.items()
        if minor <= glibc[1] and (machine == "x86_64" or minor == 17)
    ]
    return tuple(tags)
