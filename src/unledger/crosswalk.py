"""The state-code crosswalk: COW number and letters, ISO 3166 alpha-2 and
alpha-3, names -> the ledger's code for a state.

The table ships with unledger (``unledger/data/crosswalk.csv``); how it was
built and from which sources is in ``scripts/build_crosswalk.py`` and
docs/datasets.md. A state's ledger code is its ISO 3166-1 alpha-3 code, the
ISO 3166-3 code of a former state (SUN, YUG, CSK, DDR, YMD, SCG), or a code
from ISO's user-assigned range (``X..``) for states ISO never coded
(Bavaria is ``XBV``). A COW number may name two ledger states over time
(365: ``SUN`` to 1991, then ``RUS``), as the ledger's own records do.
"""

from __future__ import annotations

import csv
import unicodedata
from functools import lru_cache
from importlib import resources
from typing import Final

import attrs

__all__ = ["Row", "rows", "aliases", "resolve", "code_for_cow", "code_for_name", "name_of", "CROSSWALK_FILE"]

CROSSWALK_FILE: Final = "crosswalk.csv"


@attrs.frozen
class Row:
    """One state (or one period of a COW number) of the crosswalk."""

    code: str
    alpha2: str
    alpha3: str
    cow: int
    cow_letters: str
    from_year: int
    to_year: int
    name: str
    other_names: tuple[str, ...]
    code_kind: str


@lru_cache(maxsize=1)
def rows() -> tuple[Row, ...]:
    """Every row of the shipped crosswalk."""
    text = resources.files(__package__).joinpath("data", CROSSWALK_FILE).read_text(encoding="utf-8")
    out = []
    for r in csv.DictReader(text.splitlines()):
        out.append(
            Row(
                code=r["code"],
                alpha2=r["alpha2"],
                alpha3=r["alpha3"],
                cow=int(r["cow"]),
                cow_letters=r["cow_letters"],
                from_year=int(r["from_year"]),
                to_year=int(r["to_year"]),
                name=r["name"],
                other_names=tuple(n for n in r["other_names"].split("|") if n),
                code_kind=r["code_kind"],
            )
        )
    return tuple(out)


@lru_cache(maxsize=1)
def aliases() -> dict[str, str]:
    """Every code of a state -> its ledger code: the code itself, its ISO
    alpha-2 and alpha-3, its COW number (as a string) and its COW letters.

    COW letters that are another state's ledger code are left out (COW's
    ``AUS`` is Austria, ISO's is Australia): the ledger code wins. A COW
    number naming two states over time gives the later one.
    """
    table = rows()
    codes = {r.code for r in table}
    out: dict[str, str] = {code: code for code in codes}
    for r in sorted(table, key=lambda r: r.from_year):
        out[str(r.cow)] = r.code
        if r.alpha2:
            out.setdefault(r.alpha2, r.code)
        if r.alpha3:
            out.setdefault(r.alpha3, r.code)
    for r in table:
        if r.cow_letters not in codes:
            # the letters of the number's latest period, like the number
            out[r.cow_letters] = out[str(r.cow)]
    return out


def resolve(code: str) -> str:
    """The ledger code of any of a state's codes (case-insensitive) or of
    its name; any other code (an organization, a body) comes back unchanged."""
    table = aliases()
    found = table.get(code)
    if found is None:
        found = table.get(code.strip().upper())
    if found is None and len(code) > 3:
        found = code_for_name(code)
    return found if found is not None else code


@lru_cache(maxsize=4096)
def code_for_cow(number: int, year: int) -> str | None:
    """The ledger code of COW state ``number`` in ``year``."""
    candidates = [r for r in rows() if r.cow == number]
    for r in candidates:
        if r.from_year <= year <= r.to_year:
            return r.code
    if not candidates:
        return None
    # a year outside COW's system-membership years: the nearest period
    return min(candidates, key=lambda r: min(abs(year - r.from_year), abs(year - r.to_year))).code


def _normal(name: str) -> str:
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return " ".join(text.replace("&", " and ").replace("-", " ").replace(".", " ").replace(",", " ").split())


@lru_cache(maxsize=1)
def _names() -> dict[str, str]:
    out: dict[str, str] = {}
    for r in rows():
        for name in (r.name, *r.other_names):
            out.setdefault(_normal(name), r.code)
    return out


def code_for_name(name: str) -> str | None:
    """The ledger code of a state written by name (``Yemen Arab Republic``)."""
    return _names().get(_normal(name))


def name_of(code: str) -> str | None:
    """The crosswalk's name of a ledger code (the COW short name)."""
    for r in reversed(rows()):
        if r.code == code:
            return r.name
    return None
