"""Events to JSON and back: a ``cattrs`` converter over ``orjson``.

The JSON shape of an event is ``{"kind": ..., "id": ..., "date": ...,
<the kind's fields>, "source": ..., "note": ...}``. Fields equal to their
default are omitted, so lines stay short and a kind can gain an optional
field without a new version. ``"v"`` is written only for kinds whose schema
version is above 1; reading an older version runs the kind's upcasters.

The converter is deliberately strict: cattrs would happily turn ``5`` into
``"5"`` or ``"false"`` into ``True``; here scalars pass through untouched and
the events' own validators refuse the wrong types with a message that names
the field.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final, get_args, get_origin

import cattrs
import immutables
import orjson
from cattrs.preconf.orjson import make_converter

from .dates import PartialDate
from .errors import InvalidEvent, UnledgerError
from .events.base import ID_PATTERN, Event
from .events.registry import kind_class, upcast

__all__ = [
    "converter",
    "event_to_dict",
    "event_from_dict",
    "dumps_event",
    "loads_event",
    "parse_json",
    "parse_json_objects",
    "MAX_NESTING",
]

#: JSON deeper than this is refused before it reaches the converter.
MAX_NESTING: Final = 32

converter = make_converter(omit_if_default=True, forbid_extra_keys=True, detailed_validation=True)


def _passthrough(value: Any, _type: Any) -> Any:
    return value


for _scalar in (str, int, bool, float):
    converter.register_structure_hook(_scalar, _passthrough)

# Dates pass through too: the events' own date converters parse them, and
# their errors name the field ('date', 'term_start'...).
converter.register_structure_hook(PartialDate, _passthrough)
converter.register_unstructure_hook(PartialDate, lambda value: value.text)


def _is_tuple_of_scalars(t: Any) -> bool:
    return get_origin(t) is tuple and get_args(t)[-1:] == (Ellipsis,)


converter.register_structure_hook_func(
    _is_tuple_of_scalars, lambda value, _t: tuple(value) if isinstance(value, list) else value
)
converter.register_unstructure_hook_func(_is_tuple_of_scalars, lambda value: list(value))


def _is_map(t: Any) -> bool:
    return t is immutables.Map or get_origin(t) is immutables.Map


converter.register_structure_hook_func(
    _is_map, lambda value, _t: immutables.Map(value) if isinstance(value, Mapping) else value
)
converter.register_unstructure_hook_func(_is_map, lambda value: dict(value))


def _is_event_type(t: Any) -> bool:
    return t is Event


converter.register_structure_hook_func(_is_event_type, lambda value, _t: event_from_dict(value))
converter.register_unstructure_hook_func(_is_event_type, lambda value: event_to_dict(value))


def event_to_dict(event: Event) -> dict[str, Any]:
    """The JSON-ready dict of an event, ``kind`` first."""
    cls = type(event)
    if not cls.kind:
        raise InvalidEvent(f"{cls.__name__} is not a registered event kind", field="kind")
    body = converter.unstructure(event, unstructure_as=cls)
    out: dict[str, Any] = {"kind": cls.kind}
    if cls.version != 1:
        out["v"] = cls.version
    if "id" in body:
        out["id"] = body.pop("id")
    out["date"] = body.pop("date", event.date.text)
    source = body.pop("source", None)
    note = body.pop("note", None)
    out.update(body)
    if source is not None:
        out["source"] = source
    if note is not None:
        out["note"] = note
    return out


def event_from_dict(obj: Any, *, position: str | None = None) -> Event:
    """Build an event from its JSON dict; every failure is an :class:`InvalidEvent`.

    ``position`` (e.g. ``"line 3"``) names the event in errors when it has no id.
    """
    if not isinstance(obj, dict):
        raise InvalidEvent(f"expected a JSON object, got {type(obj).__name__}", event=position)
    raw_id = obj.get("id")
    # An invalid id (a megabyte of it, say) must not become the error's name.
    label = raw_id if isinstance(raw_id, str) and ID_PATTERN.fullmatch(raw_id) else position
    fields = dict(obj)
    try:
        cls = kind_class(fields.pop("kind", None))
        version = fields.pop("v", 1)
        if version.__class__ is not int or version < 1:
            raise InvalidEvent(f"schema version must be a whole number >= 1, got {version!r}", field="v")
        if version != cls.version:
            fields = upcast(cls.kind, version, fields, cls.version)
        return converter.structure(fields, cls)
    except InvalidEvent as exc:
        raise _relabel(exc, label) from None
    except cattrs.BaseValidationError as exc:
        inner = _first_unledger_error(exc)
        if isinstance(inner, InvalidEvent):
            if inner.field is None:  # a nested event (a correction's replacement) that is not one
                inner = type(inner)(inner.reason, event=inner.event, field=_attribute_of(exc, inner))
            raise _relabel(inner, label) from None
        messages = cattrs.transform_error(exc, path=obj["kind"] if isinstance(obj.get("kind"), str) else "event")
        raise InvalidEvent(_printable("; ".join(messages) or str(exc)), event=label) from None
    except (TypeError, ValueError, KeyError, AttributeError, RecursionError) as exc:
        raise InvalidEvent(_printable(f"cannot read event: {exc}"), event=label) from None


def _printable(text: str, limit: int = 500) -> str:
    """``text`` quoting input (an unknown key, say) made safe to show: control
    characters escaped, so a message stays one line and cannot drive a
    terminal, and cut to ``limit`` characters."""
    text = "".join(repr(ch)[1:-1] if ch < " " or "\x7f" <= ch <= "\x9f" else ch for ch in text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _relabel(exc: InvalidEvent, label: str | None) -> InvalidEvent:
    if label is None or exc.event == label:
        return exc
    kind = exc.event if exc.event and not exc.event.startswith("(") else None
    reason = exc.reason if kind is None or kind == label else f"{kind}: {exc.reason}"
    return type(exc)(reason, event=label, field=exc.field)


def _attribute_of(group: BaseException, error: UnledgerError) -> str | None:
    """The attribute whose structuring raised ``error``, as cattrs notes it."""
    for sub in getattr(group, "exceptions", ()):
        if _first_unledger_error(sub) is error:
            for note in getattr(sub, "__notes__", ()):
                name = getattr(note, "name", None)
                if isinstance(name, str):
                    return name
    return None


def _first_unledger_error(group: BaseException) -> UnledgerError | None:
    if isinstance(group, UnledgerError):
        return group
    for sub in getattr(group, "exceptions", ()):
        found = _first_unledger_error(sub)
        if found is not None:
            return found
    cause = group.__cause__ or group.__context__
    if isinstance(cause, UnledgerError):
        return cause
    return None


def dumps_event(event: Event) -> bytes:
    return orjson.dumps(event_to_dict(event))


def loads_event(data: bytes | str, *, position: str | None = None) -> Event:
    return event_from_dict(parse_json(data, position=position), position=position)


def parse_json(data: bytes | str, *, position: str | None = None) -> Any:
    """Parse untrusted JSON text strictly.

    Refuses what ``orjson`` would let through or turn into a traceback:
    duplicate keys, ``NaN`` and infinities, a byte-order mark, invalid UTF-8,
    nesting deeper than :data:`MAX_NESTING` and empty input.
    """
    text = _decode(data, position)
    if not text.strip():
        raise InvalidEvent("is empty", event=position)
    if _nesting(text) > MAX_NESTING:
        raise InvalidEvent(f"JSON nested deeper than {MAX_NESTING} levels", event=position)
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constants)
    except InvalidEvent as exc:
        raise InvalidEvent(exc.reason, event=position) from None
    except json.JSONDecodeError as exc:
        raise InvalidEvent(f"is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}", event=position) from None
    except RecursionError:
        raise InvalidEvent(f"JSON nested deeper than {MAX_NESTING} levels", event=position) from None


def parse_json_objects(data: bytes | str, *, name: str = "input") -> list[Any]:
    """Read a JSON array of events, or JSON lines (one object per line).

    Blank lines between JSON lines are refused too: an empty line usually
    means a damaged file. Errors name ``name`` and the line.
    """
    text = _decode(data, name)
    stripped = text.lstrip()
    if stripped.startswith("["):
        value = parse_json(text, position=name)
        if not isinstance(value, list):
            raise InvalidEvent("expected a JSON array of events", event=name)
        return value
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines:
        raise InvalidEvent("holds no events", event=name)
    return [parse_json(line, position=f"{name} line {n}") for n, line in enumerate(lines, 1)]


def _decode(data: bytes | str, position: str | None) -> str:
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidEvent(f"is not valid UTF-8 (byte {exc.start})", event=position) from None
    if data.startswith("\ufeff"):
        raise InvalidEvent("starts with a byte-order mark; save the file as UTF-8 without BOM", event=position)
    return data


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise InvalidEvent(f"key {key!r} appears twice in one object")
        out[key] = value
    return out


def _no_constants(name: str) -> Any:
    raise InvalidEvent(f"{name} is not a number JSON allows")


def _nesting(text: str) -> int:
    # An upper bound (brackets inside strings count too), cheap and safe:
    # refusing a deep string of brackets is fine, recursing into one is not.
    if text.count("[") + text.count("{") <= MAX_NESTING:
        return 0
    depth = deepest = 0
    for ch in text:
        if ch in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
        elif ch in "]}":
            depth -= 1
    return deepest
