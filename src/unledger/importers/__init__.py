"""Importers of public datasets into a ledger.

- :mod:`.cow`: the Correlates of War IGO data, version 3;
- :mod:`.unga`: Erik Voeten's UN General Assembly roll-call votes;
- :mod:`.crosswalk`: the state-code crosswalk both use (COW numbers and
  letters, ISO 3166 alpha-2 and alpha-3, names).

Each import appends, in date order and in one batch, only what the ledger
does not hold yet: importing the same files twice appends nothing, and a
newer release appends corrections and retractions for the rows it changed
or removed (see docs/datasets.md).
"""

from __future__ import annotations

from .report import Conflict, ImportResult

__all__ = ["Conflict", "ImportResult", "import_cow_igo", "import_unga_votes"]


def import_cow_igo(*args: object, **kwargs: object) -> ImportResult:
    """See :func:`unledger.importers.cow.import_cow_igo`."""
    from .cow import import_cow_igo as run

    return run(*args, **kwargs)  # type: ignore[arg-type]


def import_unga_votes(*args: object, **kwargs: object) -> ImportResult:
    """See :func:`unledger.importers.unga.import_unga_votes`."""
    from .unga import import_unga_votes as run

    return run(*args, **kwargs)  # type: ignore[arg-type]
