"""`[providers.local]`: which cloud to emulate and where to serve it."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field

from faas import ProviderOptions

Platform = Literal["aws", "gcp", "azure"]
FrontDoor = Literal["http-api", "rest-api", "function-url"]
PLATFORMS: tuple[Platform, ...] = ("aws", "gcp", "azure")


class LocalOptions(ProviderOptions):
    """Options of the local provider; every one can also be given on the command line."""

    emulate: Platform | None = Field(
        default=None,
        description="Cloud to emulate: aws, gcp or azure. Default: the project's provider if it is one "
        "of those, else aws.",
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
