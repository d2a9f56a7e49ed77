"""Importers of public datasets into a ledger.

- :mod:`.cow`: the Correlates of War IGO data, version 3;
- :mod:`.unga`: Erik Voeten's UN General Assembly roll-call votes;

Both read states through :mod:`unledger.crosswalk` (COW numbers and letters,
ISO 3166 alpha-2 and alpha-3, names), which every query also consults.

Each import appends, in date order and in one batch, only what the ledger
does not hold yet: importing the same files twice appends nothing, and a
newer release appends corrections and retractions for the rows it changed
or removed (see docs/datasets.md).
"""

from __future__ import annotations

from .cow import import_cow_igo
from .report import Conflict, DatasetError, ImportRefused, ImportResult
from .unga import import_unga_votes

__all__ = ["Conflict", "DatasetError", "ImportRefused", "ImportResult", "import_cow_igo", "import_unga_votes"]
