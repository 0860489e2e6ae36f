# mypy: disable-error-code="no-untyped-call,import-untyped"
"""The second check every body gets: parsed into the client library's own protobuf message.

Google's front end turns REST JSON into the service's proto, so integer enums (the clients send
`enum-encoding=int`), int64 strings and well-known types are judged by the proto's own numbers. The
discovery document cannot do that: its enum lists are in declaration order, not by number. Parsing
and printing back also gives the fake one stored spelling: camelCase keys, enum names, defaults left
out (as Google's responses leave them out).
"""

from __future__ import annotations

from typing import Any

from google.protobuf import json_format
from google.protobuf.message import Message

from .errors import invalid_argument


def canonical(body: dict[str, Any], message: type[Message], *, where: str) -> dict[str, Any]:
    """`body` as the proto reads it, or 400 INVALID_ARGUMENT with the parser's reason."""
    parsed = message()
    try:
        json_format.ParseDict(body, parsed, ignore_unknown_fields=False)
    except json_format.ParseError as exc:
        raise invalid_argument(f"Invalid JSON payload received at '{where}'. {exc}", field_path=where) from None
    _known_enums(parsed, where)
    return to_json(parsed)


def _known_enums(message: Message, where: str) -> None:
    """Open proto3 enums keep numbers they do not define; the service refuses them."""
    for fd, value in message.ListFields():
        path = f"{where}.{fd.name}"
        if fd.message_type is not None and fd.message_type.GetOptions().map_entry:
            values = list(value.values())
            if fd.message_type.fields_by_name["value"].message_type is None:
                continue
        else:
            values = list(value) if fd.is_repeated else [value]
        for item in values:
            if fd.enum_type is not None and item not in fd.enum_type.values_by_number:
                raise invalid_argument(f"Invalid value at '{path}' ({fd.enum_type.full_name}), {item}", field_path=path)
            if isinstance(item, Message):
                _known_enums(item, path)


def to_json(message: Message) -> dict[str, Any]:
    out: dict[str, Any] = json_format.MessageToDict(message, preserving_proto_field_name=False)
    return out
