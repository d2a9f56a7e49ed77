"""The fast decoder: the same events as the strict one, without ``cattrs``.

Opening a log sends every line through here. The strict path
(:mod:`unledger.log.strict`: ``cattrs`` structuring, then the event class's
``__init__``) is the reference; this path builds the event with one
generated constructor per class (:mod:`unledger.log.codegen`) that does what
that ``__init__`` does (each field's converter, then each field's own
validator, then ``__attrs_post_init__``) and what the codec's structuring
does (lists to tuples, objects to maps and nested classes, unknown keys
refused), without the generic machinery around it. The field helpers of
:mod:`unledger.events.base` declare in their metadata what the decoder may
do beyond that (codes are interned: one string per code, however many lines
name it).

So the fast path validates exactly what the strict path validates; anything
it cannot build, or refuses, goes through the strict path, which names the
error. The test suite checks both give equal events on generated events of
every kind, and that both refuse the same hostile lines.

A line reaches a decoder only after its frame, its place in the chain and
its hash were checked (:func:`~unledger.log.line.frame_ok`) and its JSON
was parsed strictly (:func:`~unledger.log.line.parse_line`): every failure
is an :class:`~unledger.errors.IntegrityError` naming the line.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Callable, Mapping
from operator import attrgetter as _attrgetter
from typing import Any, Final, Union, get_args, get_origin

import attrs
import immutables

from ..errors import IntegrityError
from ..events.base import DECODE, Event, _check_code, _check_optional_code, _convert_date, _convert_optional_date
from ..events.registry import _KINDS, kind_class
from .codegen import compile_function
from .line import GENESIS, Record, chained_digest, check_line, hash_of, parse_line
from .strict import strict_event

__all__ = ["trusted_event_from_dict", "decode_lines", "with_fields", "copy_with_id", "builder_for"]

_MISSING = object()
_BUILDERS: dict[type, Callable[[dict[str, Any]], Any] | None] = {}
_new = object.__new__


def _structure(t: Any) -> tuple[str, Any] | None:
    """What the codec's structuring does to a JSON value of type ``t`` before
    the class sees it: an expression template and the helper it needs, or
    ``None`` when this decoder leaves the type to the strict path."""
    if get_origin(t) in (Union, types.UnionType):
        parts = [a for a in get_args(t) if a is not type(None)]
        if len(parts) == 1:
            inner = _structure(parts[0])
            if inner is None:
                return None
            template, helper = inner
            return (template, helper) if template == "{v}" else ("None if {v} is None else " + template, helper)
        if all(_structure(a) == ("{v}", None) for a in parts):
            return "{v}", None
        return None
    if t in (str, int, bool, float) or t is Any or (isinstance(t, type) and t.__name__ == "PartialDate"):
        return "{v}", None  # scalars and dates pass through: the class's converters and validators judge them
    if get_origin(t) is tuple or t is tuple:
        return "(tuple({v}) if {v}.__class__ is list else {v})", None
    if t is immutables.Map or get_origin(t) is immutables.Map:
        return "(_Map({v}) if isinstance({v}, _Mapping) else {v})", None
    if isinstance(t, type) and attrs.has(t) and not issubclass(t, Event):
        nested = builder_for(t)
        if nested is None:
            return None
        return "_nested_{name}({v})", nested
    return None


def builder_for(cls: type) -> Callable[[dict[str, Any]], Any] | None:
    """The generated constructor of the attrs class ``cls`` (``None`` when
    this decoder leaves the class to the strict path). It returns ``None``
    for a dict with keys the class does not have, and raises whatever the
    class's own converters and validators raise."""
    if cls in _BUILDERS:
        return _BUILDERS[cls]
    _BUILDERS[cls] = None  # guards recursion; replaced below on success
    # unledger's own classes only: a user's class may construct itself in
    # ways a generated constructor cannot know (its own __init__, say).
    if not (cls.__module__.startswith("unledger.") and attrs.has(cls) and "__slots__" in cls.__dict__):
        return None
    try:
        attrs.resolve_types(cls)
    except Exception:
        return None
    fields = attrs.fields(cls)
    namespace: dict[str, Any] = {
        "_new": _new,
        "cls": cls,
        "_Map": immutables.Map,
        "_Mapping": Mapping,
        "_MISSING": _MISSING,
        "_intern": sys.intern,
        "_codes": _CODES,
        "_DATE_MOST": _TABLE_MOST,
        "_allowed": frozenset(f.name for f in fields) | ({"kind", "v"} if issubclass(cls, Event) else set()),
    }
    name = f"build_{cls.__name__}"
    lines = [f"def {name}(d):", "    if not d.keys() <= _allowed:", "        return None", "    inst = _new(cls)"]
    checks: list[str] = []
    for f in fields:
        if not _field_source(cls, f, namespace, lines, checks):
            return None
    lines.extend(checks)  # attrs validates once every field is set, in field order
    if hasattr(cls, "__attrs_post_init__"):
        lines.append("    inst.__attrs_post_init__()")
    for f in fields:  # what the field helpers declare the decoder may do once the value is valid
        decode = f.metadata.get(DECODE)
        if decode == "code" and _code_source(f) is None:
            lines.append(f"    v = _get_{f.name}(inst)")
            lines.append(f"    if v is not None: _set_{f.name}(inst, _intern(v))")
        elif decode == "codes":
            lines.append(f"    _set_{f.name}(inst, tuple(map(_intern, _get_{f.name}(inst))))")
            namespace[f"_get_{f.name}"] = getattr(cls, f.name).__get__
    lines.append("    return inst")
    build = compile_function(name, "\n".join(lines) + "\n", namespace)
    _BUILDERS[cls] = build
    return build


