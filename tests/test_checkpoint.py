"""Signed checkpoints (unledger.checkpoint) and a ledger's checkpoints and
proofs (unledger.proofs, Ledger.verify(checkpoint=...), State.basis).

The signed-note known answer is the example of Go's reference
implementation, golang.org/x/mod/sumdb/note (its package documentation):
the PeterNeumann key, text and signature. Ed25519 is deterministic, so
signing the same text with the same key must give that note byte for byte.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unledger import Admission, Establishment, Ledger
from unledger.checkpoint import Checkpoint, Note, SignerKey, VerifierKey, cosign, key_id, open_checkpoint, sign_note
from unledger.errors import CheckpointError, IntegrityError, ProofError
from unledger.merkle import Tree
from unledger.proofs import checkpoint_of, ledger_tree, prove_consistency, prove_inclusion, read_proof

GO_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
GO_NOTE = GO_TEXT + "\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"


def test_signed_note_matches_the_go_reference_byte_for_byte() -> None:
    signer = SignerKey.parse(GO_SKEY)
    assert str(signer) == GO_SKEY
    assert str(signer.verifier()) == GO_VKEY
    assert key_id("PeterNeumann", VerifierKey.parse(GO_VKEY).public).hex() == "c74f20a3"
    assert str(sign_note(GO_TEXT, signer)) == GO_NOTE
    note = Note.parse(GO_NOTE)
    assert note.text == GO_TEXT
    note.verified_by(VerifierKey.parse(GO_VKEY))


def test_keys_round_trip_and_an_edited_key_is_refused() -> None:
    signer = SignerKey.generate("example.org/log")
    assert SignerKey.parse(str(signer)) == signer
    public = signer.verifier()
    assert VerifierKey.parse(str(public)) == public
    name, kid, encoded = str(public).split("+", 2)
    with pytest.raises(CheckpointError, match="does not match"):
        VerifierKey.parse(f"other+{kid}+{encoded}")
    with pytest.raises(CheckpointError):
        VerifierKey.parse("no plus signs")
    with pytest.raises(CheckpointError, match="name"):
        SignerKey.generate("has space")
    with pytest.raises(CheckpointError, match="name"):
        SignerKey.generate("a+b")
    assert signer.seed.hex() not in repr(signer) and str(signer.seed) not in repr(signer)


def test_unknown_signatures_are_ignored_and_a_witness_cosigns() -> None:
    log_key, witness = SignerKey.generate("example.org/log"), SignerKey.generate("witness.example")
    note = cosign(Checkpoint("example.org/log", 3, bytes(32)).sign(log_key), witness)
    assert [s.name for s in note.signatures] == ["example.org/log", "witness.example"]
    parsed = Note.parse(str(note))
    parsed.verified_by(log_key.verifier())
    parsed.verified_by(witness.verifier())
    assert open_checkpoint(str(note), witness.verifier()).size == 3
    # Cosigning twice keeps one signature per key.
    assert len(cosign(note, witness).signatures) == 2


def test_another_key_and_an_edited_text_are_told_apart() -> None:
    key, other = SignerKey.generate("example.org/log"), SignerKey.generate("example.org/log")
    note = str(Checkpoint("example.org/log", 3, bytes(32)).sign(key))
    with pytest.raises(CheckpointError, match="signed by another key"):
        open_checkpoint(note, other.verifier())
    edited = note.replace("\n3\n", "\n4\n", 1)
    with pytest.raises(CheckpointError, match="edited after it was signed"):
        open_checkpoint(edited, key.verifier())


@pytest.mark.parametrize(
    "text",
    [
        "origin\n3\nAAAA\n\n\u2014 a AAAAAAAA\n",  # a root that is not 32 bytes
        "origin\n03\n" + "A" * 43 + "=\n",  # no signature block
        "origin\n-3\n" + "A" * 43 + "=\n",
        "origin with space\n3\n" + "A" * 43 + "=\n",
        "origin\n3\n",
    ],
)
def test_malformed_checkpoints_are_refused(text: str) -> None:
    with pytest.raises(CheckpointError):
        if "\n\n" in text:
            open_checkpoint(text, None)
        else:
            Checkpoint.from_text(text)


def test_checkpoint_body_is_the_c2sp_layout() -> None:
    checkpoint = Checkpoint("example.org/log", 862, bytes(range(32)), ("ext line",))
    text = checkpoint.text()
    assert text == "example.org/log\n862\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\next line\n"
    assert Checkpoint.from_text(text) == checkpoint
    with pytest.raises(CheckpointError, match="decimal"):
        Checkpoint.from_text(text.replace("862", "0862"))


@settings(max_examples=5, deadline=None)
@given(st.integers(0, 10**6), st.binary(min_size=32, max_size=32))
def test_every_flipped_bit_of_a_signed_checkpoint_is_refused(size: int, root: bytes) -> None:
    """Origin, size, root, blank line or signature line: any single bit."""
    key = _KEY
    note = str(Checkpoint("example.org/log", size, root).sign(key)).encode()
    open_checkpoint(note, key.verifier())
    for bit in range(8 * len(note)):
        flipped = bytearray(note)
        flipped[bit // 8] ^= 1 << (bit % 8)
        with pytest.raises(CheckpointError):
            open_checkpoint(bytes(flipped), key.verifier())


_KEY = SignerKey.generate("example.org/log")


# -- a ledger's checkpoints and proofs -------------------------------------------------


def _ledger(n: int = 6) -> Ledger:
    ledger = Ledger.memory()
    ledger.append(Establishment(entity="UN", name="United Nations", date="1945-10-24", id="un"))
    for i in range(n - 1):
        ledger.append(Admission(org="UN", member=f"X{i:02d}", date=f"{1946 + i}", id=f"adm-{i}"))
    return ledger


def test_the_root_is_the_merkle_root_of_the_log_lines() -> None:
    ledger = _ledger()
    lines = ledger._log.all_lines()
    assert checkpoint_of(ledger, "o").root == Tree(lines).root()
    assert ledger.verify(checkpoint=checkpoint_of(ledger, "o")) == ledger.head


def test_the_tree_grows_with_appends_without_rebuilding() -> None:
    ledger = _ledger(3)
    tree = ledger_tree(ledger)
    old = checkpoint_of(ledger, "o")
    ledger.append(Admission(org="UN", member="AZE", date="1992-03-02", id="adm-aze"))
    assert ledger_tree(ledger) is tree and tree.size == 4
    assert tree.root() == Tree(ledger._log.all_lines()).root()
    new = checkpoint_of(ledger, "o")
    proof = read_proof(prove_consistency(ledger, old, new).to_json())
    proof.verify(old, new)  # type: ignore[call-arg]
    with pytest.raises(ProofError):
        proof.verify(new, old)  # type: ignore[call-arg]


def test_inclusion_proofs_of_every_event() -> None:
    ledger = _ledger(7)
    checkpoint = checkpoint_of(ledger, "o")
    for record in ledger.records:
        proof = read_proof(prove_inclusion(ledger, record.id, checkpoint).to_json())
        proof.verify(checkpoint)  # type: ignore[call-arg]
        assert json.loads(proof.line)["id"] == record.id  # type: ignore[union-attr]
    with pytest.raises(ProofError, match="size"):
        proof.verify(Checkpoint("o", checkpoint.size + 1, checkpoint.root))  # type: ignore[call-arg]
    with pytest.raises(ProofError):
        proof.verify(Checkpoint("o", checkpoint.size, bytes(32)))  # type: ignore[call-arg]


def test_a_proof_against_a_checkpoint_the_log_does_not_extend_is_refused() -> None:
    ledger = _ledger(3)
    elsewhere = Checkpoint("o", 3, bytes(32))
    with pytest.raises(IntegrityError, match="rewritten"):
        prove_inclusion(ledger, "un", elsewhere)
    with pytest.raises(IntegrityError, match="truncated"):
        prove_inclusion(ledger, "un", Checkpoint("o", 5, bytes(32)))


def test_verify_with_a_checkpoint_names_truncation_and_rewriting() -> None:
    ledger = _ledger(5)
    checkpoint = checkpoint_of(ledger, "o")
    shorter = _ledger(4)
    with pytest.raises(IntegrityError, match="truncated"):
        shorter.verify(checkpoint=checkpoint)
    rewritten = Ledger.memory()
    rewritten.append(Establishment(entity="UN", name="United Nations (rewritten)", date="1945-10-24", id="un"))
    for i in range(4):
        rewritten.append(Admission(org="UN", member=f"X{i:02d}", date=f"{1946 + i}", id=f"adm-{i}"))
    rewritten.verify()  # a valid chain of its own
    with pytest.raises(IntegrityError, match="rewritten"):
        rewritten.verify(checkpoint=checkpoint)
    ledger.append(Admission(org="UN", member="AZE", date="1992-03-02", id="adm-aze"))
    assert ledger.verify(checkpoint=checkpoint) == ledger.head  # extended: still fine


def test_answers_carry_their_basis() -> None:
    ledger = _ledger(4)
    first = ledger.records[1].recorded
    state = ledger.state("2000")
    assert (state.basis.size, state.basis.head, state.basis.root) == (4, ledger.head, None)  # type: ignore[union-attr]
    ledger_tree(ledger)
    basis = ledger.state("2000").basis
    assert basis is not None and basis.root == checkpoint_of(ledger, "o").text().split("\n")[2]
    past = ledger.state("2000", known_at=first).basis
    assert past is not None and past.size == 2 and past.head == ledger.records[1].hash
    assert past.root == Checkpoint("o", 2, Tree(ledger._log.all_lines()[:2]).root()).text().split("\n")[2]
    assert ledger.state("2000") == ledger.state("2000", known_at=ledger.records[-1].recorded)  # basis is not equality


def test_a_log_changed_under_the_ledger_is_never_a_leaf(tmp_path) -> None:
    path = tmp_path / "log.jsonl"
    ledger = Ledger.open(path)
    ledger.append([Establishment(entity="UN", name="United Nations", date="1945-10-24", id="un")])
    ledger.append([Admission(org="UN", member="AZE", date="1992-03-02", id="adm-aze")])
    data = path.read_bytes()
    path.write_bytes(data.replace(b"United Nations", b"United Natiomz"))
    with pytest.raises(IntegrityError, match="changed since"):
        ledger_tree(ledger)


def test_import_unledger_does_not_import_cryptography() -> None:
    code = "import sys, unledger, unledger.checkpoint, unledger.proofs; print(any(m.startswith('cryptography') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == "False"


def test_proofs_of_a_file_ledger_that_grows_read_each_line_alone(tmp_path) -> None:
    ledger = Ledger.open(tmp_path / "log.jsonl")
    ledger.append([Establishment(entity="UN", name="United Nations", date="1945-10-24", id="un")])
    for step in range(3):
        ledger.append([Admission(org="UN", member=f"Y{step}{i}", date=f"{1950 + step}", id=f"adm-{step}-{i}") for i in range(step + 1)])
        checkpoint = checkpoint_of(ledger, "o")
        lines = (tmp_path / "log.jsonl").read_bytes().split(b"\n")[:-1]
        for record in ledger.records:
            proof = prove_inclusion(ledger, record.id, checkpoint)
            assert proof.line == lines[record.seq - 1]
            proof.verify(checkpoint)


@settings(max_examples=20, deadline=None)
@given(st.lists(st.integers(1, 4), min_size=1, max_size=8), st.data())
def test_for_random_ledgers_every_proof_between_its_checkpoints_verifies(batches: list[int], data: st.DataObject) -> None:
    """Random batches appended one after another, a checkpoint after each:
    every event's inclusion proof verifies against every later checkpoint,
    and every later checkpoint is proved consistent with every earlier one."""
    ledger = Ledger.memory()
    ledger.append(Establishment(entity="UN", name="United Nations", date="1945-10-24", id="un"))
    checkpoints = [checkpoint_of(ledger, "o")]
    for b, size in enumerate(batches):
        ledger.append([Admission(org="UN", member=f"Z{b}{i}", date=f"{1950 + b}", id=f"adm-{b}-{i}") for i in range(size)])
        checkpoints.append(checkpoint_of(ledger, "o"))
    assert checkpoints[-1].root == Tree(ledger._log.all_lines()).root()
    later = data.draw(st.sampled_from(checkpoints), label="checkpoint")
    for record in ledger.records[: later.size]:
        read_proof(prove_inclusion(ledger, record.id, later).to_json()).verify(later)  # type: ignore[call-arg]
    for old in checkpoints:
        if old.size <= later.size:
            read_proof(prove_consistency(ledger, old, later).to_json()).verify(old, later)  # type: ignore[call-arg]
            if old.size < later.size:
                with pytest.raises(ProofError):
                    prove_consistency(ledger, old, later).verify(later, old)
