"""`[providers.local]`: which cloud to emulate and where to serve it."""

from __future__ import annotations

from importlib.metadata import entry_points
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator

from faas import ProviderOptions
from faas.adapters.bootstrap import platforms as registered_platforms
from faas.adapters.contract import PLATFORM_ENTRY_POINTS
from faas.providers.local.runtime_env import RUNTIME_CLIENTS

FrontDoor = Literal["http-api", "rest-api", "function-url"]


def emulatable_platforms() -> tuple[str, ...]:
    """The platforms `emulate` accepts, from the runtime contract's registry (adapters/bootstrap.py).

    Emulating runs the artifact in the platform's real runtime client, so a registered platform
    is emulated only where this provider knows that client (runtime_env.RUNTIME_CLIENTS).
    """
    return tuple(name for name in registered_platforms() if name in RUNTIME_CLIENTS)


def _not_emulatable(name: str) -> str:
    known = ", ".join(emulatable_platforms())
    registered = name in registered_platforms() or bool(entry_points(group=PLATFORM_ENTRY_POINTS, name=name))
    if registered:
        return (
            f"platform {name!r} is registered with the runtime contract, but the local provider has no runtime "
            f"client to run it in; it emulates {known}"
        )
    return f"unknown platform {name!r}: the local provider emulates {known}"


class LocalOptions(ProviderOptions):
    """Options of the local provider; every one can also be given on the command line."""

    emulate: str | None = Field(
        default=None,
        description=f"Cloud to emulate: {', '.join(emulatable_platforms())} (the registered platforms this "
        "provider has a runtime client for). Default: the project's provider if it is one of those, else aws.",
        examples=list(emulatable_platforms()),
    )
    host: Literal["127.0.0.1", "localhost"] = Field(
        default="127.0.0.1", description="Address the local gateway listens on (loopback only)."
    )
    port: int = Field(
        default=0,
        ge=0,
        le=65535,
        description="Port of the local gateway; 0 picks a free one and reuses it for the stage on later deploys.",
    )
    pool_size: int = Field(
        default=4,
        ge=1,
        le=64,
        description="Most runtime processes kept per deployment; each serves one request at a time, "
        "like a Lambda execution environment. They start on demand.",
    )
    front_door: FrontDoor | None = Field(
        default=None,
        description="AWS emulation only: the event shape the gateway sends, http-api (payload 2.0), "
        "rest-api (payload 1.0, with the stage in the path) or function-url. Default: [providers.aws] "
        "front_door, else http-api.",
    )
    python: str | None = Field(
        default=None,
        pattern=r"^3\.\d{1,2}$",
        description="Python version to build for and run, overriding the project's `python` "
        "(e.g. to emulate with an interpreter you have).",
    )
    allow_host_python: bool = Field(
        default=False,
        description="When no interpreter of the target version is found, emulate with the Python running "
        "faas (the artifact is then built for that version) instead of stopping with an error.",
    )
    state_dir: Path | None = Field(
        default=None,
        description="Where the running deployment keeps its artifacts, logs and state. "
        "Default: <project>/.faas/local/<stage>.",
    )

    @field_validator("emulate")
    @classmethod
    def _emulatable(cls, value: str | None) -> str | None:
        if value is not None and value not in emulatable_platforms():
            raise ValueError(_not_emulatable(value))
        return value