def _field_source(
    cls: type, f: attrs.Attribute[Any], namespace: dict[str, Any], lines: list[str], checks: list[str]
) -> bool:
    """Add to ``lines`` the source that reads, structures and converts field
    ``f`` and sets it, and to ``checks`` the call of its validator; ``False``
    when this decoder leaves the field (and so the class) to the strict path.

    Three shortcuts, each doing what the class would do: a date string
    already parsed takes its :class:`PartialDate` from a table (the
    converter ran on that very string before); a code already validated
    takes its interned string from a table (the validator accepted that very
    string); a field left out takes its default, converted and validated
    once when the constructor is generated. unledger's field validators read
    only the value (the instance and field name only for their messages),
    so when they run does not change what is accepted."""
    if not f.init:
        return False
    structure = _structure(f.type)
    if structure is None:
        return False
    template, helper = structure
    if helper is not None:
        namespace[f"_nested_{f.name}"] = helper
    namespace[f"_set_{f.name}"] = getattr(cls, f.name).__set__
    namespace[f"_get_{f.name}"] = getattr(cls, f.name).__get__
    namespace[f"_field_{f.name}"] = f
    if f.validator is not None:
        namespace[f"_check_{f.name}"] = f.validator
    shortcut = _date_source(f, namespace) or _code_source(f)
    if shortcut is not None:
        read = f"d[{f.name!r}]" if f.default is attrs.NOTHING else f"d.get({f.name!r})"
        lines.append(f"    v = {read}")
        lines.extend(shortcut)
        lines.append(f"    _set_{f.name}(inst, v)")
        return True
    converted = _converted(f, namespace, template.format(v="v", name=f.name))
    check = f"_check_{f.name}(inst, _field_{f.name}, _get_{f.name}(inst))" if f.validator is not None else None
    if f.default is attrs.NOTHING:
        lines.append(f"    v = d[{f.name!r}]")
        if converted != "v":
            lines.append(f"    v = {converted}")
    elif _valid_default(cls, f, namespace):
        lines.extend(_defaulted_source(f, converted))
        return True
    else:
        fallback = _fallback(f, namespace)
        if fallback is None:
            return False
        # attrs converts and validates defaults too: so does this.
        lines.append(f"    v = d.get({f.name!r}, _MISSING)")
        lines.append(f"    v = {_converted(f, namespace, fallback)} if v is _MISSING else {converted}")
    lines.append(f"    _set_{f.name}(inst, v)")
    if check is not None:
        checks.append(f"    {check}")
    return True


def _defaulted_source(f: attrs.Attribute[Any], converted: str) -> list[str]:
    """The source of a field whose default was converted and validated when
    the constructor was generated: only a value present is converted and
    validated (unledger's validators read only the value)."""
    out = [f"    v = d.get({f.name!r}, _MISSING)", "    if v is _MISSING:", f"        _set_{f.name}(inst, _valid_default_{f.name})", "    else:"]
    if converted != "v":
        out.append(f"        v = {converted}")
    out.append(f"        _set_{f.name}(inst, v)")
    if f.validator is not None:
        out.append(f"        _check_{f.name}(inst, _field_{f.name}, v)")
    return out


def _fallback(f: attrs.Attribute[Any], namespace: dict[str, Any]) -> str | None:
    """The expression of ``f``'s default (``None``: a factory taking self)."""
    if isinstance(f.default, attrs.Factory):  # type: ignore[arg-type]
        if f.default.takes_self:  # type: ignore[union-attr]
            return None
        namespace[f"_default_{f.name}"] = f.default.factory  # type: ignore[union-attr]
        return f"_default_{f.name}()"
    namespace[f"_default_{f.name}"] = f.default
    return f"_default_{f.name}"


