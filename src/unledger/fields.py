"""The field helpers a kind is built from, for kinds defined in your own code.

Each returns an ``attrs`` field that validates its value on construction and
raises :class:`~unledger.errors.InvalidEvent` naming the kind and the field,
exactly as the built-in kinds do::

    import attrs
    import unledger
    from unledger.fields import code_field, optional_text_field

    @unledger.kind("mission_opening")
    @attrs.frozen(kw_only=True)
    class MissionOpening(unledger.Event):
        org: str = code_field()
        state: str = code_field()
        city: str | None = optional_text_field()

- :func:`date_field`, :func:`optional_date_field`: a partial date
  (``"1992"``, ``"1992-03"``, ``"1992-03-02"``);
- :func:`code_field`, :func:`optional_code_field`, :func:`codes_field`: codes
  of states, organizations, bodies, instruments (no spaces at the start, no
  control characters);
- :func:`text_field`, :func:`optional_text_field`: free text;
- :func:`count_field`: a whole number (``optional``, ``minimum``);
- :func:`choice_field`: one of a fixed set of strings;
- :func:`flag_field`: a boolean.
"""

from __future__ import annotations

from .events.base import (
    MAX_TEXT,
    choice_field,
    code_field,
    codes_field,
    count_field,
    date_field,
    flag_field,
    optional_code_field,
    optional_date_field,
    optional_text_field,
    text_field,
)

__all__ = [
    "MAX_TEXT",
    "choice_field",
    "code_field",
    "codes_field",
    "count_field",
    "date_field",
    "flag_field",
    "optional_code_field",
    "optional_date_field",
    "optional_text_field",
    "text_field",
]
