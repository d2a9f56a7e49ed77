"""Reading a user's copy of a dataset: find the files, refuse clearly."""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator
from pathlib import Path

from .report import DatasetError

__all__ = ["dataset_file", "read_rows"]


def dataset_file(directory: str | os.PathLike[str], name: str, dataset: str) -> Path:
    """``directory/name``, or a :class:`StorageError` naming what is missing."""
    path = Path(directory) / name
    if not path.is_file():
        raise DatasetError(f"{path}: no such file; a copy of {dataset} needs {name} in {directory}")
    return path


def read_rows(path: Path, required: tuple[str, ...]) -> Iterator[tuple[int, list[str], dict[str, int]]]:
    """``(line number, row, column index)`` for each data row of a CSV file;
    refuses a file without the ``required`` columns."""
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if header is None:
            raise DatasetError(f"{path}: empty file")
        index = {name: i for i, name in enumerate(header)}
        missing = [name for name in required if name not in index]
        if missing:
            raise DatasetError(f"{path}: missing columns {', '.join(missing)}")
        for line, row in enumerate(reader, start=2):
            yield line, row, index
