"""The fast encoder: the JSON dict of an event, as the codec writes it,
without ``cattrs``.

Every append turns its events into dicts twice over: once without ``id``
(the content id hashes it, :mod:`unledger.ids`) and once for the line. The
codec's :func:`~unledger.codec.event_to_dict` is the reference: ``cattrs``
unstructures the event (a field equal to its default is left out, required
fields first, then the defaulted ones, each in class order), then ``kind``,
``v``, ``id`` and ``date`` go first and ``source`` and ``note`` last. This
module generates, per event class, one function that builds that same dict
directly (:mod:`unledger.log.codegen`, the code generator the fast decoder
uses), with the same comparisons against the same defaults.

Only unledger's own classes, and only field types whose unstructuring is
known here (scalars, dates, tuples of scalars, maps, nested unledger attrs
classes, a nested event); anything else is left to the codec. The test
suite checks both give the same dict, key for key and in order, for
generated events of every kind.
"""

from __future__ import annotations

import types
from collections.abc import Callable
from operator import attrgetter
from typing import Any, Union, get_args, get_origin

import attrs
import immutables

from ..codec import event_to_dict
from ..dates import PartialDate
from ..events.base import Event, _convert_optional_date
from .codegen import compile_function

__all__ = ["encoder_for", "to_dict", "to_dict_with_id"]

#: Generated functions by class (``None``: left to the codec).
_ENCODERS: dict[type, Callable[..., dict[str, Any]] | None] = {}
_SCALARS = (str, int, bool, float)
#: Fields :func:`~unledger.codec.event_to_dict` puts in a place of their own.
_PLACED = ("id", "date", "source", "note")


def to_dict(event: Event) -> dict[str, Any]:
    """:func:`~unledger.codec.event_to_dict` of ``event`` (the same dict)."""
    encode = _ENCODERS.get(event.__class__, _missing)
    if encode is _missing:
        encode = encoder_for(event.__class__)
    if encode is None:
        return event_to_dict(event)
    return encode(event, event.id)


def to_dict_with_id(event: Event, event_id: str | None) -> dict[str, Any]:
    """:func:`to_dict` of ``event`` as if its id were ``event_id`` (``None``:
    without one), without copying the event first."""
    encode = _ENCODERS.get(event.__class__, _missing)
    if encode is _missing:
        encode = encoder_for(event.__class__)
    if encode is None:
        body = event_to_dict(event)
        body.pop("id", None)
        if event_id is None:
            return body
        out = {"kind": body.pop("kind")}
        if "v" in body:
            out["v"] = body.pop("v")
        out["id"] = event_id
        out.update(body)
        return out
    return encode(event, event_id)


def _missing(event: Any, event_id: Any) -> dict[str, Any]:  # a sentinel only
    raise AssertionError


def encoder_for(cls: type) -> Callable[..., dict[str, Any]] | None:
    """The generated ``encode(event, event_id)`` of the event class ``cls``,
    or ``None`` when this module leaves the class to the codec."""
    if cls in _ENCODERS:
        return _ENCODERS[cls]
    if not (isinstance(cls, type) and issubclass(cls, Event) and cls.kind):
        _ENCODERS[cls] = None
        return None
    return _generated(_ENCODERS, cls, event=True)


_NESTED: dict[type, Callable[[Any], dict[str, Any]] | None] = {}


def _nested_for(cls: type) -> Callable[[Any], dict[str, Any]] | None:
    """The generated unstructuring of a nested (non-event) attrs class."""
    if cls in _NESTED:
        return _NESTED[cls]
    return _generated(_NESTED, cls, event=False)


def _generated(memo: dict[type, Any], cls: type, *, event: bool) -> Any:
    """Compile ``cls``'s unstructuring into ``memo`` (``None`` when this
    module leaves the class to the codec)."""
    memo[cls] = None  # guards recursion; replaced below on success
    source = _unstructure_source(cls, event=event)
    if source is None:
        return None
    name, lines, namespace = source
    memo[cls] = function = compile_function(name, "\n".join(lines) + "\n", namespace)
    return function


