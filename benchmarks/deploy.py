"""Deploy-to-serving benchmark: `faas deploy` of the Flask example until its URL first answers 200.

    .venv/bin/python benchmarks/deploy.py [--rounds 5] [--only gcp,azure,local-gcp,local-azure]

Targets, each on loopback only:
  gcp          the GCP provider against tests/fakes/gcp (`GcpFake`: Cloud Functions v2, Run, IAM...)
  azure        the Azure provider against tests/fakes/azure (`AzureFake`: ARM, Kudu, Azurite, site hosts)
  local-gcp    `faas deploy` with provider local, emulating gcp (functions-framework in a 3.12 env)
  local-azure  the same, emulating azure (the local Azure Functions host)

Cases, in this order in every round and for every target:
  cold     first deploy of a fresh copy of the example, FAAS_CACHE_DIR a fresh empty directory
  warm     first deploy of another fresh copy (a new stage), on the cache the cold deploy filled
  change   redeploy of the warm copy after editing app.py (the response must show the new text)
  no-op    redeploy of the same copy unchanged; the fake's write calls are counted (must be 0)

Each deploy goes through faas's own workflow (`workflow.open_provider` + `workflow.deploy`, what the
CLI's `faas deploy` calls) and is split into phases by timing the provider's own methods:
  package  start of the deploy (open the provider, check the config, build the artifact) to plan
  plan     provider.plan (read-only calls)
  apply    provider.apply (the writes and the waits on long-running operations)
  first    apply's return to the first 200 from the printed URL (GET / polled every 20 ms)
  slept    of package + plan + apply, the time the deploying thread spent in time.sleep (waits on
           Retry-After and polling intervals, not work)
  lro      of slept, the part on azure-core's LRO poller threads (ARM's Retry-After)
Median and range (min - max) over the rounds.

Loopback only: the GCP fake's environment (closed proxy and metadata port) applies to the whole run,
pip included; 3.12 wheels the machine's indexes lack come from a wheelhouse of the test cache's
wheels (local_wheelhouse), and the local targets' runtime envs are copied from the test cache.
The figures and their reading are in benchmarks/README.md ("Deploy to serving").
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests.fakes is imported from the checkout, as the tests do

EXAMPLE = ROOT / "examples" / "flask"
GREETING = "Hello from Flask"
PHASES = ("package", "plan", "apply", "first", "total", "slept", "lro")
CASES = ("cold", "warm", "change", "no-op")
TARGETS = ("gcp", "azure", "local-gcp", "local-azure")
# ARM's list* actions and name checks are POSTs that only read (as tests/providers/azure/test_operate.py counts)
# Wheels earlier test runs stored (tests/conftest.py's default FAAS_CACHE_DIR): see local_wheelhouse()
TEST_CACHE = Path(tempfile.gettempdir()) / "faas-test-cache"
TEST_WHEELS = TEST_CACHE / "wheels"
ARM_READ_ONLY_POST = re.compile(r"/(list\w*|checknameavailability)$", re.IGNORECASE)


class SleepMeter:
    """Time the deploying thread spends in time.sleep: Retry-After waits, polling intervals, back-offs.

    google-api-core, azure-core's transport and faas's own waits all call `time.sleep` through the
    module, so one wrapper sees them. azure-core polls a long-running operation on a thread of its
    own (named LROPoller(...)) while the deploying thread waits for it: that thread's sleeps are
    counted too. The fakes' server threads are not.
    """

    def __init__(self) -> None:
        self.slept = 0.0
        self.polling = 0.0  # of which on azure-core's LROPoller threads
        self.by_caller: dict[str, float] = {}  # who slept: module.function of the caller
        self.counting = False
        self._sleep = time.sleep
        self._thread = threading.main_thread()
        time.sleep = self.sleep

    def sleep(self, seconds: float) -> None:
        thread = threading.current_thread()
        poller = thread.name.startswith("LROPoller(")
        if self.counting and (thread is self._thread or poller):
            started = time.perf_counter()
            self._sleep(seconds)
            took = time.perf_counter() - started
            self.slept += took
            if poller:
                self.polling += took
            caller = sys._getframe(1)
            where = f"{caller.f_globals.get('__name__', '?')}.{caller.f_code.co_name}"
            self.by_caller[where] = self.by_caller.get(where, 0.0) + took
        else:
            self._sleep(seconds)


METER = SleepMeter()


@dataclass
class Sample:
    phases: dict[str, float]
    writes: int | None  # the fake's write calls during the deploy (None: no fake behind it)
    polls: int  # long-running-operation polls the fake answered during the deploy
    changed: bool
    sleepers: dict[str, float]  # seconds slept during the deploy, by the sleeping function
    calls: dict[str, int]  # requests the fake's control plane answered during plan and during apply


@dataclass
class Results:
    samples: dict[tuple[str, str], list[Sample]] = field(default_factory=dict)

    def add(self, target: str, case: str, sample: Sample) -> None:
        self.samples.setdefault((target, case), []).append(sample)


class Target:
    """One place to deploy to; `counters()` are (writes, polls) read from the fake, or (None, 0)."""

    name: str
    provider: str

    def configure(self, root: Path) -> None:
        """Append what this target needs to the copied faas.toml."""

    def counters(self) -> tuple[int | None, int]:
        return None, 0

    def calls(self) -> int:
        """Requests the fake has answered so far (its control plane's request log)."""
        return 0

    def verify(self) -> str:
        return ""

    def cleanup(self, roots: list[tuple[Path, str]]) -> None:
        """Remove what the round deployed (untimed)."""

    def seed_cache(self, cache: Path) -> None:
        """Put into the fresh cache what the machine cannot make without leaving loopback (untimed)."""


class GcpTarget(Target):
    name = "gcp"
    provider = "gcp"

    def __init__(self, stack: contextlib.ExitStack, work: Path) -> None:
        from tests.fakes.gcp.fake import GcpFake

        (work / "gcp-fake").mkdir()
        self.fake = stack.enter_context(GcpFake(work / "gcp-fake"))
        for key, value in self.fake.env().items():
            os.environ[key] = value
        # google-auth reads these once, when _metadata is first imported (as tests/fakes/gcp/fixture.py sets them)
        from google.auth.compute_engine import _metadata

        _metadata._NO_GCE_CHECK = True  # type: ignore[attr-defined]
        _metadata._GCE_METADATA_HOST = self.fake.env()["GCE_METADATA_HOST"]  # type: ignore[attr-defined]
        os.environ["FAAS_GCP_API_ENDPOINTS"] = ",".join(f"{k}={url}" for k, url in self.fake.endpoints.items())

    def configure(self, root: Path) -> None:
        with (root / "faas.toml").open("a") as config:
            config.write(f'\n[providers.gcp]\nregion = "{self.fake.region}"\n')

    def counters(self) -> tuple[int | None, int]:
        requests_seen = self.fake.requests
        polls = sum(1 for r in requests_seen if r.method_id and r.method_id.endswith("operations.get"))
        return len(self.fake.writes()), polls

    def calls(self) -> int:
        return len(self.fake.requests)

    def verify(self) -> str:
        builder = self.fake.functions.builder
        installs = "off" if builder is None else builder.installs
        return f"the fake's pip installs (requirements the host's packages do not satisfy): {installs}"

    def cleanup(self, roots: list[tuple[Path, str]]) -> None:
        self.fake.reset()  # every function, service, account and running revision of the round


class AzureTarget(Target):
    name = "azure"
    provider = "azure"

    def __init__(self, stack: contextlib.ExitStack, work: Path) -> None:
        from tests.fakes.azure.fake import AzureFake

        self.fake = stack.enter_context(AzureFake(work / "azure-fake"))
        for key, value in self.fake.environment().items():
            os.environ[key] = value

    def counters(self) -> tuple[int | None, int]:
        calls = self.fake.calls
        writes = [
            c
            for c in calls
            if c.method in ("PUT", "PATCH", "DELETE", "POST")
            and not (c.method == "POST" and ARM_READ_ONLY_POST.search(c.path))
        ]
        publishes = sum(len(kudu.deployments) for kudu in self.fake.kudu.kudus.values())
        polls = sum(1 for c in calls if c.method == "GET" and re.search(r"/operation(Statuses|Results)/", c.path))
        return len(writes) + publishes, polls

    def calls(self) -> int:
        return len(self.fake.calls)  # ARM's log (Kudu, Azurite and the token endpoint not included)

    def cleanup(self, roots: list[tuple[Path, str]]) -> None:
        from faas.core import workflow
        from faas.core.config import load_project

        for root, stage in roots:
            with contextlib.suppress(Exception):
                workflow.undeploy(workflow.open_provider(load_project(root / "faas.toml", stage), "azure"))


class LocalTarget(Target):
    provider = "local"

    def __init__(self, emulate: str) -> None:
        self.name = f"local-{emulate}"
        self.emulate = emulate

    def seed_cache(self, cache: Path) -> None:
        """Copy in the runtime env (the platform's runtime client in a 3.12 venv) earlier test runs made.

        Making it installs functions-framework or azure-functions, which the machine's own indexes
        lack (pip would fetch them from PyPI): it is a one-time cost per machine, not measured here.
        """
        runtime = TEST_CACHE / "runtimes" / f"{self.emulate}-py3.12"
        if not (runtime / ".faas-ready").is_file():
            ready = sorted(p.name for p in runtime.iterdir()) if runtime.is_dir() else "missing"
            raise SystemExit(f"{runtime} holds no ready runtime env ({ready}): run tests/providers/local once")
        shutil.copytree(runtime, cache / "runtimes" / runtime.name, symlinks=True)

    def configure(self, root: Path) -> None:
        with (root / "faas.toml").open("a") as config:
            config.write(f'\n[providers.local]\nemulate = "{self.emulate}"\n')

    def cleanup(self, roots: list[tuple[Path, str]]) -> None:
        from faas.providers.local import control
        from faas.providers.local.state import StageDir

        for root, _ in roots:
            for supervisor_file in root.rglob("supervisor.json"):
                control.stop_supervisor(StageDir(supervisor_file.parent))


def local_wheelhouse(work: Path) -> Path:
    """A find-links folder of the wheels earlier test runs stored, added to pip's PIP_FIND_LINKS.

    The machine's own indexes (/opt/pypi...) hold wheels for its Python 3.11 only; the example builds
    for 3.12, whose compiled wheels (markupsafe) pip would otherwise look for on PyPI. Under the GCP
    fake's closed proxy that lookup fails, so they are served from this folder instead: every packet
    stays on the machine, and the cold case still starts from an empty faas cache (resolution,
    unpacking, bytecode, compression all redone) but without downloading from the network.
    """
    house = work / "wheelhouse"
    house.mkdir()
    for wheel in TEST_WHEELS.glob("*/*.whl"):
        with contextlib.suppress(FileExistsError):
            (house / wheel.name).symlink_to(wheel)
    links = os.environ.get("PIP_FIND_LINKS", "")
    os.environ["PIP_FIND_LINKS"] = f"{links} {house}".strip()
    return house


def copy_example(target: Target, work: Path, label: str) -> Path:
    root = work / f"{target.name}-{label}" / "flask"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".faas", "__pycache__"))
    target.configure(root)
    return root


