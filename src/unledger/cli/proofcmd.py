"""Commands about signed checkpoints and proofs: key, checkpoint, prove.

``unledger verify --checkpoint FILE --key PUB`` (in :mod:`.logcmd`) uses
:func:`check_checkpoint` from here; on the bundled records, ``unledger
verify`` checks the checkpoint and public key shipped beside them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from ..checkpoint import Checkpoint, Note, SignerKey, VerifierKey, open_checkpoint
from ..errors import CheckpointError, ProofError
from . import Refused, UnledgerGroup, cli, no_formats, output_options, session

#: Beside the bundled records: their signed checkpoint and the project's public key.
BUNDLED_CHECKPOINT = "records.checkpoint"
BUNDLED_KEY = "release.pub"


def _read_text(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise CheckpointError(f"{path}: the {what} is not UTF-8 text") from None


def read_verifier(path: Path) -> VerifierKey:
    text = _read_text(path, "public key")
    if text.startswith("PRIVATE+KEY+"):
        raise CheckpointError(f"{path}: this is a private key; give its public key ({path}.pub)")
    try:
        return VerifierKey.parse(text)
    except CheckpointError as exc:
        raise CheckpointError(f"{path}: {exc}") from None


def read_signer(path: Path) -> SignerKey:
    text = _read_text(path, "private key")
    try:
        return SignerKey.parse(text)
    except CheckpointError as exc:
        raise CheckpointError(f"{path}: {exc}") from None


def read_checkpoint(path: Path, key: VerifierKey | None) -> Checkpoint:
    try:
        return open_checkpoint(_read_text(path, "checkpoint"), key)
    except CheckpointError as exc:
        raise CheckpointError(f"{path}: {exc}") from None


def bundled_release(log: Path) -> tuple[Path, Path] | None:
    """The checkpoint and public key shipped beside the bundled records ``log``, if any."""
    checkpoint, key = log.with_name(BUNDLED_CHECKPOINT), log.with_name(BUNDLED_KEY)
    return (checkpoint, key) if checkpoint.is_file() and key.is_file() else None


def check_checkpoint(log: Path, data: bytes, checkpoint_path: Path, key_path: Path) -> Checkpoint:
    """Check that the log ``data`` (whose chain was checked) extends the
    checkpoint in ``checkpoint_path`` signed by the key in ``key_path``."""
    from ..proofs import check_extends

    checkpoint = read_checkpoint(checkpoint_path, read_verifier(key_path))
    check_extends(data.split(b"\n")[:-1], checkpoint, path=str(log))
    return checkpoint


def _write(text: str, output: Path | None) -> None:
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}", err=True)


OUTPUT = click.option(
    "-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=None, help="File to write (default: standard output)."
)


# -- key -------------------------------------------------------------------------------


@cli.group(cls=UnledgerGroup)
def key() -> None:
    """Signing keys for checkpoints (Ed25519)."""


@key.command("new")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--name", default=None, help="The key's name, shown in signature lines (default: PATH's file name without suffix).")
def key_new(path: Path, name: str | None) -> None:
    """Write a new private key to PATH (mode 0600; never overwritten) and
    its public key to PATH.pub.

    \b
    unledger key new my-ledger.key --name example.org/my-ledger
    """
    no_formats("key new", "it writes two key files")
    signer = SignerKey.generate(name if name is not None else path.stem)
    public = Path(f"{path}.pub")
    if public.exists():
        raise Refused(f"{public} already exists: not overwritten")
    _create(path, f"{signer}\n", 0o600)
    try:
        _create(public, f"{signer.verifier()}\n", 0o644)
    except BaseException:
        path.unlink()
        raise
    click.echo(f"wrote the private key {path} (keep it secret) and the public key {public}:")
    click.echo(str(signer.verifier()))


def _create(path: Path, text: str, mode: int) -> None:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    except FileExistsError:
        raise Refused(f"{path} already exists: not overwritten") from None
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())


# -- checkpoint --------------------------------------------------------------------------


@cli.command()
@click.option("--key", "key_path", type=click.Path(path_type=Path, dir_okay=False, exists=True), required=True, help="The private key to sign with.")
@click.option("--origin", default=None, help="The log's name in the checkpoint (default: the key's name).")
@OUTPUT
@output_options
def checkpoint(key_path: Path, origin: str | None, output: Path | None) -> None:
    """Print a signed checkpoint of the log given by --log: its origin,
    size and Merkle root as a C2SP signed note.

    \b
    unledger --log my-ledger.jsonl checkpoint --key my-ledger.key -o my-ledger.checkpoint
    """
    no_formats("checkpoint", "a checkpoint is a signed note, printed as it is signed")
    from ..proofs import checkpoint_of

    signer = read_signer(key_path)
    ledger = session().ledger()
    _write(str(checkpoint_of(ledger, origin or signer.name).sign(signer)), output)


@cli.command()
@click.argument("new", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--key", "key_path", type=click.Path(path_type=Path, dir_okay=False, exists=True), required=True, help="The witness's private key.")
@click.option("--log-key", "log_key_path", type=click.Path(path_type=Path, dir_okay=False, exists=True), required=True, help="The log's public key: NEW must carry its signature.")
@click.option("--previous", "old", type=click.Path(path_type=Path, dir_okay=False, exists=True), default=None, help="The last checkpoint of this log the witness cosigned.")
@click.option("--proof", "proof_path", type=click.Path(path_type=Path, dir_okay=False, exists=True), default=None, help="The consistency proof from --previous to NEW (required with --previous).")
@OUTPUT
def cosign(new: Path, key_path: Path, log_key_path: Path, old: Path | None, proof_path: Path | None, output: Path | None) -> None:
    """Add a witness's signature to the checkpoint NEW, after checking the
    log's signature and, with --previous, that NEW extends the last
    checkpoint the witness cosigned. Prints NEW with one more signature line.

    \b
    unledger cosign v2.checkpoint --key witness.key --log-key my-ledger.key.pub --previous v1.checkpoint --proof v1-v2.proof
    """
    no_formats("cosign", "a checkpoint is a signed note, printed as it is signed")
    from ..checkpoint import cosign as add_signature
    from ..proofs import ConsistencyProof, read_proof

    if (old is None) != (proof_path is None):
        raise click.UsageError("--previous and --proof go together: a witness cosigns only what extends what it cosigned before")
    witness = read_signer(key_path)
    log_key = read_verifier(log_key_path)
    after = read_checkpoint(new, log_key)
    if old is not None and proof_path is not None:
        before = read_checkpoint(old, log_key)
        proof = read_proof(_read_text(proof_path, "proof"))
        if not isinstance(proof, ConsistencyProof):
            raise ProofError(f"{proof_path}: an inclusion proof, not a consistency proof")
        proof.verify(before, after)
    _write(str(add_signature(Note.parse(_read_text(new, "checkpoint")), witness)), output)


# -- prove ------------------------------------------------------------------------------


class ProveGroup(UnledgerGroup):
    """``unledger prove EVENT_ID ...`` is ``unledger prove event EVENT_ID ...``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = ["event", *args]
        return super().parse_args(ctx, args)


