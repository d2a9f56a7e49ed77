"""The garbage-collector policy of bulk loads leaves the collector as it found it."""

from __future__ import annotations

import gc
from pathlib import Path
from unittest import mock

import pytest

from unledger import Adoption, Ledger, _gc


@pytest.mark.parametrize("enabled", [True, False])
def test_bulk_loads_leave_the_collector_as_they_found_it(tmp_path: Path, enabled: bool) -> None:
    path = tmp_path / "log.jsonl"
    ledger = Ledger.open(path)
    ledger.append([Adoption(body="UNGA", symbol=f"A/RES/{i}", title="T", date="1990", without_vote=True) for i in range(60)])
    threshold = gc.get_threshold()
    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        with mock.patch.object(_gc, "BULK_EVENTS", 10), mock.patch.object(_gc, "FREEZE_AFTER", 10**9):
            reopened = Ledger.open(path)
            assert len(reopened.state("1991").resolutions()) == 60
        assert gc.isenabled() is enabled
        assert gc.get_threshold() == threshold
    finally:
        (gc.enable if was else gc.disable)()
