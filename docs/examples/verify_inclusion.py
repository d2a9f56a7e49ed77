"""Check one line of an unledger log against a signed checkpoint, without
unledger and without the log: only Python and the ``cryptography`` package.

    python verify_inclusion.py PROOF CHECKPOINT PUBLIC_KEY

PROOF is what ``unledger prove EVENT_ID --checkpoint CHECKPOINT`` prints;
CHECKPOINT the signed checkpoint (a C2SP signed note); PUBLIC_KEY the
publisher's key, ``<name>+<key ID hex>+<base64(0x01 || Ed25519 key)>``.
Exit code 0 and the line on standard output if the line is line
``index + 1`` of the log the checkpoint signs; 1 and the reason otherwise.
"""

import base64
import hashlib
import json
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def signed_text(note: str, vkey: str) -> str:
    """The text of ``note`` if ``vkey`` signed it (other signatures are ignored)."""
    name, key_id, key = vkey.strip().split("+", 2)
    raw = base64.b64decode(key)
    if raw[0] != 1 or sha256(name.encode() + b"\n" + raw)[:4].hex() != key_id:
        raise ValueError("the public key is not an Ed25519 key matching its ID")
    text, _, signatures = note.rpartition("\n\n")
    text += "\n"
    for line in signatures.splitlines():
        signer, _, blob = line.removeprefix("\u2014 ").partition(" ")
        sig = base64.b64decode(blob)
        if signer == name and sig[:4].hex() == key_id:
            try:
                Ed25519PublicKey.from_public_bytes(raw[1:]).verify(sig[4:], text.encode())
                return text
            except InvalidSignature:
                raise ValueError("the checkpoint's signature does not match its text") from None
    raise ValueError(f"the checkpoint carries no signature by {name}")


def root_from_proof(index: int, size: int, leaf: bytes, hashes: list) -> bytes:
    """RFC 9162 section 2.1.3.2: the root the proof leads to from the leaf."""
    if not 0 <= index < size:
        raise ValueError("the line is outside the checkpoint's log")
    fn, sn, r = index, size - 1, leaf
    for p in hashes:
        if sn == 0:
            raise ValueError("the proof is too long")
        if fn & 1 or fn == sn:
            r = sha256(b"\x01" + p + r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = sha256(b"\x01" + r + p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ValueError("the proof is too short")
    return r


def check(proof_file: str, checkpoint_file: str, key_file: str) -> str:
    with open(checkpoint_file, encoding="utf-8") as f, open(key_file, encoding="utf-8") as k:
        origin, size, root = signed_text(f.read(), k.read()).split("\n")[:3]
    with open(proof_file, encoding="utf-8") as f:
        proof = json.load(f)
    if (proof["origin"], proof["size"]) != (origin, int(size)):
        raise ValueError(f"the proof is for {proof['origin']} at size {proof['size']}, the checkpoint {origin} at {size}")
    leaf = sha256(b"\x00" + proof["line"].encode("utf-8"))
    hashes = [base64.b64decode(h) for h in proof["hashes"]]
    if root_from_proof(proof["index"], int(size), leaf, hashes) != base64.b64decode(root):
        raise ValueError("the proof does not lead to the checkpoint's root")
    return proof["line"]


if __name__ == "__main__":
    try:
        print(check(*sys.argv[1:4]))
    except (ValueError, KeyError, TypeError, OSError) as exc:
        sys.exit(f"not proven: {exc}")
