"""End-to-end smoke test of the README's Python example."""

from unledger import Admission, Establishment, Ledger


def test_memory_ledger_answers_as_of():
    ledger = Ledger.memory()
    ledger.append(Establishment(entity="UN", name="United Nations", date="1945-10-24"))
    ledger.append(Admission(org="UN", member="AZE", date="1992-03-02"))
    assert [m.member for m in ledger.state(as_of="1992").members("UN")] == ["AZE"]
    assert ledger.state(as_of="1991").members("UN") == ()
    assert ledger.verify() == ledger.head
