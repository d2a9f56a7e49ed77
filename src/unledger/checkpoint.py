"""Signed checkpoints: the C2SP ``tlog-checkpoint`` body in a C2SP ``signed-note``.

A checkpoint names one version of a log by its origin, its size (lines) and
the RFC 6962 root of those lines (:mod:`unledger.merkle`)::

    example.org/my-ledger          <- origin: which log (no spaces, no "+")
    862                            <- size: decimal, no leading zeros
    2yvCwBuvjXWbMIXuG0sJ9T+jSwK2b+qvZKAg4j7ldjY=   <- base64 root
                                   <- (optional extension lines, then) a blank line
    — example.org/my-ledger Az3grk3...   <- one line per signature

Each signature line is an em dash, a space, the key's name, a space and
``base64(key ID || signature)``; the key ID is the first 4 bytes of
``SHA-256(name || "\\n" || 0x01 || public key)`` and the signature an
Ed25519 signature of the text above the blank line. Keys are written as the
Go ``golang.org/x/mod/sumdb/note`` package writes them, so its tools and the
witnesses that use it read them: a verifier key is
``<name>+<key ID hex>+<base64(0x01 || public key)>`` and a signer key
``PRIVATE+KEY+<name>+<key ID hex>+<base64(0x01 || seed)>``.

A reader checks the signature of the key it trusts and ignores the others: a
witness adds its cosignature as one more signature line (see
``docs/checkpoints.md``). Parsing needs only the standard library; signing
and checking signatures need the ``cryptography`` package (a dependency of
unledger), imported only when used, so that ``import unledger`` stays light.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
from typing import TYPE_CHECKING, Any

import attrs

from .errors import CheckpointError
from .merkle import HASH_SIZE

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

__all__ = [
    "Checkpoint",
    "Note",
    "NoteSignature",
    "SignerKey",
    "VerifierKey",
    "open_checkpoint",
    "sign_note",
    "cosign",
]

_ALG_ED25519 = 0x01
_DASH = "\u2014 "
_MAX_SIGNATURES = 100
_NAME = re.compile(r"[^\s+]+")
_SIZE = re.compile(r"0|[1-9][0-9]*")
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")
_INSTALL = "signing and checking checkpoint signatures needs the 'cryptography' package, a dependency of unledger: pip install cryptography"


def _b64decode(text: str, what: str) -> bytes:
    """Strict base64: one spelling per value (no stray padding bits), so a
    changed character is never read as the same bytes."""
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise CheckpointError(f"{what} is not valid base64") from None
    if _b64(raw) != text:
        raise CheckpointError(f"{what} is not valid base64 (not in its canonical form)")
    return raw


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _check_name(name: str, what: str = "key name") -> str:
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise CheckpointError(f"{what} {name!r} must be non-empty, without spaces or '+'")
    return name


def key_id(name: str, public: bytes) -> bytes:
    """The 4-byte ID of an Ed25519 key: ``SHA-256(name || 0x0A || 0x01 || public)[:4]``."""
    return hashlib.sha256(name.encode() + b"\n" + bytes([_ALG_ED25519]) + public).digest()[:4]


def _ed25519() -> Any:
    try:
        from cryptography.hazmat.primitives.asymmetric import ed25519
    except ImportError:
        raise ImportError(_INSTALL) from None
    return ed25519


# -- keys -----------------------------------------------------------------------------


@attrs.frozen
class VerifierKey:
    """A public key and its name: checks signatures."""

    name: str
    public: bytes = attrs.field(repr=False)

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, self.public)

    @classmethod
    def parse(cls, text: str) -> VerifierKey:
        """Read ``<name>+<key ID hex>+<base64(0x01 || public key)>``."""
        parts = text.strip().split("+", 2)  # base64 may hold "+"
        if len(parts) != 3:
            raise CheckpointError("a public key is written <name>+<key ID>+<base64 key>")
        name, hex_id, encoded = parts
        _check_name(name)
        raw = _b64decode(encoded, "the public key")
        if len(raw) != 33 or raw[0] != _ALG_ED25519:
            raise CheckpointError("the public key is not an Ed25519 key (algorithm 1, 32 bytes)")
        key = cls(name, raw[1:])
        if hex_id.lower() != key.key_id.hex() or len(hex_id) != 8:
            raise CheckpointError(f"the public key's ID {hex_id} does not match its name and key: the key file was edited")
        return key

    def __str__(self) -> str:
        return f"{self.name}+{self.key_id.hex()}+{_b64(bytes([_ALG_ED25519]) + self.public)}"

    def verify(self, message: bytes, signature: bytes) -> bool:
        """Whether ``signature`` is this key's Ed25519 signature of ``message``."""
        from cryptography.exceptions import InvalidSignature

        public: Ed25519PublicKey = _ed25519().Ed25519PublicKey.from_public_bytes(self.public)
        try:
            public.verify(signature, message)
        except InvalidSignature:
            return False
        return True


