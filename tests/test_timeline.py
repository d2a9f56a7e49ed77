"""The incremental check of a backfill accepts and refuses exactly what a full
re-check does, with the same message, and leaves the same states as a fold
from scratch, checkpoints and entity index included.
"""

from __future__ import annotations

import random
from unittest import mock

import pytest
from helpers_paths import SETTINGS, _days, _shuffled_batches
from hypothesis import event, given
from hypothesis import strategies as st
from strategies import History, histories, naive_state, on

from unledger import Adoption, Correction, Ledger, Retraction, RuleViolation
from unledger import timeline as timeline_module


def _refold_only(self, *args, **kwargs):  # stands in for the incremental check
    raise timeline_module._Fallback


@SETTINGS
@given(histories(max_events=45), st.randoms(use_true_random=False), st.integers(1, 6))
def test_incremental_backfill_matches_full_recheck_and_naive_fold(history: History, rnd: random.Random, every: int) -> None:
    """Two ledgers take the same appends in the same shuffled batches, one
    checked incrementally, one by refolding everything after the change: they
    accept and refuse alike (same message), and their states equal the fold
    from scratch on random days, with queries in between so that checkpoints
    exist when a backfill has to patch them."""
    batches = _shuffled_batches(list(history.events), rnd)
    with mock.patch.object(timeline_module, "CHECKPOINT_EVERY", every):
        fast = Ledger.memory()
        slow = Ledger.memory()
        incremental = 0
        for batch in batches:
            for day in rnd.sample(history.days(), min(3, len(history.days()))):
                fast.state(on(day))
                slow.state(on(day))
            outcome_fast = outcome_slow = None
            calls = {"n": 0}
            original = timeline_module.Timeline._propose_incremental

            def counting(self, *a, **k):
                calls["n"] += 1
                return original(self, *a, **k)

            try:
                with mock.patch.object(timeline_module.Timeline, "_propose_incremental", counting):
                    fast.append(batch)
            except RuleViolation as exc:
                outcome_fast = str(exc)
            incremental += calls["n"]
            try:
                with mock.patch.object(timeline_module.Timeline, "_propose_incremental", _refold_only):
                    slow.append(batch)
            except RuleViolation as exc:
                outcome_slow = str(exc)
            assert outcome_fast == outcome_slow
            assert fast.seq == slow.seq
        event(f"incremental checks: {'some' if incremental else 'none'}")
        # retract or correct a few recorded events (removals deep in the past)
        for record in rnd.sample(list(fast.records), min(3, len(fast.records))):
            if record.kind in ("retraction", "correction"):
                continue
            amend = (
                Retraction(target=record.id, reason="test", id=f"r-{record.id}")
                if rnd.random() < 0.5
                else Correction(target=record.id, replacement=record.event, reason="same again", id=f"c-{record.id}")
            )
            results = []
            for ledger, patch_with in ((fast, None), (slow, _refold_only)):
                try:
                    if patch_with is None:
                        ledger.append(amend)
                    else:
                        with mock.patch.object(timeline_module.Timeline, "_propose_incremental", patch_with):
                            ledger.append(amend)
                    results.append(None)
                except RuleViolation as exc:
                    results.append(str(exc))
            assert results[0] == results[1]
        days = _days(history, rnd)
        for day in days:
            expected = naive_state(fast.records, day)
            assert fast.state(on(day)) == expected, day
            assert slow.state(on(day)) == expected, day
        # The entity index the incremental check walks is kept up to date.
        line = fast._timeline
        if line._by_entity is not None:
            kept = {code: keys for code, keys in line._by_entity.items() if keys}
            line._by_entity = None
            assert kept == {code: keys for code, keys in line._entity_index().items() if keys}


def test_incremental_check_names_the_later_event_that_breaks() -> None:
    from unledger import Admission, Establishment, Withdrawal

    ledger = Ledger.memory()
    ledger.append([Establishment(entity="ORG", name="Org", date="1950-01-01", id="est")])
    ledger.append([Admission(org="ORG", member="AAA", date="1960-01-01", id="adm")])
    ledger.append([Adoption(body="ORG", symbol=f"R/{i}", title="t", date=f"{1961 + i}", without_vote=True) for i in range(40)])
    ledger.append([Withdrawal(org="ORG", member="AAA", date="1990-01-01", id="wd")])
    before = (ledger.seq, ledger.head)
    with pytest.raises(RuleViolation) as info:
        ledger.append(Withdrawal(org="ORG", member="AAA", date="1970-01-01", id="early"))
    assert info.value.event == "wd" and info.value.cause == "early"
    assert (ledger.seq, ledger.head) == before