def timed_deploy(target: Target, root: Path, stage: str, expect: str) -> Sample:
    """One `faas deploy` through the workflow, then GET / until it answers 200 with `expect` in it."""
    from faas.core import workflow
    from faas.core.config import load_project
    from faas.core.reporting import NullReporter

    writes_before, polls_before = target.counters()
    marks: dict[str, float] = {}
    counted: dict[str, int] = {}
    started = time.perf_counter()
    provider = workflow.open_provider(load_project(root / "faas.toml", stage), target.provider, reporter=NullReporter())

    def timed(name: str, method: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any, **kwargs: Any) -> Any:
            counted[f"{name}-start"] = target.calls()
            marks[f"{name}-start"] = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                marks[f"{name}-end"] = time.perf_counter()
                counted[f"{name}-end"] = target.calls()

        return run

    # instance attributes shadow the class's methods: workflow.deploy calls these exact wrappers
    provider.plan = timed("plan", provider.plan)  # type: ignore[method-assign]
    provider.apply = timed("apply", provider.apply)  # type: ignore[method-assign]
    METER.slept, METER.polling, METER.by_caller, METER.counting = 0.0, 0.0, {}, True
    try:
        outcome = workflow.deploy(provider)
    finally:
        METER.counting = False
    assert outcome.result is not None and outcome.result.url, outcome
    url = outcome.result.url
    deadline = time.monotonic() + 180
    while True:
        with contextlib.suppress(requests.RequestException):
            answer = requests.get(url, timeout=30)
            if answer.status_code == 200 and expect in answer.text:
                break
        if time.monotonic() > deadline:
            raise TimeoutError(f"{target.name}: {url} did not answer 200 with {expect!r} within 180 s")
        time.sleep(0.02)
    served = time.perf_counter()
    writes_after, polls_after = target.counters()
    phases = {
        "package": marks["plan-start"] - started,
        "plan": marks["plan-end"] - marks["plan-start"],
        "apply": marks["apply-end"] - marks["apply-start"],
        "first": served - marks["apply-end"],
        "total": served - started,
        "slept": METER.slept,
        "lro": METER.polling,
    }
    writes = None if writes_after is None or writes_before is None else writes_after - writes_before
    calls = {phase: counted[f"{phase}-end"] - counted[f"{phase}-start"] for phase in ("plan", "apply")}
    return Sample(phases, writes, polls_after - polls_before, outcome.result.changed, dict(METER.by_caller), calls)


