"""Shared test setup: hypothesis profiles, the ``slow`` marker, small fixtures.

Profiles (select with ``HYPOTHESIS_PROFILE=<name>``):

- ``default``: what ``python -m pytest`` runs; sized so the whole suite
  stays within its time budget on two cores;
- ``thorough``: ten times the examples, for a run before a release;
- ``no-shrink``: stop at the first failure unshrunk (for mutation runs).

Tests marked ``@pytest.mark.slow`` are left out unless ``--run-slow`` is
given or a ``-m`` expression selects them, e.g. ``pytest -m slow``.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, settings

settings.register_profile(
    "default",
    deadline=None,
    max_examples=40,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "thorough",
    deadline=None,
    max_examples=400,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
# For mutation runs: report the first failure found, without shrinking it.
settings.register_profile("no-shrink", parent=settings.get_profile("default"), phases=[Phase.explicit, Phase.reuse, Phase.generate], database=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--run-slow", action="store_true", default=False, help="also run tests marked slow")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: long-running variants, left out of the default run")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--run-slow") or config.getoption("-m"):
        return
    slow = [item for item in items if item.get_closest_marker("slow") is not None]
    if slow:
        config.hook.pytest_deselected(items=slow)
        items[:] = [item for item in items if item.get_closest_marker("slow") is None]


@pytest.fixture
def log_path(tmp_path: Path) -> Path:
    """Where a test's file-backed ledger lives (created on first open)."""
    return tmp_path / "ledger.jsonl"


@pytest.fixture(scope="session")
def new_log_path(tmp_path_factory: pytest.TempPathFactory) -> Callable[[], Path]:
    """A fresh log path on each call (hypothesis examples each need their own
    file, and function-scoped fixtures are not reset between examples)."""
    base = tmp_path_factory.mktemp("logs")
    counter = itertools.count()
    return lambda: base / f"log{next(counter)}.jsonl"
