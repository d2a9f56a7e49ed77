"""Helpers shared by the tests of the fast paths (timeline, cache): shuffled
batches of a generated history and a sample of days to compare states on."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, settings
from strategies import History

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _days(history: History, rnd: random.Random, k: int = 12) -> list[int]:
    days = history.days()
    return rnd.sample(days, min(k, len(days))) + [days[0] - 1, days[-1] + 400]


def _shuffled_batches(events: list, rnd: random.Random) -> list[list]:
    order = list(events)
    rnd.shuffle(order)
    batches, i = [], 0
    while i < len(order):
        size = rnd.choice((1, 1, 2, 3, 5))
        batches.append(order[i : i + size])
        i += size
    return batches
