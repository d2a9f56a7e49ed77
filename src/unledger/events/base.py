"""The envelope every event shares, and the field helpers kinds are built from.

An event is a frozen ``attrs`` class. Its fields are validated on
construction, so an event that exists is well-formed: the log, the codec and
the reducers never re-check types. Every validator raises
:class:`~unledger.errors.InvalidEvent` naming the kind and the field.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar, Final

import attrs
import immutables

from ..dates import PartialDate, parse_date
from ..errors import InvalidEvent

__all__ = [
    "new_ids",
    "Event",
    "date_field",
    "optional_date_field",
    "code_field",
    "optional_code_field",
    "codes_field",
    "symbol_field",
    "optional_symbol_field",
    "CODE_PATTERN",
    "code_problem",
    "text_field",
    "optional_text_field",
    "count_field",
    "choice_field",
    "flag_field",
    "ID_PATTERN",
    "DECODE",
    "CONTROLS",
    "MAX_TEXT",
]

ID_PATTERN: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/()-]{0,127}")
#: What a code naming an entity (a state, an organization, a body, an
#: instrument) looks like: an upper-case letter, then 1 to 31 upper-case
#: letters, digits or hyphens (``AZE``, ``UN``, ``UNSC``, ``UN-CHARTER``).
#: One pattern for every field that names an entity: see :func:`code_problem`.
CODE_PATTERN: Final = re.compile(r"[A-Z][A-Z0-9-]{1,31}")
#: Characters a symbol may not hold (a code holds none of them either): C0
#: and C1 controls, DEL, the bidi marks, embeddings, overrides and isolates
#: (which reorder what a terminal shows), and lone surrogates (UTF-8, and so
#: the log, cannot carry them).
CONTROLS: Final = "\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff"
# A document symbol ("A/RES/46/230") is looser: 1 to 200 characters, none
# of the above, no leading space.
_SYMBOL_PATTERN: Final = re.compile(f"[^\\s{CONTROLS}][^{CONTROLS}]{{0,199}}")
#: The metadata key by which a field helper tells the fast decoder
#: (:mod:`unledger.log.fast`) what it may do with a valid value:
#: ``"code"`` and ``"codes"`` are interned.
DECODE: Final = "unledger.decode"
_SURROGATE: Final = re.compile(r"[\ud800-\udfff]")
#: Longest accepted free text (a title, a source, a note), in characters.
MAX_TEXT: Final = 20_000
#: Largest accepted whole number: JSON readers (and orjson) stop at 64 bits.
MAX_COUNT: Final = 2**63 - 1


def has_surrogates(text: str) -> bool:
    """Whether ``text`` holds a lone surrogate, which UTF-8 cannot encode."""
    return not text.isascii() and _SURROGATE.search(text) is not None


def _where(inst: Any, field: str) -> dict[str, str | None]:
    kind = getattr(type(inst), "kind", None) or type(inst).__name__
    return {"event": kind, "field": field}


def _convert_date(value: Any, self_: Any, field: attrs.Attribute[Any]) -> PartialDate:
    try:
        return parse_date(value)
    except InvalidEvent as exc:
        raise InvalidEvent(exc.reason, **_where(self_, field.name)) from None


def _convert_optional_date(value: Any, self_: Any, field: attrs.Attribute[Any]) -> PartialDate | None:
    return None if value is None else _convert_date(value, self_, field)


def date_field(**kw: Any) -> Any:
    """A required EDTF date; strings are parsed, impossible dates refused."""
    return attrs.field(converter=attrs.Converter(_convert_date, takes_self=True, takes_field=True), **kw)  # type: ignore[call-overload]


def optional_date_field() -> Any:
    return attrs.field(
        default=None,
        converter=attrs.Converter(_convert_optional_date, takes_self=True, takes_field=True),  # type: ignore[misc]
    )


def code_problem(value: str) -> str | None:
    """Why ``value`` is not a valid entity code (see :data:`CODE_PATTERN`),
    or ``None`` when it is one."""
    if CODE_PATTERN.fullmatch(value) is not None:
        return None
    if value.upper() != value and CODE_PATTERN.fullmatch(value.upper()) is not None:
        return f"{_show(value)} is not a valid code: codes are upper case; did you mean {value.upper()!r}?"
    if any(c.isspace() for c in value):
        return f"{_show(value)} is not a valid code: codes contain no spaces (use a hyphen: 'UN-CHARTER')"
    return f"{_show(value)} is not a valid code: an upper-case letter, then 1 to 31 upper-case letters, digits or hyphens"


#: Strings already found to be valid codes (bounded: once full, codes are
#: checked against the pattern every time, as they would be anyway).
_VALID_CODES: set[str] = set()
_VALID_CODES_MOST: Final = 1 << 20


def _check_code(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value.__class__ is not str:
        raise InvalidEvent(f"expected a code (a string) like 'UN' or 'AZE', got {_show(value)}", **_where(inst, attribute.name))
    if value in _VALID_CODES:
        return
    problem = code_problem(value)
    if problem is not None:
        raise InvalidEvent(problem, **_where(inst, attribute.name))
    if len(_VALID_CODES) < _VALID_CODES_MOST:
        _VALID_CODES.add(value)


def _check_optional_code(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None:
        _check_code(inst, attribute, value)


def code_field(**kw: Any) -> Any:
    """A required code naming an entity: an ISO code, an organization, a
    body, an instrument (:data:`CODE_PATTERN`)."""
    return attrs.field(validator=_check_code, metadata={DECODE: "code"}, **kw)


def optional_code_field() -> Any:
    return attrs.field(default=None, validator=_check_optional_code, metadata={DECODE: "code"})


def _check_symbol(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value.__class__ is not str:
        raise InvalidEvent(f"expected a symbol (a string) like 'A/RES/46/230', got {_show(value)}", **_where(inst, attribute.name))
    if _SYMBOL_PATTERN.fullmatch(value) is None:
        raise InvalidEvent(
            f"{_show(value)} is not a valid symbol: 1 to 200 characters, no control or bidi characters, no leading space",
            **_where(inst, attribute.name),
        )


def _check_optional_symbol(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None:
        _check_symbol(inst, attribute, value)


def symbol_field(**kw: Any) -> Any:
    """A required document symbol, e.g. ``A/RES/46/230`` (not an entity code)."""
    return attrs.field(validator=_check_symbol, **kw)


def optional_symbol_field() -> Any:
    return attrs.field(default=None, validator=_check_optional_symbol)


def _to_tuple(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return tuple(value)
    return value


def _check_codes(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, tuple):
        raise InvalidEvent(f"expected a list of codes, got {_show(value)}", **_where(inst, attribute.name))
    for item in value:
        _check_code(inst, attribute, item)
    if len(set(value)) != len(value):
        raise InvalidEvent("a code is listed twice", **_where(inst, attribute.name))


def codes_field(*, min_length: int = 0) -> Any:
    """A tuple of codes (lists are accepted and frozen into tuples)."""

    def check(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        _check_codes(inst, attribute, value)
        if len(value) < min_length:
            raise InvalidEvent(f"needs at least {min_length} codes", **_where(inst, attribute.name))

    return attrs.field(default=(), converter=_to_tuple, validator=check, metadata={DECODE: "codes"})


def _check_text(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value.__class__ is not str:
        raise InvalidEvent(f"expected text, got {_show(value)}", **_where(inst, attribute.name))
    if len(value) > MAX_TEXT:
        raise InvalidEvent(f"text of {len(value)} characters is longer than the limit of {MAX_TEXT}", **_where(inst, attribute.name))
    if has_surrogates(value):
        raise InvalidEvent("text holds a lone surrogate, which UTF-8 cannot encode", **_where(inst, attribute.name))


def _check_optional_text(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None:
        _check_text(inst, attribute, value)


def text_field(**kw: Any) -> Any:
    return attrs.field(validator=_check_text, **kw)


def optional_text_field() -> Any:
    return attrs.field(default=None, validator=_check_optional_text)


def count_field(*, optional: bool = True, minimum: int = 0) -> Any:
    """A whole number >= ``minimum`` (``None`` allowed when optional)."""

    def check(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value is None and optional:
            return
        if value.__class__ is not int:
            raise InvalidEvent(f"expected a whole number, got {_show(value)}", **_where(inst, attribute.name))
        if value < minimum:
            raise InvalidEvent(f"must be at least {minimum}, got {value}", **_where(inst, attribute.name))
        if value > MAX_COUNT:
            raise InvalidEvent(f"must be at most {MAX_COUNT}, got {value}", **_where(inst, attribute.name))

    if optional:
        return attrs.field(default=None, validator=check)
    return attrs.field(validator=check)


def choice_field(choices: Iterable[str], **kw: Any) -> Any:
    allowed = tuple(choices)

    def check(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value not in allowed or value.__class__ is not str:
            raise InvalidEvent(
                f"{_show(value)} is not one of: {', '.join(allowed)}", **_where(inst, attribute.name)
            )

    return attrs.field(validator=check, **kw)


def flag_field(*, default: bool = False) -> Any:
    def check(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value.__class__ is not bool:
            raise InvalidEvent(f"expected true or false, got {_show(value)}", **_where(inst, attribute.name))

    return attrs.field(default=default, validator=check)


def frozen_map(value: Any) -> Any:
    """Freeze a mapping into an :class:`immutables.Map` (hashable, immutable)."""
    if value is None or isinstance(value, immutables.Map):
        return value
    if isinstance(value, Mapping):
        return immutables.Map(value)
    return value


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def new_ids(count: int) -> list[str]:
    """``count`` fresh event ids: random (version 4) UUIDs in hex, as
    ``uuid.uuid4().hex`` gives, from one ``os.urandom`` call: building
    ``uuid.UUID`` objects costs more than a whole append's encoding."""
    raw = os.urandom(16 * count).hex()
    out = []
    for start in range(0, 32 * count, 32):
        h = raw[start : start + 32]
        out.append(f"{h[:12]}4{h[13:16]}{_VARIANT[h[16]]}{h[17:]}")
    return out