def _unstructure_source(cls: type, *, event: bool) -> tuple[str, list[str], dict[str, Any]] | None:
    """The source of the function unstructuring ``cls`` as ``cattrs`` does
    with ``omit_if_default`` (and, for an event, as ``event_to_dict`` then
    orders it); ``None`` when some field is not one this module knows."""
    if not (cls.__module__.startswith("unledger.") and attrs.has(cls)):
        return None
    try:
        attrs.resolve_types(cls)
    except Exception:
        return None
    fields = attrs.fields(cls)
    if any(not f.init or f.alias != f.name for f in fields):
        return None
    namespace: dict[str, Any] = {"read": attrgetter(*[f.name for f in fields]) if len(fields) > 1 else None}
    name = f"{'encode' if event else 'unstructure'}_{cls.__name__}"
    lines = [f"def {name}(e{', event_id' if event else ''}):"]
    values = ", ".join(f"f{i}" for i in range(len(fields)))
    lines.append(f"    {values}, = read(e)" if len(fields) > 1 else f"    f0 = e.{fields[0].name}")
    index = {f.name: i for i, f in enumerate(fields)}
    required = [f for f in fields if f.default is attrs.NOTHING]
    defaulted = [f for f in fields if f.default is not attrs.NOTHING]
    if event:
        if "date" not in index or "id" not in index:
            return None
        head = [f'"kind": {cls.kind!r}'] + ([f'"v": {cls.version!r}'] if cls.version != 1 else [])  # type: ignore[attr-defined]
        lines.append(f"    d = {{{', '.join(head)}}}")
        lines.append("    if event_id is not None:")
        lines.append('        d["id"] = event_id')
        lines.append(f'    d["date"] = f{index["date"]}.text')
        required = [f for f in required if f.name not in _PLACED]
        defaulted = [f for f in defaulted if f.name not in _PLACED]
    else:
        lines.append("    d = {}")
    for f in required + defaulted:
        if not _field_source(f, f"f{index[f.name]}", namespace, lines):
            return None
    if event:
        for placed in ("source", "note"):
            f = attrs.fields_dict(cls).get(placed)
            if f is None:
                continue
            value = f"f{index[placed]}"
            # event_to_dict writes them last, and only when not None.
            sub: list[str] = []
            if not _field_source(f, value, namespace, sub):
                return None
            if sub[0] != f"    if {value} is not None:":
                lines.append(f"    if {value} is not None:")
                sub = ["    " + line for line in sub]
            lines.extend(sub)
    lines.append("    return d")
    return name, lines, namespace


def _field_source(f: attrs.Attribute[Any], value: str, namespace: dict[str, Any], lines: list[str]) -> bool:
    """Add to ``lines`` the statement putting field ``f`` (read into the
    variable ``value``) into ``d`` as ``cattrs`` would: left out when equal
    to its default; ``False`` when its type is not one this module knows."""
    expression = _expression(f.type, value, namespace, f.name)
    if expression is None:
        return False
    if f.default is attrs.NOTHING:
        lines.append(f"    d[{f.name!r}] = {expression}")
        return True
    default = _default_source(f, namespace)
    if default is None:
        return False
    if namespace.get(default, _missing) is None:
        # Left out when None: ``!= None`` holds for every other value of
        # these types, so the test is ``is not None`` and the value not None.
        lines.append(f"    if {value} is not None:")
        expression = _expression(f.type, value, namespace, f.name, optional=False)
    else:
        lines.append(f"    if {value} != {default}:")
    lines.append(f"        d[{f.name!r}] = {expression}")
    return True


def _default_source(f: attrs.Attribute[Any], namespace: dict[str, Any]) -> str | None:
    """The expression ``cattrs`` compares a field with to leave it out: the
    default (a factory called), passed through the field's converter."""
    default = f.default
    if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
        if default.takes_self:  # type: ignore[union-attr]
            return None
        namespace[f"_factory_{f.name}"] = default.factory  # type: ignore[union-attr]
        source = f"_factory_{f.name}()"
    else:
        namespace[f"_default_{f.name}"] = default
        source = f"_default_{f.name}"
    conv = f.converter
    if conv is None:
        return source
    if isinstance(conv, attrs.Converter):
        if conv.converter is _convert_optional_date and default is None:  # type: ignore[attr-defined]
            return source  # it keeps None as None
        # As cattrs calls it: with the instance and the field.
        namespace[f"_convert_{f.name}"], namespace[f"_field_{f.name}"] = conv, f
        return f"_convert_{f.name}({source}, e, _field_{f.name})"
    if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
        namespace[f"_convert_{f.name}"] = conv
        return f"_convert_{f.name}({source})"
    namespace[f"_default_{f.name}"] = conv(default)  # type: ignore[operator]
    return source


def _expression(t: Any, value: str, namespace: dict[str, Any], name: str, *, optional: bool = True) -> str | None:
    """How ``cattrs`` (with the codec's hooks) unstructures a value of type
    ``t`` held in ``value``: an expression, or ``None`` when not known here.
    ``optional=False``: the value is known not to be ``None``."""
    if get_origin(t) in (Union, types.UnionType):
        parts = [a for a in get_args(t) if a is not type(None)]
        if len(parts) != 1 or get_origin(parts[0]) is tuple:  # a tuple in a union: cattrs sees a bare tuple
            return None
        # cattrs dispatches a union on the value's class: None passes as is.
        inner = _expression(parts[0], value, namespace, name)
        if inner is None:
            return None
        return inner if inner == value or not optional else f"(None if {value} is None else {inner})"
    if t in _SCALARS:
        return value
    if t is PartialDate:
        return f"{value}.text"
    if get_origin(t) is tuple:
        args = get_args(t)
        if len(args) == 2 and args[1] is Ellipsis and args[0] in _SCALARS:
            return f"list({value})"
        return None
    if t is immutables.Map or get_origin(t) is immutables.Map:
        return f"dict({value})"
    if t is Event:
        namespace["_to_dict"] = to_dict
        return f"_to_dict({value})"
    if isinstance(t, type) and attrs.has(t) and not issubclass(t, Event):
        nested = _nested_for(t)
        if nested is None:
            return None
        namespace[f"_nested_{name}"] = nested
        return f"_nested_{name}({value})"
    return None