@contextlib.contextmanager
def fresh_cache(target: Target, work: Path, label: str) -> Iterator[None]:
    cache = work / f"cache-{label}"
    cache.mkdir()
    target.seed_cache(cache)
    previous = os.environ.get("FAAS_CACHE_DIR")
    os.environ["FAAS_CACHE_DIR"] = str(cache)
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("FAAS_CACHE_DIR", None)
        else:
            os.environ["FAAS_CACHE_DIR"] = previous
        shutil.rmtree(cache, ignore_errors=True)


def run_round(target: Target, work: Path, number: int, results: Results) -> None:
    label = f"r{number}"
    deployed: list[tuple[Path, str]] = []
    try:
        with fresh_cache(target, work, f"{target.name}-{label}"):
            cold = copy_example(target, work, f"{label}-cold")
            deployed.append((cold, f"c{number}"))
            results.add(target.name, "cold", timed_deploy(target, cold, f"c{number}", GREETING))
            warm = copy_example(target, work, f"{label}-warm")
            deployed.append((warm, f"w{number}"))
            results.add(target.name, "warm", timed_deploy(target, warm, f"w{number}", GREETING))
            changed = f"Hello again, round {number}"
            app = warm / "app.py"
            app.write_text(app.read_text().replace(GREETING, changed))
            results.add(target.name, "change", timed_deploy(target, warm, f"w{number}", changed))
            results.add(target.name, "no-op", timed_deploy(target, warm, f"w{number}", changed))
    finally:
        target.cleanup(deployed)


