"""The JSON Schema of faas.toml, including the options of every installed provider."""

from __future__ import annotations

import copy
from typing import Any

from faas.core.model import ProjectConfig
from faas.core.plugins.manager import ProviderRegistry

SCHEMA_ID = "https://faasport.readthedocs.io/schema/faas.schema.json"


def build_schema(registry: ProviderRegistry) -> dict[str, Any]:
    """The project schema with `providers.<name>` described by each provider's `Options` model."""
    schema = copy.deepcopy(ProjectConfig.model_json_schema())
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = SCHEMA_ID
    definitions = schema.setdefault("$defs", {})
    provider_properties: dict[str, Any] = {}
    for info in registry.infos():
        options = info.provider.Options.model_json_schema(ref_template="#/$defs/{model}")
        for name, definition in options.pop("$defs", {}).items():
            definitions.setdefault(name, definition)
        key = f"{info.name.capitalize()}ProviderOptions"
        options["description"] = options.get("description") or f"Options of the {info.name} provider."
        definitions[key] = options
        provider_properties[info.name] = {"$ref": f"#/$defs/{key}"}
    providers = schema["properties"]["providers"]
    providers["properties"] = provider_properties
    providers["additionalProperties"] = {"type": "object", "description": "Options of a provider not installed here."}
    providers.pop("default", None)
    providers["default"] = {}
    return schema
