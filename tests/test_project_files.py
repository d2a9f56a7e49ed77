"""The repository's LICENSE, CITATION.cff and CHANGELOG.md say what
pyproject.toml says, in the formats their readers expect."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def test_license_is_the_mit_license_pyproject_names() -> None:
    assert PROJECT["license"] == "MIT"
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License\n") and re.search(r"Copyright \(c\) \d{4} \S", text)
    assert "THE SOFTWARE IS PROVIDED \"AS IS\", WITHOUT WARRANTY OF ANY KIND" in text


def test_citation_file_is_cff_1_2_0_for_this_version() -> None:
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["cff-version"] == "1.2.0"
    for key in ("message", "title"):
        assert isinstance(cff[key], str) and cff[key].strip()
    assert cff["authors"] and all(isinstance(a, dict) and (a.get("name") or a.get("family-names")) for a in cff["authors"])
    assert cff["type"] in ("software", "dataset")
    assert str(cff["version"]) == PROJECT["version"] and cff["license"] == PROJECT["license"]
    dt.date.fromisoformat(str(cff["date-released"]))
    allowed = {"cff-version", "message", "title", "authors", "type", "abstract", "version", "date-released", "license", "keywords",
               "repository-code", "url", "doi", "identifiers", "references", "preferred-citation", "contact", "commit"}
    assert set(cff) <= allowed, set(cff) - allowed


def test_changelog_keeps_a_changelog() -> None:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "keepachangelog.com" in text
    releases = re.findall(r"^## \[([^\]]+)\](?: - (\d{4}-\d\d-\d\d))?$", text, flags=re.M)
    assert releases[0] == ("Unreleased", "")
    assert (PROJECT["version"], releases[1][1]) in releases[1:]
    assert all(date for _, date in releases[1:]) and len(re.findall(r"^## ", text, flags=re.M)) == len(releases)
    for heading in re.findall(r"^### (.+)$", text, flags=re.M):
        assert heading in ("Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"), heading


def test_a_plain_install_can_check_the_bundled_release_signature() -> None:
    # `unledger verify` checks the Ed25519 signature of the bundled records'
    # checkpoint: after `pip install .` alone it must not stop at a missing
    # module (it did, while cryptography was an optional extra).
    names = {re.split(r"[<>=!~\[ ;]", dep, maxsplit=1)[0].lower() for dep in PROJECT["dependencies"]}
    assert "cryptography" in names
