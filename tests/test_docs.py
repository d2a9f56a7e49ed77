"""The documentation builds with warnings as errors, and every example in it
runs and shows what it prints: each ```python block, and each `$ unledger ...`
line of a ```console block in README.md and docs/, whose output (the lines
under it, up to the next `$ ` line) must be what the command prints. Blocks
of one page run in order in one temporary directory, sharing files (a block
with ``title="name"`` is written to that file first) and, for Python, one
namespace.

Shown output may leave out what changes from run to run or does not matter
to the example: a line ``...`` stands for any run of lines (none included),
and ``…`` inside a line for any text (a head hash that depends on the time
of an append). A command whose shown output begins ``unledger: error:``
must be refused (exit code 1); every other one must succeed.

Run with UNLEDGER_DOCS_UPDATE=1 to rewrite the output shown under each
`$ unledger` line that no longer matches with what the command really prints
(elisions in it are lost: put them back by hand).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import attrs
import pytest
from click.testing import CliRunner

from unledger.codec import event_from_dict, parse_json_objects
from unledger.events import kinds

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
UPDATE = os.environ.get("UNLEDGER_DOCS_UPDATE") == "1"
FENCE = re.compile(r"^```(?P<lang>[\w-]*)(?P<attrs>[^\n]*)\n(?P<body>.*?)^```[ \t]*$", re.S | re.M)
TITLE = re.compile(r'title="([^"]+)"')


README = ROOT / "README.md"
#: A shown line that stands for any run of lines, and text inside a line that stands for any text.
ELIDED_LINES = "..."
ELIDED_TEXT = "…"


def pages() -> list[Path]:
    return [README] + sorted(p for p in DOCS.rglob("*.md") if FENCE.search(p.read_text(encoding="utf-8")))


def shows(shown: list[str], printed: list[str]) -> bool:
    """Whether ``shown`` (with its elisions) is what was ``printed``,
    trailing blanks aside."""
    shown = [line.rstrip() for line in shown]
    printed = [line.rstrip() for line in printed]
    pattern = "".join(
        r"(?:[^\n]*\n)*?" if line == ELIDED_LINES else r"[^\n]*?".join(map(re.escape, line.split(ELIDED_TEXT))) + r"\n"
        for line in shown
    )
    return re.fullmatch(pattern, "".join(line + "\n" for line in printed)) is not None


def runnable(page: Path) -> bool:
    text = page.read_text(encoding="utf-8")
    return any(
        m["lang"] == "python" or TITLE.search(m["attrs"]) or (m["lang"] == "console" and "$ unledger" in m["body"])
        for m in FENCE.finditer(text)
    )


def test_site_builds_strict(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f", str(ROOT / "mkdocs.yml"), "-d", str(tmp_path / "site")],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "site" / "index.html").is_file()
    api = (tmp_path / "site" / "reference" / "api" / "index.html").read_text(encoding="utf-8")
    assert "What was true on" in api  # rendered from Ledger.state's docstring
    # Sphinx roles in docstrings are rendered as links (scripts/docs_roles.py), not shown raw.
    assert re.search(r":(class|meth|func|mod|data|attr|exc):", api) is None
    assert 'href="#unledger.errors.InvalidEvent"' in api


def _run_console(body: str, lines_out: list[str], where: str) -> None:
    from unledger.cli import cli

    lines = body.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        lines_out.append(line)
        i += 1
        if not line.startswith("$ unledger"):
            continue
        shown = []
        while i < len(lines) and not lines[i].startswith("$ "):
            shown.append(lines[i])
            i += 1
        result = CliRunner().invoke(cli, shlex.split(line[2:])[1:], catch_exceptions=False)
        refused = bool(shown) and shown[0].startswith("unledger: error:")
        assert (result.exit_code == 1) if refused else (result.exit_code == 0), f"{where}: {line}\n{result.output}"
        printed = result.output.rstrip("\n").splitlines()
        if UPDATE and not shows(shown, printed):
            lines_out.extend(printed)
            continue
        lines_out.extend(shown)
        if not UPDATE:
            assert shows(shown, printed), f"{where}: `{line[2:]}` printed:\n" + "\n".join(printed) + "\n\nbut the page shows:\n" + "\n".join(shown)


@pytest.mark.parametrize("page", [p for p in pages() if runnable(p)], ids=lambda p: str(p.relative_to(ROOT)))
def test_examples_run(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    examples = DOCS / "examples"
    if examples.is_dir():
        for item in examples.iterdir():
            shutil.copy(item, tmp_path / item.name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("UNLEDGER_LOG", raising=False)
    # Examples call the `unledger` script by name, as a reader's shell would.
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    text = page.read_text(encoding="utf-8")
    namespace: dict[str, object] = {"__name__": "__docs__"}
    out = []
    last = 0
    for match in FENCE.finditer(text):
        out.append(text[last : match.start("body")])
        body = match["body"]
        title = TITLE.search(match["attrs"])
        if title:
            (tmp_path / title.group(1)).write_text(body, encoding="utf-8")
        if match["lang"] == "python":
            exec(compile(body, f"{page.name}:{text[: match.start()].count(chr(10)) + 2}", "exec"), namespace)
            out.append(body)
        elif match["lang"] == "console" and "$ unledger" in body:
            lines: list[str] = []
            _run_console(body, lines, f"{page.relative_to(ROOT)}:{text[: match.start()].count(chr(10)) + 2}")
            out.append("\n".join(lines) + "\n")
        else:
            out.append(body)
        last = match.end("body")
    out.append(text[last:])
    if UPDATE:
        page.write_text("".join(out), encoding="utf-8")


def test_shown_output_must_match_except_where_elided() -> None:
    printed = ["Recorded 2 events; head 3bc1cdd4", "seq  date", "1    1945", "2    1992"]
    assert shows(list(printed), printed)
    assert shows(["Recorded 2 events; head …", "seq  date", "...", "2    1992"], printed)
    assert shows(["Recorded 2 events; head …", "..."], printed)
    assert not shows(["Recorded 2 events; head 5aaccccc", "..."], printed)  # a stale hash
    assert not shows(["Recorded 2 events; head …", "seq  date"], printed)  # lines left out unmarked
    assert not shows(["Recorded 2 events; head …", "...", "3    1993"], printed)


def test_install_lines_install_from_a_checkout() -> None:
    """unledger is not on the package index: every `pip install` shown
    installs the checkout (``.``, with extras that pyproject.toml defines)."""
    import tomllib

    extras = set(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"])
    lines = [
        (page, line)
        for page in [README, *DOCS.rglob("*.md")]
        for line in page.read_text(encoding="utf-8").splitlines()
        if re.search(r"(^|[$`] ?|&& )pip install ", line) and "unledger" not in line.split("pip install", 1)[0]
    ]
    assert any(page.name == "getting-started.md" and line.strip() == "$ pip install ." for page, line in lines)
    for page, line in lines:
        for target in shlex.split(line.split("pip install", 1)[1].split("#")[0].split("`")[0].split("&&")[0]):
            if target.startswith("-"):
                continue
            match = re.fullmatch(r"\.(?:\[([\w,]+)\])?", target)
            if match is None:
                assert target in ("duckdb", "matplotlib", "pyarrow"), f"{page.name}: `{line.strip()}` installs {target!r}, not the checkout"
                continue
            assert set(filter(None, (match[1] or "").split(","))) <= extras, f"{page.name}: unknown extra in {line.strip()}"


def test_every_kind_has_a_reference_page_with_its_fields_and_a_valid_example() -> None:
    envelope = {"date", "id", "source", "note"}
    index = (DOCS / "events" / "index.md").read_text(encoding="utf-8")
    # Kinds that tests or users register in their own modules have no page here.
    for name, cls in kinds().items():
        if not cls.__module__.startswith("unledger."):
            continue
        page = DOCS / "events" / f"{name}.md"
        assert page.is_file(), f"no reference page for kind {name!r}"
        text = page.read_text(encoding="utf-8")
        assert f"({name}.md)" in index, f"events/index.md does not link {name}"
        for field in attrs.fields(cls):
            if field.name not in envelope:
                assert f"`{field.name}`" in text, f"{name}.md does not describe field {field.name!r}"
        assert "## Rules" in text
        blocks = [m["body"] for m in FENCE.finditer(text) if m["lang"] == "json"]
        assert blocks, f"{name}.md has no JSON example"
        for block in blocks:
            for n, obj in enumerate(parse_json_objects(block, name=page.name), 1):
                assert event_from_dict(obj, position=f"{page.name} line {n}").kind == name


def test_cli_reference_covers_every_command_and_option() -> None:
    import click

    from unledger.cli import cli

    text = (DOCS / "cli.md").read_text(encoding="utf-8")

    def walk(group: click.Group, prefix: str) -> None:
        for name, command in group.commands.items():
            full = f"{prefix} {name}".strip()
            assert f"`unledger {full}" in text, f"cli.md does not document `unledger {full}`"
            for param in command.params:
                for opt in getattr(param, "opts", []):
                    if opt.startswith("--") and opt not in ("--help",):
                        assert opt in text, f"cli.md does not mention {opt} of `unledger {full}`"
            if isinstance(command, click.Group):
                walk(command, full)

    walk(cli, "")
