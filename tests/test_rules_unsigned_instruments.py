"""Instruments that states never sign (ILO conventions): ratification alone.

``Opening(open_for_signature=False)`` lifts the signature-before-ratification
rule and refuses signatures instead; both ways, and the file is untouched on
refusal.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from unledger import Ledger, Opening, RuleViolation, Signing


def _ledger(tmp_path: Path, *, signed: bool) -> Ledger:
    ledger = Ledger.open(tmp_path / "log.jsonl")
    ledger.append(
        Opening(
            instrument="ILO-C029",
            title="Forced Labour Convention, 1930 (No. 29)",
            form="convention",
            open_for_signature=signed,
            date="1930-06-28",
        )
    )
    return ledger


def test_ratification_without_signature_is_accepted_when_states_never_sign(tmp_path: Path) -> None:
    ledger = _ledger(tmp_path, signed=False)
    ledger.append(Signing(instrument="ILO-C029", party="AZE", act="ratification", date="1992"))
    parties = ledger.state("1993").parties("ILO-C029", include_pending=True)
    assert [(p.party, p.act, p.signed) for p in parties] == [("AZE", "ratification", None)]


def test_ratification_without_signature_is_still_refused_for_signed_instruments(tmp_path: Path) -> None:
    ledger = _ledger(tmp_path, signed=True)
    before = (tmp_path / "log.jsonl").read_bytes()
    with pytest.raises(RuleViolation) as caught:
        ledger.append(Signing(instrument="ILO-C029", party="AZE", act="ratification", date="1992", id="r"))
    assert caught.value.rule == "signature-before-ratification" and caught.value.event == "r"
    assert (tmp_path / "log.jsonl").read_bytes() == before


def test_signature_of_an_instrument_states_never_sign_is_refused(tmp_path: Path) -> None:
    ledger = _ledger(tmp_path, signed=False)
    before = (tmp_path / "log.jsonl").read_bytes()
    with pytest.raises(RuleViolation) as caught:
        ledger.append(Signing(instrument="ILO-C029", party="AZE", act="signature", date="1992", id="s"))
    assert caught.value.rule == "open-for-signature" and caught.value.field == "act"
    assert (tmp_path / "log.jsonl").read_bytes() == before
