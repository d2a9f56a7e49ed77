"""The README's Python example runs as pasted and prints what it says."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_python_example_prints_its_comments() -> None:
    text = README.read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert blocks, "the README has no Python example"
    for block in blocks:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(block, str(README), "exec"), {})
        expected = [line.split("# ", 1)[1].strip() for line in block.splitlines() if line.startswith("print(") and "# " in line]
        assert out.getvalue().splitlines() == expected


def test_readme_shows_the_two_commands() -> None:
    text = README.read_text(encoding="utf-8")
    assert "pip install . && unledger members UN --as-of 1992-12-31" in text
    assert "pip install -e '.[test]' && python -m pytest" in text


def test_ci_runs_exactly_the_readme_test_command() -> None:
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert "pip install -e '.[test]' && python -m pytest" in ci.splitlines()


def test_readme_python_example_re_runs_with_a_file(tmp_path, monkeypatch) -> None:
    """Run twice against a file, as a reader re-runs a script: the second
    run appends nothing (ids derive from the events' content) and prints the
    same answers."""
    text = README.read_text(encoding="utf-8")
    block = re.findall(r"```python\n(.*?)```", text, flags=re.S)[0]
    assert 'Ledger.memory()  # or Ledger.open("my-ledger.jsonl")' in block
    block = block.replace('Ledger.memory()  # or Ledger.open("my-ledger.jsonl")', 'Ledger.open("my-ledger.jsonl")')
    monkeypatch.chdir(tmp_path)
    outputs, contents = [], []
    for _ in range(2):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(block, str(README), "exec"), {})
        outputs.append(out.getvalue())
        contents.append((tmp_path / "my-ledger.jsonl").read_bytes())
    assert outputs[0] == outputs[1] and contents[0] == contents[1] and contents[0].count(b"\n") == 4