@cli.group(cls=ProveGroup)
def prove() -> None:
    """Inclusion and consistency proofs against signed checkpoints.

    \b
    unledger prove EVENT_ID --checkpoint FILE        (same as: prove event ...)
    unledger prove consistency OLD NEW
    unledger prove check PROOF --checkpoint FILE --key PUB
    """


@prove.command("event")
@click.argument("event_id")
@click.option("--checkpoint", "checkpoint_path", type=click.Path(path_type=Path, dir_okay=False, exists=True), required=True, help="The checkpoint to prove against.")
@click.option("--key", "key_path", type=click.Path(path_type=Path, dir_okay=False, exists=True), default=None, help="Check the checkpoint's signature with this public key first.")
@OUTPUT
@output_options
def prove_event(event_id: str, checkpoint_path: Path, key_path: Path | None, output: Path | None) -> None:
    """Print the proof that the line recording EVENT_ID belongs to the log
    the checkpoint names (JSON; check it with `unledger prove check` or the
    standalone checker in docs/checkpoints.md).

    \b
    unledger prove adm-aze --checkpoint my-ledger.checkpoint -o adm-aze.proof
    """
    no_formats("prove", "a proof is a JSON object already")
    from ..proofs import prove_inclusion

    target = read_checkpoint(checkpoint_path, read_verifier(key_path) if key_path else None)
    _write(prove_inclusion(session().ledger(), event_id, target).to_json(), output)