#: Date text -> its PartialDate, and valid code -> its interned string, as
#: the generated constructors found them (bounded: a table that is full
#: stops growing; the slow way stays right).
_DATES: dict[Any, Any] = {}
_CODES: dict[Any, str] = {}
_TABLE_MOST: Final = 1 << 20


def _date_source(f: attrs.Attribute[Any], namespace: dict[str, Any]) -> list[str] | None:
    """The source converting a date field through the table of parsed dates."""
    conv = f.converter
    target = conv.converter if isinstance(conv, attrs.Converter) else None  # type: ignore[attr-defined]
    if f.validator is not None or target not in (_convert_date, _convert_optional_date):
        return None
    if target is _convert_optional_date and f.default is not None:
        return None
    namespace.update(_dates=_DATES, _DATE_MOST=_TABLE_MOST, _convert_date=_convert_date)
    indent = "    "
    out = []
    if target is _convert_optional_date:
        out.append("    if v is not None:")
        indent = "        "
    out += [
        f"{indent}x = _dates.get(v)",
        f"{indent}if x is None:",
        f"{indent}    x = _convert_date(v, inst, _field_{f.name})",
        f"{indent}    if len(_dates) < _DATE_MOST: _dates[v] = x",
        f"{indent}v = x",
    ]
    return out


def _code_source(f: attrs.Attribute[Any]) -> list[str] | None:
    """The source validating and interning a code field through the table of valid codes."""
    if f.metadata.get(DECODE) != "code" or f.converter is not None or f.validator not in (_check_code, _check_optional_code):
        return None
    if f.validator is _check_optional_code and f.default is not None:
        return None
    indent = "    "
    out = []
    if f.validator is _check_optional_code:
        out.append("    if v is not None:")
        indent = "        "
    out += [
        f"{indent}x = _codes.get(v)",
        f"{indent}if x is None:",
        f"{indent}    _check_{f.name}(inst, _field_{f.name}, v)",
        f"{indent}    x = _intern(v)",
        f"{indent}    if len(_codes) < _DATE_MOST: _codes[v] = x",
        f"{indent}v = x",
    ]
    return out


def _valid_default(cls: type, f: attrs.Attribute[Any], namespace: dict[str, Any]) -> bool:
    """Whether the default of ``f`` is a constant that its converter and
    validator accept; if so, the converted value is put in ``namespace``."""
    if isinstance(f.default, attrs.Factory):  # type: ignore[arg-type]
        return False
    probe: Any = _new(cls)
    try:
        value = f.default
        conv = f.converter
        if isinstance(conv, attrs.Converter):
            args: list[Any] = [value]
            if conv.takes_self:  # type: ignore[attr-defined]
                args.append(probe)
            if conv.takes_field:  # type: ignore[attr-defined]
                args.append(f)
            value = conv.converter(*args)  # type: ignore[attr-defined]
        elif conv is not None:
            value = conv(value)
        if f.validator is not None:
            f.validator(probe, f, value)
    except Exception:
        return False
    namespace[f"_valid_default_{f.name}"] = value
    return True


def _converted(f: attrs.Attribute[Any], namespace: dict[str, Any], value: str) -> str:
    """``value`` passed through the field's converter, called as attrs calls it."""
    conv = f.converter
    if conv is None:
        return value
    namespace[f"_convert_{f.name}"] = conv
    if isinstance(conv, attrs.Converter):
        namespace[f"_convert_{f.name}"] = conv.converter  # type: ignore[attr-defined]
        args = [value]
        if conv.takes_self:  # type: ignore[attr-defined]
            args.append("inst")
        if conv.takes_field:  # type: ignore[attr-defined]
            args.append(f"_field_{f.name}")
        return f"_convert_{f.name}({', '.join(args)})"
    return f"_convert_{f.name}({value})"


def _builder_of_kind(kind: Any) -> tuple[type[Event], Callable[[dict[str, Any]], Any] | None]:
    cls = kind_class(kind)
    return cls, (_BUILDERS[cls] if cls in _BUILDERS else builder_for(cls))


def trusted_event_from_dict(obj: dict[str, Any], *, position: str | None = None) -> Event:
    """The event of a stored line's dict: built by the generated constructor
    when the kind allows it, otherwise (or to name what is wrong) by the codec."""
    from ..codec import event_from_dict

    try:
        cls, build = _builder_of_kind(obj["kind"])
        if build is not None and obj.get("v", 1) == cls.version:
            event = build(obj)
            if event is not None:
                return event  # type: ignore[no-any-return]
    except Exception:  # anything odd: let the strict path say what is wrong
        pass
    return event_from_dict(obj, position=position)