@attrs.frozen
class SignerKey:
    """A private key (an Ed25519 seed) and its name: signs checkpoints."""

    name: str
    seed: bytes = attrs.field(repr=False)

    @classmethod
    def generate(cls, name: str) -> SignerKey:
        """A new random key named ``name``."""
        _check_name(name)
        _ed25519()  # refuse early without cryptography
        return cls(name, os.urandom(32))

    @classmethod
    def parse(cls, text: str) -> SignerKey:
        """Read ``PRIVATE+KEY+<name>+<key ID hex>+<base64(0x01 || seed)>``."""
        parts = text.strip().split("+", 4)
        if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
            raise CheckpointError("a private key is written PRIVATE+KEY+<name>+<key ID>+<base64 key>")
        name, hex_id, encoded = parts[2:]
        _check_name(name)
        raw = _b64decode(encoded, "the private key")
        if len(raw) != 33 or raw[0] != _ALG_ED25519:
            raise CheckpointError("the private key is not an Ed25519 key (algorithm 1, 32 bytes)")
        key = cls(name, raw[1:])
        if hex_id.lower() != key.verifier().key_id.hex():
            raise CheckpointError(f"the private key's ID {hex_id} does not match its name and key: the key file was edited")
        return key

    def _private(self) -> Ed25519PrivateKey:
        return _ed25519().Ed25519PrivateKey.from_private_bytes(self.seed)  # type: ignore[no-any-return]

    def verifier(self) -> VerifierKey:
        """The public half."""
        from cryptography.hazmat.primitives import serialization

        public = self._private().public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return VerifierKey(self.name, public)

    def __str__(self) -> str:
        return f"PRIVATE+KEY+{self.name}+{self.verifier().key_id.hex()}+{_b64(bytes([_ALG_ED25519]) + self.seed)}"

    def sign(self, message: bytes) -> bytes:
        return self._private().sign(message)  # type: ignore[no-any-return]


# -- notes ----------------------------------------------------------------------------


@attrs.frozen
class NoteSignature:
    """One signature line: who (name and key ID) and the signature bytes."""

    name: str
    key_id: bytes
    signature: bytes = attrs.field(repr=False)

    def line(self) -> str:
        return f"{_DASH}{self.name} {_b64(self.key_id + self.signature)}\n"


@attrs.frozen
class Note:
    """A signed note: its text (ending in a newline) and its signatures."""

    text: str
    signatures: tuple[NoteSignature, ...] = ()

    @classmethod
    def parse(cls, data: str | bytes) -> Note:
        """Split a signed note into its text and signature lines (signatures
        are not checked here: see :meth:`verified_by`)."""
        if isinstance(data, bytes):
            try:
                data = data.decode("utf-8")
            except UnicodeDecodeError:
                raise CheckpointError("the checkpoint is not UTF-8 text") from None
        if _CONTROL.search(data):
            raise CheckpointError("the checkpoint holds control characters")
        split = data.rfind("\n\n")
        if split < 0:
            raise CheckpointError("the checkpoint has no signature block (a blank line, then signature lines)")
        text, block = data[: split + 1], data[split + 2 :]
        if not block.endswith("\n"):
            raise CheckpointError("the checkpoint's signature block does not end with a newline")
        signatures = []
        for line in block[:-1].split("\n"):
            if not line.startswith(_DASH):
                raise CheckpointError(f"the checkpoint's signature line {line[:40]!r} does not start with '\u2014 '")
            name, _, encoded = line[len(_DASH) :].partition(" ")
            _check_name(name)
            raw = _b64decode(encoded, f"the signature by {name}")
            if len(raw) < 5:
                raise CheckpointError(f"the signature by {name} is too short")
            signatures.append(NoteSignature(name, raw[:4], raw[4:]))
        if not signatures:
            raise CheckpointError("the checkpoint carries no signature")
        if len(signatures) > _MAX_SIGNATURES:
            raise CheckpointError(f"the checkpoint carries over {_MAX_SIGNATURES} signatures")
        return cls(text, tuple(signatures))

    def __str__(self) -> str:
        return self.text + "\n" + "".join(s.line() for s in self.signatures)

    def verified_by(self, key: VerifierKey) -> None:
        """Check the signature of ``key``; signatures by other keys are
        ignored. Raises :class:`CheckpointError` saying whether the note
        is signed by another key only, or its text was changed after
        ``key`` signed it."""
        mine = [s for s in self.signatures if s.name == key.name and s.key_id == key.key_id]
        if not mine:
            others = ", ".join(f"{s.name} (key ID {s.key_id.hex()})" for s in self.signatures)
            raise CheckpointError(
                f"signed by another key: the checkpoint carries signatures by {others}, none by {key.name} (key ID {key.key_id.hex()})"
            )
        message = self.text.encode("utf-8")
        if not any(key.verify(message, s.signature) for s in mine):
            raise CheckpointError(
                f"the signature by {key.name} does not match the checkpoint's text: the checkpoint was edited after it was signed"
            )


