"""The vendor-neutral configuration model."""

from __future__ import annotations

from faas.core.model.base import FaasModel
from faas.core.model.project import (
    AppConfig,
    FunctionConfig,
    PackageConfig,
    ProjectConfig,
    StorageConfig,
)
from faas.core.model.schedule import Schedule, ScheduleError, parse_schedule
from faas.core.model.triggers import (
    QueueSource,
    QueueTrigger,
    ScheduleTrigger,
    StorageEvent,
    StorageTrigger,
    Trigger,
)

__all__ = [
    "AppConfig",
    "FaasModel",
    "FunctionConfig",
    "PackageConfig",
    "ProjectConfig",
    "QueueSource",
    "QueueTrigger",
    "Schedule",
    "ScheduleError",
    "ScheduleTrigger",
    "StorageConfig",
    "StorageEvent",
    "StorageTrigger",
    "Trigger",
    "parse_schedule",
]