def spread(values: list[float]) -> str:
    median = statistics.median(values)
    if len(values) == 1:
        return f"{median:.2f}"
    return f"{median:.2f} ({min(values):.2f} - {max(values):.2f})"


def report(results: Results, targets: list[Target]) -> None:
    print()
    print("| target | case | " + " | ".join(f"{p} s" for p in PHASES) + " | writes | LRO polls | calls plan / apply |")
    print("| --- | --- | " + " | ".join("---" for _ in PHASES) + " | --- | --- | --- |")
    for target in targets:
        for case in CASES:
            samples = results.samples.get((target.name, case), [])
            if not samples:
                continue
            cells = [spread([s.phases[p] for s in samples]) for p in PHASES]
            writes = sorted({s.writes for s in samples if s.writes is not None})
            polls = sorted({s.polls for s in samples})
            unchanged = "" if any(s.changed for s in samples) else " (unchanged)"
            written = ", ".join(map(str, writes)) if writes else "n/a"
            medians = [statistics.median([s.calls[p] for s in samples]) for p in ("plan", "apply")]
            calls = " / ".join(f"{m:g}" for m in medians)
            print(
                f"| {target.name} | {case}{unchanged} | "
                + " | ".join(cells)
                + f" | {written} | {', '.join(map(str, polls))} | {calls} |"
            )
    print()
    print("Time slept per deploy (median over the rounds), by the function that slept:")
    for target in targets:
        for case in CASES:
            samples = results.samples.get((target.name, case), [])
            names = sorted({name for s in samples for name in s.sleepers})
            if names:
                medians = {name: statistics.median([s.sleepers.get(name, 0.0) for s in samples]) for name in names}
                parts = [f"{name} {seconds:.2f} s" for name, seconds in medians.items()]
                print(f"  {target.name} {case}: " + ", ".join(parts))
    for target in targets:
        note = target.verify()
        if note:
            print(f"{target.name}: {note}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--only", default=",".join(TARGETS), help="comma-separated targets: " + ", ".join(TARGETS))
    args = parser.parse_args()
    wanted = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = set(wanted) - set(TARGETS)
    if unknown:
        parser.error(f"unknown targets: {', '.join(sorted(unknown))}")
    loads = [Path("/proc/loadavg").read_text().split()[0]]
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} cores, load average {loads[0]} at start")
    results = Results()
    with tempfile.TemporaryDirectory(prefix="faas-bench-deploy-") as temporary, contextlib.ExitStack() as stack:
        work = Path(temporary)
        targets: list[Target] = []
        # The GCP fake always starts: its environment is the loopback guard for every target (a closed
        # port as HTTP(S)_PROXY and metadata host, NO_GCE_CHECK, PIP_RETRIES=0), pip included. Both fakes
        # start before any deploy, so every target runs with the same environment.
        gcp = GcpTarget(stack, work)
        house = local_wheelhouse(work)
        print(f"wheelhouse: {len(list(house.iterdir()))} wheels from {TEST_WHEELS}")
        if "gcp" in wanted:
            targets.append(gcp)
        if "azure" in wanted:
            targets.append(AzureTarget(stack, work))
        targets += [LocalTarget(name.split("-", 1)[1]) for name in wanted if name.startswith("local-")]
        for number in range(1, args.rounds + 1):
            # targets take turns inside each round, so a burst of load from other jobs is spread over all
            for target in targets:
                round_started = time.perf_counter()
                run_round(target, work, number, results)
                loads.append(Path("/proc/loadavg").read_text().split()[0])
                print(
                    f"round {number} {target.name}: {time.perf_counter() - round_started:.1f} s "
                    f"(load average {loads[-1]})",
                    flush=True,
                )
    print(f"load average (1 min) during the run: {min(loads)} - {max(loads)}")
    report(results, targets)


if __name__ == "__main__":
    main()
