"""Where the records shipped with unledger (``events/``) live.

In an installed wheel they are package data (``unledger/_records/``); in a
source checkout they are the repository's ``events/`` folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from .errors import StorageError

__all__ = ["BUNDLED_LOG", "bundled_path"]

#: File name of the bundled log.
BUNDLED_LOG: Final = "records.jsonl"


def bundled_path() -> Path:
    here = Path(__file__).resolve().parent
    for candidate in (here / "_records" / BUNDLED_LOG, here.parent.parent / "events" / BUNDLED_LOG):
        if candidate.is_file():
            return candidate
    raise StorageError(f"the bundled records ({BUNDLED_LOG}) are missing from this installation")
