"""`unledger key`, `checkpoint`, `verify --checkpoint`, `prove`, the
standalone inclusion checker, and the checkpoint shipped with the bundled
records: the exit codes for an extended log (0), and for a truncated one, a
rewritten one, a checkpoint signed by another key and an edited checkpoint
(1, naming which)."""

from __future__ import annotations

import ast
import importlib.util
import json
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from unledger import Admission, Establishment, Ledger
from unledger.cli import cli
from unledger.records import bundled_path

ROOT = Path(__file__).resolve().parent.parent
CHECKER = ROOT / "docs" / "examples" / "verify_inclusion.py"


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def refused(result, *needles: str) -> str:
    assert result.exit_code == 1, result.output
    err = result.stderr.strip()
    assert "Traceback" not in result.output and len(err.splitlines()) == 1, err
    for needle in needles:
        assert needle in err, (needle, err)
    return err


def write_log(path: Path, members: list[str], name: str = "United Nations") -> Path:
    ledger = Ledger.open(path)
    ledger.append(Establishment(entity="UN", name=name, date="1945-10-24", id="un"))
    for i, member in enumerate(members):
        ledger.append(Admission(org="UN", member=member, date=f"{1950 + i}", id=f"adm-{member}"))
    return path


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A log of 4 lines, a key pair and a checkpoint of the log signed by it."""
    log = write_log(tmp_path / "log.jsonl", ["AZE", "KAZ", "ARM"])
    key = tmp_path / "my.key"
    assert run("key", "new", str(key), "--name", "example.org/log").exit_code == 0
    checkpoint = tmp_path / "v1.checkpoint"
    assert run("--log", str(log), "checkpoint", "--key", str(key), "-o", str(checkpoint)).exit_code == 0
    return log, key, checkpoint


def test_key_new_writes_a_private_key_0600_and_never_overwrites(tmp_path: Path) -> None:
    key = tmp_path / "k"
    result = run("key", "new", str(key))
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert key.read_text().startswith("PRIVATE+KEY+k+")
    public = Path(f"{key}.pub").read_text()
    assert public.startswith("k+") and public.strip() in result.stdout
    before = key.read_bytes()
    refused(run("key", "new", str(key)), "already exists")
    assert key.read_bytes() == before


def test_checkpoint_is_a_signed_note_of_the_log(setup: tuple[Path, Path, Path]) -> None:
    log, key, checkpoint = setup
    text = checkpoint.read_text()
    body, _, signatures = text.partition("\n\n")
    assert body.split("\n") == ["example.org/log", "4", body.split("\n")[2]]
    assert signatures.startswith("\u2014 example.org/log ")
    other = run("--log", str(log), "checkpoint", "--key", str(key), "--origin", "example.org/other")
    assert other.stdout.startswith("example.org/other\n4\n")


def test_verify_exit_codes(setup: tuple[Path, Path, Path], tmp_path: Path) -> None:
    log, key, checkpoint = setup
    public = f"{key}.pub"
    ok = run("--log", str(log), "verify", "--checkpoint", str(checkpoint), "--key", public)
    assert ok.exit_code == 0 and ok.stdout.strip() == Ledger.open(log).head
    assert "extends the checkpoint" in ok.stderr

    # Extended: more lines after the checkpoint's.
    Ledger.open(log).append(Admission(org="UN", member="GEO", date="1992-07-31", id="adm-GEO"))
    assert run("--log", str(log), "verify", "--checkpoint", str(checkpoint), "--key", public).exit_code == 0

    # Truncated: a valid log, shorter than the checkpoint.
    short = write_log(tmp_path / "short.jsonl", ["AZE", "KAZ"])
    refused(run("--log", str(short), "verify", "--checkpoint", str(checkpoint), "--key", public), "truncated", "3 lines")

    # Rewritten: a valid chain of its own, from fresh hashes, with other lines.
    rewritten = write_log(tmp_path / "rewritten.jsonl", ["AZE", "KAZ", "ARM"], name="United Nations Organization")
    assert run("--log", str(rewritten), "verify").exit_code == 0
    refused(run("--log", str(rewritten), "verify", "--checkpoint", str(checkpoint), "--key", public), "rewritten")

    # Signed by another key (of the same name, even).
    other = tmp_path / "other.key"
    assert run("key", "new", str(other), "--name", "example.org/log").exit_code == 0
    refused(run("--log", str(log), "verify", "--checkpoint", str(checkpoint), "--key", f"{other}.pub"), "signed by another key")

    # Edited: a checkpoint whose size or root was changed after signing.
    lines = checkpoint.read_text().split("\n")
    for edit in ({1: "3"}, {2: lines[2][:-2] + ("A=" if lines[2][-2] != "A" else "Q=")}):
        edited = tmp_path / "edited.checkpoint"
        edited.write_text("\n".join(edit.get(i, line) for i, line in enumerate(lines)))
        refused(run("--log", str(log), "verify", "--checkpoint", str(edited), "--key", public), "edited after it was signed")

    # A private key where the public key belongs, and a lone --checkpoint.
    refused(run("--log", str(log), "verify", "--checkpoint", str(checkpoint), "--key", str(key)), "private key")
    assert run("--log", str(log), "verify", "--checkpoint", str(checkpoint)).exit_code == 2


def test_verify_json_names_the_checkpoint(setup: tuple[Path, Path, Path]) -> None:
    log, key, checkpoint = setup
    result = run("--log", str(log), "--json", "verify", "--checkpoint", str(checkpoint), "--key", f"{key}.pub")
    row = json.loads(result.stdout)[0]
    assert row["checkpoint"]["origin"] == "example.org/log" and row["checkpoint"]["size"] == 4
    assert row["checkpoint"]["signers"] == ["example.org/log"]


def test_prove_an_event_and_check_it_with_and_without_unledger(setup: tuple[Path, Path, Path], tmp_path: Path) -> None:
    log, key, checkpoint = setup
    proof = tmp_path / "aze.proof"
    assert run("--log", str(log), "prove", "adm-AZE", "--checkpoint", str(checkpoint), "--key", f"{key}.pub", "-o", str(proof)).exit_code == 0
    body = json.loads(proof.read_text())
    assert body["proof"] == "inclusion" and body["index"] == 1 and json.loads(body["line"])["id"] == "adm-AZE"
    checked = run("prove", "check", str(proof), "--checkpoint", str(checkpoint), "--key", f"{key}.pub")
    assert checked.exit_code == 0 and "adm-AZE" in checked.stdout

    # The standalone checker: a fresh interpreter, no unledger on its path.
    def checker(proof_file: Path, key_file: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-I", str(CHECKER), str(proof_file), str(checkpoint), key_file],
            capture_output=True, text=True, timeout=60, cwd=tmp_path,
        )  # fmt: skip

    imported = {
        alias.name.split(".")[0] if isinstance(node, ast.Import) else (node.module or "").split(".")[0]
        for node in ast.walk(ast.parse(CHECKER.read_text()))
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert imported <= {"base64", "hashlib", "json", "sys", "cryptography"}, imported
    done = checker(proof, f"{key}.pub")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["id"] == "adm-AZE"
    # A changed fact, a changed proof hash, another key: all refused.
    forged = tmp_path / "forged.proof"
    forged.write_text(proof.read_text().replace("AZE", "ARM"))
    assert checker(forged, f"{key}.pub").returncode == 1
    assert run("prove", "check", str(forged), "--checkpoint", str(checkpoint), "--key", f"{key}.pub").exit_code == 1
    changed = json.loads(proof.read_text())
    changed["hashes"][0] = ("B" if changed["hashes"][0][0] == "A" else "A") + changed["hashes"][0][1:]
    forged.write_text(json.dumps(changed))
    assert checker(forged, f"{key}.pub").returncode == 1
    run("key", "new", str(tmp_path / "other.key"))
    wrong = checker(proof, str(tmp_path / "other.key.pub"))
    assert wrong.returncode == 1 and "no signature" in wrong.stderr

    refused(run("--log", str(log), "prove", "nope", "--checkpoint", str(checkpoint)), "nope")


def test_prove_consistency_between_two_releases(setup: tuple[Path, Path, Path], tmp_path: Path) -> None:
    log, key, v1 = setup
    Ledger.open(log).append([Admission(org="UN", member=m, date="1992-07-31", id=f"adm-{m}") for m in ("GEO", "UZB")])
    v2 = tmp_path / "v2.checkpoint"
    assert run("--log", str(log), "checkpoint", "--key", str(key), "-o", str(v2)).exit_code == 0
    proof = tmp_path / "v1-v2.proof"
    made = run("--log", str(log), "prove", "consistency", str(v1), str(v2), "--key", f"{key}.pub", "-o", str(proof))
    assert made.exit_code == 0, made.output
    assert json.loads(proof.read_text())["hashes"]
    # Checked from the two checkpoints alone: no --log, and the log may be gone.
    log.unlink()
    ok = run("prove", "consistency", str(v1), str(v2), "--check", str(proof), "--key", f"{key}.pub")
    assert ok.exit_code == 0, ok.output
    refused(run("prove", "consistency", str(v2), str(v1), "--check", str(proof), "--key", f"{key}.pub"), "proof")
    # A v2 from a rewritten history does not extend v1.
    fork = write_log(tmp_path / "fork.jsonl", ["AZE", "KAZ", "ARMX", "GEO", "UZB"])
    v2b = tmp_path / "v2b.checkpoint"
    assert run("--log", str(fork), "checkpoint", "--key", str(key), "-o", str(v2b)).exit_code == 0
    refused(run("prove", "consistency", str(v1), str(v2b), "--check", str(proof), "--key", f"{key}.pub"), "root")
    refused(run("--log", str(fork), "prove", "consistency", str(v1), str(v2b)), "rewritten")
    assert run("prove", "consistency", str(v1), str(v2), "--check", str(proof)).exit_code == 2


def test_the_bundled_records_ship_a_checkpoint_they_extend() -> None:
    shipped = bundled_path().with_name("records.checkpoint")
    public = bundled_path().with_name("release.pub")
    assert shipped.is_file() and public.is_file()
    result = run("verify")
    assert result.exit_code == 0, result.output
    assert f"extends the checkpoint {shipped}" in result.stderr
    explicit = run("verify", "--checkpoint", str(shipped), "--key", str(public))
    assert explicit.exit_code == 0


def test_json_answers_carry_their_basis(setup: tuple[Path, Path, Path]) -> None:
    log, _, _ = setup
    rows = json.loads(run("--log", str(log), "--json", "members", "UN", "--as-of", "1960").stdout)
    ledger = Ledger.open(log)
    assert rows and all(r["basis"] == {"size": 4, "head": ledger.head, "root": None} for r in rows)
    before = ledger.records[1].recorded
    past = json.loads(run("--log", str(log), "--json", "members", "UN", "--as-of", "1960", "--known-at", before).stdout)
    assert [r["member"] for r in past] == ["AZE"] and past[0]["basis"]["size"] == 2


def test_sign_release_signs_only_records_that_extend_the_last_checkpoint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = importlib.util.spec_from_file_location("sign_release", ROOT / "scripts" / "sign_release.py")
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    records = write_log(tmp_path / "records.jsonl", ["AZE", "KAZ"])
    for name, value in (("RECORDS", records), ("CHECKPOINT", tmp_path / "records.checkpoint"), ("PUBLIC", tmp_path / "release.pub")):
        monkeypatch.setattr(script, name, value)
    key = tmp_path / "private" / "release-key"
    script.main(["--key", str(key), "--new-key"])
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    first = (tmp_path / "records.checkpoint").read_text()
    public = str(tmp_path / "release.pub")
    assert run("--log", str(records), "verify", "--checkpoint", str(tmp_path / "records.checkpoint"), "--key", public).exit_code == 0

    Ledger.open(records).append(Admission(org="UN", member="ARM", date="1992-03-02", id="adm-ARM"))
    script.main(["--key", str(key)])
    second = (tmp_path / "records.checkpoint").read_text()
    assert second.split("\n")[1] == "4" and second != first

    # Records rebuilt without a published line: refused, the checkpoint kept.
    records.unlink()
    write_log(records, ["AZE", "ARM", "KAZ", "GEO"])
    with pytest.raises(SystemExit, match="rewritten"):
        script.main(["--key", str(key)])
    assert (tmp_path / "records.checkpoint").read_text() == second
    # Another private key: refused.
    other = tmp_path / "other"
    assert run("key", "new", str(other), "--name", "unledger/records").exit_code == 0
    with pytest.raises(SystemExit, match="not the private key"):
        script.main(["--key", str(other)])


def test_a_witness_cosigns_only_a_checkpoint_that_extends_the_last_it_cosigned(setup: tuple[Path, Path, Path], tmp_path: Path) -> None:
    log, key, v1 = setup
    witness = tmp_path / "witness.key"
    assert run("key", "new", str(witness), "--name", "witness.example").exit_code == 0
    common = ["--key", str(witness), "--log-key", f"{key}.pub"]
    first = run("cosign", str(v1), *common, "-o", str(tmp_path / "v1w.checkpoint"))
    assert first.exit_code == 0, first.output
    Ledger.open(log).append(Admission(org="UN", member="GEO", date="1992-07-31", id="adm-GEO"))
    v2, proof = tmp_path / "v2.checkpoint", tmp_path / "v1-v2.proof"
    assert run("--log", str(log), "checkpoint", "--key", str(key), "-o", str(v2)).exit_code == 0
    assert run("--log", str(log), "prove", "consistency", str(v1), str(v2), "-o", str(proof)).exit_code == 0
    cosigned = run("cosign", str(v2), *common, "--previous", str(v1), "--proof", str(proof))
    assert cosigned.exit_code == 0, cosigned.output
    signers = [line.split(" ")[1] for line in cosigned.stdout.splitlines() if line.startswith("\u2014 ")]
    assert signers == ["example.org/log", "witness.example"]
    (tmp_path / "v2w.checkpoint").write_text(cosigned.stdout)
    for public in (f"{key}.pub", f"{witness}.pub"):
        assert run("--log", str(log), "verify", "--checkpoint", str(tmp_path / "v2w.checkpoint"), "--key", public).exit_code == 0

    # A fork signed by the log's key: the witness refuses it.
    fork = write_log(tmp_path / "fork.jsonl", ["AZE", "KAZ", "ARMX", "GEO"])
    v2b = tmp_path / "v2b.checkpoint"
    assert run("--log", str(fork), "checkpoint", "--key", str(key), "-o", str(v2b)).exit_code == 0
    refused(run("cosign", str(v2b), *common, "--previous", str(v1), "--proof", str(proof)), "proof")
    # A checkpoint the log's key did not sign: refused; --previous without --proof: usage.
    other = tmp_path / "other.key"
    assert run("key", "new", str(other), "--name", "example.org/log").exit_code == 0
    foreign = tmp_path / "foreign.checkpoint"
    assert run("--log", str(log), "checkpoint", "--key", str(other), "-o", str(foreign)).exit_code == 0
    refused(run("cosign", str(foreign), *common), "signed by another key")
    assert run("cosign", str(v2), *common, "--previous", str(v1)).exit_code == 2