@prove.command("consistency")
@click.argument("old", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.argument("new", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--key", "key_path", type=click.Path(path_type=Path, dir_okay=False, exists=True), default=None, help="Check both checkpoints' signatures with this public key (required with --check).")
@click.option("--check", "proof_path", type=click.Path(path_type=Path, dir_okay=False, exists=True), default=None, help="Check this proof instead of making one: no log needed.")
@OUTPUT
@output_options
def prove_consistency(old: Path, new: Path, key_path: Path | None, proof_path: Path | None, output: Path | None) -> None:
    """Print the proof that the log at checkpoint NEW extends the log at
    checkpoint OLD (made from a log that holds both); with --check PROOF,
    check such a proof from the two checkpoints alone.

    \b
    unledger --log my-ledger.jsonl prove consistency v1.checkpoint v2.checkpoint -o v1-v2.proof
    unledger prove consistency v1.checkpoint v2.checkpoint --check v1-v2.proof --key my-ledger.key.pub
    """
    no_formats("prove consistency", "a proof is a JSON object already")
    from ..proofs import ConsistencyProof, read_proof
    from ..proofs import prove_consistency as make

    verifier = read_verifier(key_path) if key_path else None
    if proof_path is not None and verifier is None:
        raise click.UsageError("--check needs --key: a proof between checkpoints whose signatures are unchecked proves nothing")
    before, after = read_checkpoint(old, verifier), read_checkpoint(new, verifier)
    if proof_path is None:
        _write(make(session().ledger(), before, after).to_json(), output)
        return
    proof = read_proof(_read_text(proof_path, "proof"))
    if not isinstance(proof, ConsistencyProof):
        raise ProofError(f"{proof_path}: an inclusion proof, not a consistency proof")
    proof.verify(before, after)
    click.echo(f"{new} extends {old}: {after.describe()} begins with the {before.size} lines of {old}")


@prove.command("check")
@click.argument("proof_path", metavar="PROOF", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--checkpoint", "checkpoint_path", type=click.Path(path_type=Path, dir_okay=False, exists=True), required=True, help="The checkpoint the proof is for.")
@click.option("--key", "key_path", type=click.Path(path_type=Path, dir_okay=False, exists=True), required=True, help="The public key that signed the checkpoint.")
def prove_check(proof_path: Path, checkpoint_path: Path, key_path: Path) -> None:
    """Check an inclusion proof (from `unledger prove EVENT_ID`) against a
    signed checkpoint: no log needed. Prints the proven line."""
    no_formats("prove check", "it prints the proven line as the log holds it")
    from ..proofs import InclusionProof, read_proof

    target = read_checkpoint(checkpoint_path, read_verifier(key_path))
    proof = read_proof(_read_text(proof_path, "proof"))
    if not isinstance(proof, InclusionProof):
        raise ProofError(f"{proof_path}: a consistency proof: check it with `unledger prove consistency OLD NEW --check`")
    proof.verify(target)
    click.echo(f"line {proof.index + 1} of {target.describe()}:")
    click.echo(proof.line.decode("utf-8"))


def describe_checkpoint(checkpoint: Checkpoint, note_path: Path) -> dict[str, Any]:
    """The checkpoint as ``verify --json`` shows it."""
    names = [s.name for s in Note.parse(note_path.read_bytes()).signatures]
    return {"origin": checkpoint.origin, "size": checkpoint.size, "root": checkpoint.text().split("\n")[2], "signers": names}
