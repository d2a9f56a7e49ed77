"""The fingerprint that binds a snapshot cache to a log's exact bytes."""

from __future__ import annotations

import hashlib

from hypothesis import given, settings
from hypothesis import strategies as st

from unledger.log import digest
from unledger.log.digest import bytes_digest


def _by_hand(data: bytes, chunk: int) -> str:
    outer = hashlib.sha256(b"unledger-bytes 1\n")
    for start in range(0, len(data), chunk):
        outer.update(hashlib.sha256(data[start : start + chunk]).digest())
    outer.update(len(data).to_bytes(8, "big"))
    return outer.hexdigest()


@settings(max_examples=50, deadline=None)
@given(st.binary(max_size=300), st.integers(1, 4), st.data())
def test_the_digest_is_the_same_on_any_number_of_threads_and_sees_every_byte(payload, threads, data):
    # Small chunks so that a few hundred bytes span many of them.
    original = digest.CHUNK
    digest.CHUNK = 7
    try:
        value = bytes_digest(payload, threads=threads)
        assert value == bytes_digest(payload, threads=1) == _by_hand(payload, 7)
        if payload:
            at = data.draw(st.integers(0, len(payload) - 1))
            flipped = payload[:at] + bytes([payload[at] ^ 1]) + payload[at + 1 :]
            assert bytes_digest(flipped, threads=threads) != value
        assert bytes_digest(payload + b"\n", threads=threads) != value
    finally:
        digest.CHUNK = original


def test_the_digest_of_a_large_buffer_uses_fixed_chunks():
    payload = bytes(range(256)) * (digest.CHUNK // 256 * 2 + 3)  # two full chunks and a bit
    assert bytes_digest(payload, threads=2) == _by_hand(payload, digest.CHUNK) == bytes_digest(payload, threads=1)