def sign_note(text: str, *keys: SignerKey) -> Note:
    """``text`` signed by each of ``keys``."""
    if not text.endswith("\n") or "\n\n" in text or _CONTROL.search(text):
        raise CheckpointError("a note's text must end with a newline and hold no blank lines or control characters")
    message = text.encode("utf-8")
    return Note(text, tuple(NoteSignature(k.name, k.verifier().key_id, k.sign(message)) for k in keys))


def cosign(note: Note, key: SignerKey) -> Note:
    """``note`` with one more signature line, by ``key`` (a witness's
    cosignature). A signature by the same key is replaced."""
    signature = sign_note(note.text, key).signatures[0]
    kept = tuple(s for s in note.signatures if (s.name, s.key_id) != (signature.name, signature.key_id))
    return Note(note.text, kept + (signature,))


# -- checkpoints ----------------------------------------------------------------------


@attrs.frozen
class Checkpoint:
    """One version of a log: ``origin``, ``size`` lines and their ``root``."""

    origin: str
    size: int
    root: bytes = attrs.field(repr=lambda r: r.hex())
    extensions: tuple[str, ...] = ()

    def text(self) -> str:
        """The checkpoint body (the text a signature covers)."""
        _check_name(self.origin, "the checkpoint's origin")
        for line in self.extensions:
            if not line or "\n" in line or _CONTROL.search(line):
                raise CheckpointError(f"checkpoint extension line {line!r} must be non-empty, one line")
        return "".join(line + "\n" for line in (self.origin, str(self.size), _b64(self.root), *self.extensions))

    @classmethod
    def from_text(cls, text: str) -> Checkpoint:
        """Read a checkpoint body (the text of its note)."""
        lines = text.split("\n")
        if len(lines) < 4 or lines[-1] != "":
            raise CheckpointError("a checkpoint's text is an origin line, a size line and a root line, each ending with a newline")
        origin, size, root, *extensions = lines[:-1]
        if not _NAME.fullmatch(origin):
            raise CheckpointError(f"the checkpoint's origin {origin!r} is empty or holds spaces or '+'")
        if not _SIZE.fullmatch(size):
            raise CheckpointError(f"the checkpoint's size {size!r} is not a decimal number")
        digest = _b64decode(root, "the checkpoint's root")
        if len(digest) != HASH_SIZE:
            raise CheckpointError("the checkpoint's root is not a 32-byte hash")
        if any(not line for line in extensions):
            raise CheckpointError("the checkpoint holds an empty line before its signatures")
        return cls(origin, int(size), digest, tuple(extensions))

    def sign(self, *keys: SignerKey) -> Note:
        """This checkpoint as a note signed by ``keys``."""
        return sign_note(self.text(), *keys)

    def describe(self) -> str:
        return f"{self.origin} at size {self.size} (root {self.root.hex()})"


def open_checkpoint(data: str | bytes, key: VerifierKey | None) -> Checkpoint:
    """The checkpoint in the signed note ``data``, once the signature of
    ``key`` checks out (``key=None`` reads it without checking any
    signature: only for producing proofs, which the reader then checks)."""
    note = Note.parse(data)
    if key is not None:
        note.verified_by(key)
    return Checkpoint.from_text(note.text)
