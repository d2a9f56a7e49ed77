"""Sign a checkpoint of the bundled records ``events/records.jsonl``.

Run it after appending to the records, before a release:

    python scripts/sign_release.py                     # key: ~/.config/unledger/release-key
    python scripts/sign_release.py --key PATH          # another place for the private key
    python scripts/sign_release.py --new-key           # first time only: make the release key

It checks, in this order, and writes nothing unless all pass:

1. the records' hash chain (as ``unledger verify``);
2. the private key is the one whose public key is committed
   (``events/release.pub``);
3. the checkpoint committed now (``events/records.checkpoint``), if any, is
   signed by that key and the records still extend it: the same first lines,
   the same root. A release that drops or rewrites a published line is
   refused here, so it can never be signed;

then signs a checkpoint of the whole records and replaces the committed one
(written to a temporary file, then renamed). The private key never enters
the repository: keep it outside (mode 0600) and back it up.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from unledger.checkpoint import Checkpoint, SignerKey, VerifierKey, open_checkpoint
from unledger.errors import UnledgerError
from unledger.log import FileLog, verify_bytes
from unledger.merkle import Tree
from unledger.proofs import check_extends

ROOT = Path(__file__).resolve().parent.parent
RECORDS = ROOT / "events" / "records.jsonl"
CHECKPOINT = ROOT / "events" / "records.checkpoint"
PUBLIC = ROOT / "events" / "release.pub"
KEY = Path.home() / ".config" / "unledger" / "release-key"
#: The records' name in their checkpoints, and the release key's name.
ORIGIN = "unledger/records"


def new_key(path: Path) -> None:
    """Make the release key at ``path`` (0600) and commit its public key."""
    if PUBLIC.exists():
        sys.exit(f"{PUBLIC} exists: a release key was made already; a new one would orphan every published checkpoint")
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    signer = SignerKey.generate(ORIGIN)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(f"{signer}\n")
    PUBLIC.write_text(f"{signer.verifier()}\n", encoding="utf-8")
    print(f"wrote the private key {path} (mode 0600; keep it outside the repository) and {PUBLIC}")


def sign(key_path: Path) -> str:
    data = FileLog(RECORDS, readonly=True).all_bytes()
    head, count = verify_bytes(data, path=str(RECORDS))
    signer = SignerKey.parse(key_path.read_text(encoding="utf-8"))
    public = VerifierKey.parse(PUBLIC.read_text(encoding="utf-8"))
    if signer.verifier() != public:
        raise SystemExit(f"{key_path} is not the private key of {PUBLIC} ({public})")
    lines = data.split(b"\n")[:-1]
    if CHECKPOINT.exists():
        previous = open_checkpoint(CHECKPOINT.read_text(encoding="utf-8"), public)
        if previous.origin != ORIGIN:
            raise SystemExit(f"{CHECKPOINT} names {previous.origin}, not {ORIGIN}")
        check_extends(lines, previous, path=str(RECORDS))
        print(f"the records extend the published checkpoint ({previous.size} lines)")
    note = str(Checkpoint(ORIGIN, len(lines), Tree(lines).root()).sign(signer))
    tmp = CHECKPOINT.with_suffix(".checkpoint.tmp")
    tmp.write_text(note, encoding="utf-8")
    os.replace(tmp, CHECKPOINT)
    print(f"signed {CHECKPOINT}: {count} lines, head {head}")
    return note


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--key", type=Path, default=KEY, help=f"the release's private key (default {KEY})")
    parser.add_argument("--new-key", action="store_true", help="make the release key first (once)")
    args = parser.parse_args(argv)
    try:
        if args.new_key:
            new_key(args.key)
        sign(args.key)
    except UnledgerError as exc:
        raise SystemExit(f"refused: {exc}") from None


if __name__ == "__main__":
    main()
