"""``import unledger`` stays light: no command-line, table or plotting library.

Runs in a fresh interpreter, since this test process has imported
everything already.
"""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("click", "rich", "matplotlib", "pyarrow")
LAZY = ("unledger.cli", "unledger.plot", "unledger.arrow")


def _modules_after(code: str) -> list[str]:
    script = f"import json, sys\n{code}\nprint(json.dumps(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True)
    return json.loads(result.stdout.splitlines()[-1])


def test_import_unledger_pulls_in_no_heavy_library() -> None:
    loaded = _modules_after("import unledger")
    assert "unledger" in loaded and "unledger.ledger" in loaded
    heavy = [m for m in loaded if m.split(".")[0] in HEAVY]
    assert heavy == [], heavy
    assert [m for m in loaded if m.startswith(LAZY)] == []


def test_using_the_ledger_stays_light() -> None:
    code = (
        "import unledger\n"
        "ledger = unledger.Ledger.memory()\n"
        "ledger.append(unledger.Establishment(entity='UN', name='United Nations', date='1945-10-24'))\n"
        "ledger.append(unledger.Admission(org='UN', member='AZE', date='1992-03-02'))\n"
        "ledger.state('1992').members('UN')"
    )
    loaded = _modules_after(code)
    assert [m for m in loaded if m.split(".")[0] in HEAVY] == []
