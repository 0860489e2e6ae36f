"""The vendor-neutral configuration model."""

from __future__ import annotations

from faas.core.model.base import FaasModel
from faas.core.model.limits import FunctionLimits, check_limits
from faas.core.model.project import (
    AppConfig,
    FunctionConfig,
    PackageConfig,
    ProjectConfig,
    StorageConfig,
)
from faas.core.model.schedule import Schedule, ScheduleError, parse_schedule
from faas.core.model.schedule_dialects import (
    CLOUD_SCHEDULER,
    EVENTBRIDGE,
    NCRONTAB,
    NativeSchedule,
    ScheduleDialect,
    UnsupportedScheduleError,
)
from faas.core.model.secrets import SECRET_REFERENCE, check_secret_references, secret_references
from faas.core.model.triggers import (
    TRIGGER_TYPES,
    QueueSource,
    QueueTrigger,
    ScheduleTrigger,
    StorageEvent,
    StorageTrigger,
    TopicSource,
    TopicTrigger,
    Trigger,
    TriggerModel,
)

__all__ = [
    "CLOUD_SCHEDULER",
    "EVENTBRIDGE",
    "NCRONTAB",
    "SECRET_REFERENCE",
    "TRIGGER_TYPES",
    "AppConfig",
    "FaasModel",
    "FunctionConfig",
    "FunctionLimits",
    "NativeSchedule",
    "PackageConfig",
    "ProjectConfig",
    "QueueSource",
    "QueueTrigger",
    "Schedule",
    "ScheduleDialect",
    "ScheduleError",
    "ScheduleTrigger",
    "StorageConfig",
    "StorageEvent",
    "StorageTrigger",
    "TopicSource",
    "TopicTrigger",
    "Trigger",
    "TriggerModel",
    "UnsupportedScheduleError",
    "check_limits",
    "check_secret_references",
    "parse_schedule",
    "secret_references",
]