# The RFC 4122 variant: the 17th hex digit's top two bits are 10.
_VARIANT: Final = {d: "89ab"[int(d, 16) & 3] for d in "0123456789abcdef"}


def _check_id(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is None:
        return
    if value.__class__ is not str or ID_PATTERN.fullmatch(value) is None:
        raise InvalidEvent(
            f"{_show(value)} is not a valid id: 1 to 128 letters, digits or ._:/()- , starting with a letter or digit",
            **_where(inst, attribute.name),
        )


@attrs.frozen(kw_only=True)
class Event:
    """The envelope: what every event has, whatever its kind.

    - ``date``: when it happened in the world, as precise as the source says;
    - ``id``: stable identifier; when left ``None``, derived from the
      content on append (:func:`unledger.ids.content_id`);
    - ``source``: where the fact comes from (a document, a symbol, a quote);
    - ``note``: free text, e.g. why a source was overruled.
    """

    kind: ClassVar[str] = ""
    #: Schema version of the kind; bump it and register an upcaster when a
    #: kind's fields change, so that old lines still load.
    version: ClassVar[int] = 1
    #: Whether the fold sees the event (retractions and corrections are
    #: instructions to the log, not facts about the world).
    meta: ClassVar[bool] = False
    #: One line saying what an event of the kind records, formatted with its
    #: fields (tuples joined by commas, ``None`` as nothing); see :meth:`summary`.
    summary_template: ClassVar[str | None] = None

    date: PartialDate = date_field()
    id: str | None = attrs.field(default=None, validator=_check_id)
    source: str | None = optional_text_field()
    note: str | None = optional_text_field()

    def entities(self) -> tuple[str, ...]:
        """Codes of every entity the event concerns (for filters and timelines)."""
        return ()

    def label(self) -> str:
        """How errors name the event: its id, else its kind."""
        return self.id if self.id is not None else f"({self.kind})"

    def summary(self) -> str:
        """One line saying what the event records, from its fields alone
        (a kind without a :attr:`summary_template`: its kind and the codes it
        concerns)."""
        if self.summary_template is None:
            return f"{self.kind}: {', '.join(self.entities())}"
        return self.summary_template.format_map(_Fields(self))


class _Fields(dict[str, str]):
    """An event's fields as :meth:`str.format_map` reads them."""

    def __init__(self, event: Event) -> None:
        super().__init__()
        self.event = event

    def __missing__(self, key: str) -> str:
        value = getattr(self.event, key, None)
        if isinstance(value, tuple):
            return ", ".join(str(v) for v in value)
        return "" if value is None else str(value)