_record_slots = tuple(getattr(Record, f.name).__set__ for f in attrs.fields(Record))
assert tuple(f.name for f in attrs.fields(Record)) == ("seq", "recorded", "event", "hash", "prev")


def decode_lines(lines: list[bytes], first_number: int, prev: str, *, path: str | None = None) -> list[Record]:
    """Records of ``lines``, which follow line ``first_number - 1`` (whose
    hash is ``prev``). Every line is held to what ``verify()`` checks: its
    place in the chain, its hash, its JSON, its event; the first that fails
    raises :class:`IntegrityError` naming it. ``recorded`` never goes back."""
    out: list[Record] = []
    append = out.append
    registry = _KINDS
    by_kind: dict[str, tuple[type[Event] | None, Any]] = {}
    recorded_last = ""
    number = first_number
    new = _new
    set_seq, set_recorded, set_event, set_hash, set_prev = _record_slots
    prev_bytes = prev.encode("ascii", "replace")  # a damaged hash field: the frame check names the line
    for line in lines:
        digest = chained_digest(line, prev_bytes, number)
        if digest is None:
            raise IntegrityError(check_line(line, prev, number) or "is not a valid ledger line", line=number, path=path)
        obj, recorded = parse_line(line, number, path, recorded_last)
        if recorded <= recorded_last:
            if recorded < recorded_last:
                raise IntegrityError(
                    f"was recorded at {recorded}, before the line before it ({recorded_last})", line=number, path=path
                )
            recorded = recorded_last  # a batch shares one timestamp: keep one string
        kind = obj["kind"]
        entry = by_kind.get(kind)
        if entry is None or registry.get(kind) is not entry[0]:
            try:
                entry = by_kind[kind] = _builder_of_kind(kind)
            except Exception:
                entry = (None, None)
        cls, build = entry
        event = None
        if build is not None and ("v" not in obj or obj["v"] == cls.version):  # type: ignore[union-attr]
            try:
                event = build(obj)
            except Exception:  # refused: the strict path names what is wrong
                event = None
        if event is None:
            event = strict_event(obj, number, path)
        record = new(Record)
        set_seq(record, number)
        set_recorded(record, recorded)
        set_event(record, event)
        set_hash(record, digest)
        set_prev(record, prev)
        append(record)
        recorded_last = recorded
        prev = digest
        prev_bytes = hash_of(line)
        number += 1
    return out


def decode_all(lines: list[bytes], *, path: str | None = None) -> list[Record]:
    """:func:`decode_lines` of a whole log."""
    return decode_lines(lines, 1, GENESIS, path=path)


_COPIERS: dict[tuple[type, tuple[str, ...]], Callable[..., Any]] = {}


def with_fields(event: Any, **changes: Any) -> Any:
    """A copy of the (valid) attrs instance ``event`` with ``changes`` set,
    without running validators again: for values already known valid, such
    as a fresh uuid hex for ``id``. ``attrs.evolve`` re-validates every field
    and costs about 40% of a batch append. One generated copier per class
    and set of changed fields: every field read at once, each set directly."""
    cls = type(event)
    names = tuple(sorted(changes))
    copier = _COPIERS.get((cls, names))
    if copier is None:
        copier = _COPIERS[(cls, names)] = _copier(cls, names)
    return copier(event, *[changes[name] for name in names])


def copy_with_id(event: Any, event_id: str) -> Any:
    """:func:`with_fields` of ``id`` alone, without its keyword handling
    (every appended event without an id takes this copy)."""
    cls = event.__class__
    copier = _COPIERS.get((cls, _ID))
    if copier is None:
        copier = _COPIERS[(cls, _ID)] = _copier(cls, _ID)
    return copier(event, event_id)


_ID: Final = ("id",)


def _copier(cls: type, changed: tuple[str, ...]) -> Callable[..., Any]:
    fields = [f.name for f in attrs.fields(cls)]
    namespace: dict[str, Any] = {"_new": _new, "cls": cls, "read": _attrgetter(*fields) if len(fields) > 1 else None}
    params = ", ".join(f"c{i}" for i in range(len(changed)))
    lines = [f"def copy_{cls.__name__}(event, {params}):", "    new = _new(cls)"]
    lines.append(f"    {''.join(f'v{i}, ' for i in range(len(fields)))}= read(event)" if len(fields) > 1 else "    v0 = event." + fields[0])
    for i, name in enumerate(fields):
        namespace[f"set{i}"] = getattr(cls, name).__set__
        value = f"c{changed.index(name)}" if name in changed else f"v{i}"
        lines.append(f"    set{i}(new, {value})")
    lines.append("    return new")
    return compile_function(f"copy_{cls.__name__}", "\n".join(lines) + "\n", namespace)
