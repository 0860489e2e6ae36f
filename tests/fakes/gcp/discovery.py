"""Google's published API descriptions, as the fake's router and request validator.

The discovery documents ship with google-api-python-client (`discovery_cache/documents`). Every
route the fake serves is a method of one of them; every query parameter and body field is checked
against that method's parameters and schema, so a request the real API would refuse with 400 is
refused here too, with the same kind of message.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import parse_qsl

from .errors import GoogleError, invalid_argument

DOCUMENTS = "googleapiclient.discovery_cache.documents"

# Parameters the client libraries send that are not in the documents: `$alt=json;enum-encoding=int`
# is the system-parameter alias of `alt` that tells the front end to accept integer enums.
_SYSTEM_ALIASES = {"$alt", "$callback", "$prettyPrint", "$fields", "$.xgafv"}

_DURATION = re.compile(r"^-?\d+(\.\d{1,9})?s$")
_DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)$")
_INT32 = (-(2**31), 2**31 - 1)
_UINT32 = (0, 2**32 - 1)


@dataclass(frozen=True)
class Method:
    """One discovery method: how it is reached and what it accepts."""

    id: str
    http_method: str
    flat: re.Pattern[str]
    path: re.Pattern[str]
    parameters: dict[str, dict[str, Any]]
    request: str | None
    response: str | None


@dataclass(frozen=True)
class Match:
    method: Method
    path_params: dict[str, str]
    query: dict[str, str]
    api: Api | None = None  # the document that routed it, whose schemas validate the body


@cache
def load(document: str) -> dict[str, Any]:
    """A discovery document by file stem, e.g. `cloudfunctions.v2`."""
    text = resources.files(DOCUMENTS).joinpath(f"{document}.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


class Apis:
    """Several versions of one API on one endpoint (Resource Manager v1 and v3): routed by path."""

    def __init__(self, *documents: str) -> None:
        self.versions = [Api(document) for document in documents]

    def route(self, http_method: str, path: str, query_string: str) -> Match:
        missing: GoogleError | None = None
        for api in self.versions:
            try:
                return api.route(http_method, path, query_string)
            except GoogleError as exc:
                if exc.status != "NOT_FOUND":
                    raise
                missing = exc
        assert missing is not None
        raise missing

    def validate(self, body: Any, schema_name: str, *, root: str, check_required: bool = True) -> dict[str, Any]:
        return self.versions[0].validate(body, schema_name, root=root, check_required=check_required)


def _template_regex(template: str, *, flat: bool) -> re.Pattern[str]:
    """`v2/{+name}:getIamPolicy` -> a regex; `{x}` is one segment, `{+x}` may span several."""
    out = ""
    for literal, plus, name in re.findall(r"([^{]*)(?:\{(\+?)([^}]+)\})?", template):
        out += re.escape(literal)
        if name:
            group = re.sub(r"\W", "_", name)
            out += f"(?P<{group}>.+?)" if plus and not flat else f"(?P<{group}>[^/:]+)"
    return re.compile(f"^/{out}$")


class Api:
    """One API (one discovery document): its routes and schemas."""

    def __init__(self, document: str) -> None:
        self.document = document
        self.doc = load(document)
        self.schemas: dict[str, dict[str, Any]] = self.doc["schemas"]
        self.methods: list[Method] = []
        self._collect(self.doc)
        # Longer literal paths first, so `functions:generateUploadUrl` wins over `functions/{id}`.
        self.methods.sort(key=lambda m: -len(m.flat.pattern))

    def _collect(self, node: dict[str, Any]) -> None:
        for method in node.get("methods", {}).values():
            self.methods.append(
                Method(
                    id=method["id"],
                    http_method=method["httpMethod"],
                    flat=_template_regex(method.get("flatPath", method["path"]), flat=True),
                    path=_template_regex(method["path"], flat=False),
                    parameters=method.get("parameters", {}),
                    request=method.get("request", {}).get("$ref"),
                    response=method.get("response", {}).get("$ref"),
                )
            )
        for child in node.get("resources", {}).values():
            self._collect(child)

    def route(self, http_method: str, path: str, query_string: str) -> Match:
        """The method a request addresses, with its validated parameters; 404 if none."""
        candidates = [m for m in self.methods if m.flat.match(path)]
        for method in candidates:
            if method.http_method != http_method:
                continue
            found = method.path.match(path)
            assert found is not None, (method.id, path)
            params = {name: value for name, value in found.groupdict().items()}
            return Match(method, params, self._query(method, params, query_string), self)
        if candidates:
            raise GoogleError("UNIMPLEMENTED", f"Method {http_method} is not allowed on {path}")
        raise GoogleError("NOT_FOUND", f"The requested URL {path} was not found on this server.")

    def _query(self, method: Method, path_params: dict[str, str], query_string: str) -> dict[str, str]:
        for name, value in path_params.items():
            pattern = method.parameters.get(name, {}).get("pattern")
            if pattern and not re.match(pattern, value):
                raise invalid_argument(
                    f"Invalid resource field value in the request: {name}={value!r}", field_path=name
                )
        query: dict[str, str] = {}
        system = self.doc.get("parameters", {})
        for name, value in parse_qsl(query_string, keep_blank_values=True):
            if name in _SYSTEM_ALIASES or name in system:
                if name in ("$alt", "alt") and value.split(";")[0] not in ("json", "proto", "media"):
                    raise invalid_argument(f"Invalid value for alt: {value}", field_path=name)
                continue
            spec = method.parameters.get(name)
            if spec is None or spec.get("location") != "query":
                raise invalid_argument(
                    f'Invalid JSON payload received. Unknown name "{name}": Cannot bind query parameter. '
                    f"Field '{name}' could not be found in request message."
                )
            _check_scalar(value, spec, name, from_query=True)
            query[name] = value
        for name, spec in method.parameters.items():
            if spec.get("required") and spec.get("location") == "query" and name not in query:
                raise invalid_argument(f"Missing required parameter: {name}", field_path=name)
        return query

    def validate(self, body: Any, schema_name: str, *, root: str, check_required: bool = True) -> dict[str, Any]:
        """Refuse what the schema refuses; return the body without its output-only fields."""
        if not isinstance(body, dict):
            raise invalid_argument(f"Invalid JSON payload received. Expected an object for '{root}'.")
        cleaned = self._object(body, self.schemas[schema_name], root, check_required=check_required)
        assert isinstance(cleaned, dict)
        return cleaned

    def _resolve(self, spec: dict[str, Any]) -> dict[str, Any]:
        return self.schemas[spec["$ref"]] if "$ref" in spec else spec

    def _object(self, value: dict[str, Any], schema: dict[str, Any], where: str, *, check_required: bool) -> Any:
        props: dict[str, Any] = schema.get("properties", {})
        cleaned: dict[str, Any] = {}
        for key, item in value.items():
            spec = props.get(key) or props.get(_camel(key))
            if spec is None:
                at = f" at '{where}'" if "." in where or where else ""
                raise invalid_argument(
                    f'Invalid JSON payload received. Unknown name "{key}"{at}: Cannot find field.', field_path=where
                )
            if spec.get("readOnly"):
                continue  # output-only fields are ignored on input, as the API documents
            cleaned[_camel(key)] = self._value(item, spec, f"{where}.{_snake(_camel(key))}".lstrip("."))
        if check_required:
            for key, spec in props.items():
                if spec.get("description", "").startswith("Required") and key not in cleaned:
                    path = f"{where}.{_snake(key)}".lstrip(".")
                    raise invalid_argument(f"Invalid value at '{path}': the field is required.", field_path=path)
        return cleaned

    def _value(self, value: Any, spec: dict[str, Any], where: str) -> Any:
        spec_ = self._resolve(spec)
        if value is None:
            return None
        kind = spec_.get("type")
        if kind == "object" and "additionalProperties" in spec_ and "properties" not in spec_:
            if not isinstance(value, dict):
                raise _bad(where, value, "map")
            return {k: self._value(v, spec_["additionalProperties"], f"{where}[{k}]") for k, v in value.items()}
        if kind == "object" or "properties" in spec_:
            if not isinstance(value, dict):
                raise _bad(where, value, "message")
            return self._object(value, spec_, where, check_required=True)
        if kind == "array":
            if not isinstance(value, list):
                raise _bad(where, value, "repeated")
            return [self._value(v, spec_["items"], where) for v in value]
        if kind == "any":
            return value
        return _check_scalar(value, spec_, where, from_query=False)


def _check_scalar(value: Any, spec: dict[str, Any], where: str, *, from_query: bool) -> Any:
    kind, fmt = spec.get("type"), spec.get("format", "")
    if "enum" in spec:
        # Integer enums arrive with enum-encoding=int; their numbers are checked by the proto layer.
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and value.isdigit() and from_query:
            return int(value)
        if value not in spec["enum"]:
            raise _bad(where, value, "enum")
        return value
    if kind == "boolean":
        if from_query and value in ("true", "false"):
            return value == "true"
        if not isinstance(value, bool):
            raise _bad(where, value, "TYPE_BOOL")
        return value
    if kind == "integer" or (kind == "string" and fmt in ("int64", "uint64")):
        try:
            number = int(value) if not isinstance(value, bool) and not isinstance(value, float) else None
        except (TypeError, ValueError):
            number = None
        if number is None or (isinstance(value, str) and not re.fullmatch(r"-?\d+", value)):
            raise _bad(where, value, f"TYPE_{fmt.upper() or 'INT32'}")
        low, high = _UINT32 if fmt == "uint32" else _INT32 if fmt in ("int32", "") else (-(2**63), 2**64)
        if not low <= number <= high:
            raise _bad(where, value, f"TYPE_{fmt.upper()}")
        return value
    if kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise _bad(where, value, "TYPE_DOUBLE")
        return value
    if kind == "string":
        if not isinstance(value, str):
            raise _bad(where, value, "TYPE_STRING")
        if fmt == "google-duration" and not _DURATION.match(value):
            raise invalid_argument(
                f"Invalid value at '{where}' (type.googleapis.com/google.protobuf.Duration), {value!r}"
            )
        if fmt == "google-datetime" and not _DATETIME.match(value):
            raise invalid_argument(
                f"Invalid value at '{where}' (type.googleapis.com/google.protobuf.Timestamp), {value!r}"
            )
        if fmt == "byte":
            try:
                base64.b64decode(value.replace("-", "+").replace("_", "/") + "==", validate=False)
            except (binascii.Error, ValueError):
                raise _bad(where, value, "TYPE_BYTES") from None
        return value
    return value


def _bad(where: str, value: Any, kind: str) -> GoogleError:
    return invalid_argument(f"Invalid value at '{where}' ({kind}), {json.dumps(value)}", field_path=where)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


def camel(name: str) -> str:
    """A field path (`service_config.available_memory`) in the JSON spelling the fake stores."""
    return ".".join(_camel(part) for part in name.split("."))
