"""Seeded synthetic ledgers of N events, valid by construction.

The generator simulates a world of several hundred states, a few hundred
organizations and bodies, thousands of instruments and the resolutions of
those bodies, from 1945 to 2025, and emits every event kind unledger knows in
rough real-world proportions: treaty actions and resolutions dominate,
elections and memberships follow, and a handful of mergers, separations,
dissolutions and continuations reshape the map.

Events are *valid by construction* (the simulation only emits what the rules
allow on that date) and then *checked*. The log is written in the order and
batches an archivist would append them: mostly in date order, but whole
histories (an instrument with every signature, a body's resolutions of one
year, single forgotten resolutions) are held back and appended later, into
the past, and a few resolutions are retracted or corrected at the end.

Two ways to write it, giving the same events, seqs and fold order:

* ``--through-append``: every batch goes through :meth:`unledger.Ledger.append`
  and its rules, as a user's appends would. Slow for large N (each backfilled
  history patches the checkpoints after it): 20 minutes for 1M.
* the default, bulk: the hash-chained lines are written directly (one batch
  marker and timestamp per batch, as ``append`` writes them), then the whole
  record is checked against the rules with :meth:`unledger.Ledger.check`, in
  fold order. A few minutes for 3M.

Deterministic: the same (N, seed) gives the same events (ids included) in
the same append order. Only the recorded timestamps, and so the hashes,
depend on when the file was written.

    python -m benchmarks.generate 100000 benchmarks/data/ledger-100k.jsonl
"""

from __future__ import annotations

import argparse
import calendar
import math
import datetime as dt
import gc
import os
import random
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from unledger import (
    Admission,
    Adoption,
    Cessation,
    Continuation,
    Correction,
    Dissolution,
    Election,
    Enlargement,
    EntryIntoForce,
    EntryRule,
    Establishment,
    Ledger,
    Merger,
    Opening,
    Renaming,
    Representation,
    Retraction,
    Return,
    Separation,
    Signing,
    Statehood,
    Tally,
    Termination,
    Withdrawal,
)
from unledger.dates import now_timestamp
from unledger.events.base import Event
from unledger.log import GENESIS, encode_batch

__all__ = ["Plan", "plan", "write_ledger", "DEFAULT_SEED", "N_STATES", "N_ORGS", "N_BODIES"]

DEFAULT_SEED = 20261124
N_STATES = 300
N_ORGS = 250
N_BODIES = 300
START = dt.date(1945, 1, 1).toordinal()
END = dt.date(2025, 12, 31).toordinal()
BATCH = 1000

# Shares of N by kind (the rest goes to resolutions).
SHARE = {
    "signing": 0.45,
    "election": 0.10,
    "admission": 0.04,
    "leaving": 0.01,
    "representation": 0.01,
    "renaming": 0.005,
    "retraction": 0.0005,
    "correction": 0.0005,
}


def iso(day: int) -> str:
    return dt.date.fromordinal(day).isoformat()


def month_of(day: int) -> tuple[str, int, int]:
    """``YYYY-MM`` of ``day`` and that month's first and last days."""
    d = dt.date.fromordinal(day)
    first = dt.date(d.year, d.month, 1).toordinal()
    return f"{d.year:04d}-{d.month:02d}", first, first + calendar.monthrange(d.year, d.month)[1] - 1


def year_of(day: int) -> tuple[str, int, int]:
    y = dt.date.fromordinal(day).year
    return f"{y:04d}", dt.date(y, 1, 1).toordinal(), dt.date(y, 12, 31).toordinal()


@dataclass
class Plan:
    """What the generator decided: events in append order, in batches."""

    n: int
    seed: int
    batches: list[list[Event]]
    orgs: list[str]
    bodies: list[str]
    states: list[str]
    backfilled: int = 0
    counts: dict[str, int] = field(default_factory=dict)

    def events(self) -> Iterator[Event]:
        for batch in self.batches:
            yield from batch


class _World:
    """The generator's own bookkeeping (plain dicts), enough to stay valid."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.exist: dict[str, tuple[int | None, int | None]] = {}  # start, first day gone
        self.quiet: set[str] = set()  # states in structural events: no leaving, no elections
        self.members: dict[tuple[str, str], list[list[int | None]]] = {}  # (org, state) -> [[start, end]]
        self.org_members: dict[str, list[str]] = defaultdict(list)

    def alive(self, code: str, day: int) -> bool:
        start, end = self.exist.get(code, (None, None))
        return (start is None or start <= day) and (end is None or day < end)

    def member_on(self, org: str, state: str, day: int) -> bool:
        for start, end in self.members.get((org, state), ()):
            if start is not None and start <= day and (end is None or day < end):
                return True
        return False


def _code(rng: random.Random, used: set[str], length: int = 3) -> str:
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    while True:
        code = "".join(rng.choice(letters) for _ in range(length))
        if code not in used:
            used.add(code)
            return code


def plan(n: int, seed: int = DEFAULT_SEED) -> Plan:
    """Decide every event of an N-event ledger and the order of its appends."""
    rng = random.Random(seed)
    ids = random.Random(seed ^ 0x5EED)

    def new_id() -> str:
        return f"{ids.getrandbits(128):032x}"

    timed: list[tuple[int, int, Event]] = []  # (day, tiebreak, event): the date-ordered stream
    base: list[Event] = []  # appended first: statehood and establishments
    held: dict[str, list[tuple[int, int, Event]]] = {}  # groups appended late (backfill)
    tick = iter(range(10**9))
    w = _World(rng)

    def emit(day: int, event: Event, group: str | None = None) -> None:
        item = (day, next(tick), event)
        if group is None:
            timed.append(item)
        else:
            held.setdefault(group, []).append(item)

    used: set[str] = set()
    states = [_code(rng, used) for _ in range(N_STATES)]
    # -- states: 60% exist throughout (the world is open), 40% begin in the record
    for state in states:
        if rng.random() < 0.4:
            day = rng.randint(START, dt.date(1995, 12, 31).toordinal())
            w.exist[state] = (day, None)
            text = iso(day) if rng.random() < 0.8 else year_of(day)[0]
            base.append(Statehood(state=state, name=f"Republic of {state.title()}", date=text, id=new_id()))
        else:
            w.exist[state] = (None, None)

    # -- structural events: a few unions, separations, dissolutions, continuations
    structural: list[tuple[int, Event]] = []
    freeze: dict[str, int] = {}
    pool = [s for s in states if w.exist[s][0] is None]
    rng.shuffle(pool)
    for i in range(3):  # continuations: predecessor -> a new code
        old, day = pool.pop(), rng.randint(dt.date(1970, 1, 1).toordinal(), dt.date(2005, 1, 1).toordinal())
        new = _code(rng, used)
        w.exist[old] = (None, day)
        w.exist[new] = (day, None)
        w.quiet.update({old, new})
        structural.append((day, Continuation(predecessor=old, successor=new, date=iso(day), id=new_id())))
    separating = None
    for i in range(3):  # mergers of two into the second
        a, b = pool.pop(), pool.pop()
        day = rng.randint(dt.date(1955, 1, 1).toordinal(), dt.date(1995, 1, 1).toordinal())
        w.exist[a] = (None, day)
        w.quiet.update({a, b})
        freeze[b] = day  # b takes over a's memberships: no admissions of b after
        structural.append((day, Merger(members=(a, b), into=b, date=iso(day), id=new_id())))
        if i == 0:
            separating = (a, b, day)
    if separating is not None:  # the first union splits again
        a, b, day = separating
        back = day + rng.randint(700, 3000)
        w.exist[a] = (None, day)
        structural.append((back, Separation(member=a, separated_from=b, date=iso(back), id=new_id())))
    for i in range(3):  # dissolutions (the date is the last day)
        x, day = pool.pop(), rng.randint(dt.date(1960, 1, 1).toordinal(), dt.date(2010, 1, 1).toordinal())
        w.exist[x] = (None, day + 1)
        w.quiet.add(x)
        structural.append((day, Dissolution(state=x, successors=(), date=iso(day), id=new_id())))
    gone_windows: dict[str, list[tuple[int, int]]] = {}  # extra (start, end) alive windows
    if separating is not None:
        a, b, day = separating
        gone_windows[a] = [(back, END + 1)]
    for day, event in structural:
        emit(day, event)

    def alive(code: str, day: int) -> bool:
        if w.alive(code, day):
            return True
        return any(s <= day < e for s, e in gone_windows.get(code, ()))

    # -- organizations and their bodies
    orgs = [f"O{i:03d}" for i in range(N_ORGS)]
    org_day: dict[str, int] = {}
    for org in orgs:
        day = rng.randint(START, dt.date(1990, 12, 31).toordinal())
        org_day[org] = day
        base.append(Establishment(entity=org, name=f"Organization {org}", date=iso(day), id=new_id()))
    bodies: list[tuple[str, str, int, float]] = []  # code, org, day, elected per year
    stable = [s for s in states if s not in w.quiet and w.exist[s][0] is None]
    n_elections = int(n * SHARE["election"])
    per_body_year = n_elections / (N_BODIES * 55)  # elected per body and year, on average
    body_info: dict[str, dict] = {}
    for i in range(N_BODIES):
        org = orgs[i % N_ORGS] if i < N_ORGS else rng.choice(orgs)
        code = f"{org}B{i:03d}"
        day = org_day[org] + rng.randint(1, 400)
        per_year = per_body_year * rng.uniform(0.3, 1.7)
        permanent = tuple(rng.sample(stable, 3)) if i % 30 == 0 else ()
        body_info[code] = {"org": org, "day": day, "per_year": per_year, "permanent": set(permanent)}
        base.append(
            Establishment(
                entity=code, org=org, name=f"Council {code}", date=iso(day), elected_seats=2 * math.ceil(per_year),
                permanent_members=permanent, id=new_id(),
            )
        )
        bodies.append((code, org, day, per_year))

    # -- memberships: admissions, some withdrawals and returns, rare cessations
    n_adm = max(N_ORGS * 4, int(n * SHARE["admission"]))
    pairs = [(o, s) for o in orgs for s in states]
    rng.shuffle(pairs)
    n_leave = int(n * SHARE["leaving"])
    leaving = 0
    for org, state in pairs[:n_adm]:
        start_lo = max(org_day[org], w.exist[state][0] or START)
        end_hi = w.exist[state][1]
        hi = (end_hi - 2) if end_hi is not None else END - 400
        if state in freeze:
            hi = min(hi, freeze[state] - 2)
        if start_lo >= hi:
            continue
        founding = rng.random() < 0.15
        day = start_lo if founding else rng.randint(start_lo, min(hi, start_lo + 15000))
        original = founding and day == org_day[org]
        text = iso(day)
        if not original and rng.random() < 0.1:
            mtext, first, _ = month_of(day)
            state_start = w.exist[state][0]
            if first > org_day[org] and (state_start is None or state_start < first):
                text = mtext
        name = f"State {state.title()}" if rng.random() < 0.05 else None
        emit(day, Admission(org=org, member=state, date=text, original=original, name=name, id=new_id()))
        spells: list[list[int | None]] = [[day, end_hi]]
        w.members[(org, state)] = spells
        w.org_members[org].append(state)
        if state not in w.quiet and leaving < n_leave and rng.random() < 3 * n_leave / n_adm:
            out = day + rng.randint(400, 8000)
            if out < END - 800:
                if rng.random() < 0.15:
                    emit(out, Cessation(org=org, member=state, date=iso(out), id=new_id()))
                    spells[-1][1] = out
                    leaving += 1
                else:
                    emit(out, Withdrawal(org=org, member=state, date=iso(out), id=new_id()))
                    spells[-1][1] = out
                    leaving += 1
                    if rng.random() < 0.6:
                        back = out + rng.randint(400, 4000)
                        if back < END:
                            emit(back, Return(org=org, member=state, date=iso(back), id=new_id()))
                            spells.append([back, None])
                            leaving += 1

    # -- who represents a member (needs membership on that day)
    member_pairs = list(w.members)
    for _ in range(int(n * SHARE["representation"])):
        org, state = rng.choice(member_pairs)
        start, end = w.members[(org, state)][0]
        assert start is not None
        last = (end - 1) if end is not None else END
        if last <= start + 1:
            continue
        day = rng.randint(start + 1, last)
        emit(day, Representation(org=org, member=state, government=f"Government of {state} ({day % 97})", date=iso(day), id=new_id()))

    # -- names change
    for _ in range(int(n * SHARE["renaming"])):
        code = rng.choice(states + orgs)
        day = rng.randint(START, END)
        text = iso(day) if rng.random() < 0.7 else month_of(day)[0]
        emit(day, Renaming(entity=code, name=f"{code.title()} {day % 1000}", date=text, id=new_id()))

    # -- elections: annual, two-year terms, seats = 2 x elected per year
    enlarged: dict[str, tuple[int, int]] = {}
    for code, org, est, per_year in bodies:
        info = body_info[code]
        if rng.random() < 0.05:
            day = est + rng.randint(3000, 15000)
            if day < END - 1000:
                enlarged[code] = (day, per_year * 1.5)
                emit(day, Enlargement(body=code, elected_seats=2 * math.ceil(per_year * 1.5), date=iso(day), id=new_id()))
        last_end: dict[str, int] = {}
        members = [m for m in w.org_members[org] if m not in w.quiet and m not in info["permanent"]]
        year0 = dt.date.fromordinal(est).year + 1
        for year in range(year0, 2025):
            eday = dt.date(year, 10, 15).toordinal()
            tstart = dt.date(year + 1, 1, 1).toordinal()
            tend = dt.date(year + 2, 12, 31).toordinal()
            quota = per_year
            if code in enlarged and tstart > enlarged[code][0] + 800:
                quota = enlarged[code][1]
            quota = min(math.ceil(quota), int(quota) + (rng.random() < quota - int(quota)))
            candidates = [
                m for m in members
                if last_end.get(m, 0) < tstart and alive(m, eday) and w.member_on(org, m, eday)
            ]
            for m in rng.sample(candidates, min(quota, len(candidates))):
                last_end[m] = tend
                votes_cast = rng.randint(100, 193)
                emit(eday, Election(
                    body=code, member=m, date=iso(eday), term_start=iso(tstart), term_end=iso(tend),
                    votes=rng.randint(votes_cast // 2 + 1, votes_cast), votes_cast=votes_cast, id=new_id(),
                ))

    # -- instruments: opening, signatures, deposits, withdrawals; some held back
    n_sign = int(n * SHARE["signing"])
    n_inst = max(200, n // 200)
    per_inst = max(4, round(1.3 * n_sign / n_inst))  # some planned acts fall outside a party's life
    signers_pool = list(states)
    for i in range(n_inst):
        code = f"T{i:05d}"
        group = f"inst:{code}" if rng.random() < 0.08 else None
        opened = rng.randint(START, END - 1200)
        r = rng.random()
        if r < 0.45:
            rule = EntryRule(rule="deposits", count=rng.randint(2, 40), days=rng.choice((0, 30, 90)))
        elif r < 0.65:
            rule = EntryRule(rule="event")
        elif r < 0.85:
            rule = EntryRule(rule="on_signature")
        else:
            rule = EntryRule(rule="named_and_majority", named=tuple(rng.sample(stable, 2)))
        text = iso(opened)
        if rng.random() < 0.2:
            text = month_of(opened)[0]
            opened = month_of(opened)[2]  # later acts must follow the whole month
        form = rng.choice(("treaty", "convention", "protocol", "agreement", "charter", "declaration"))
        emit(opened, Opening(instrument=code, title=f"{form.title()} {code} on matters of common concern",
                             form=form, entry_into_force=rule, id=new_id(), date=text), group)
        last_act = opened
        k = max(1, int(per_inst * rng.uniform(0.4, 1.6)))
        parties = rng.sample(signers_pool, min(len(signers_pool), max(1, k // 2 + 1)))
        made = 0
        if rule.rule == "named_and_majority":
            parties = list(dict.fromkeys(list(rule.named) + parties))
        for party in parties:
            if made >= k:
                break
            day = opened + rng.randint(1, 2000)
            if day >= END - 300 or not alive(party, day):
                continue
            stop = w.exist[party][1] if party not in gone_windows else None
            acts: list[tuple[int, str]] = []
            if rng.random() < 0.7 or party in (rule.named or ()):
                acts.append((day, "signature"))
                dep = day + rng.randint(30, 1500)
                acts.append((dep, rng.choice(("ratification", "ratification", "acceptance", "approval"))))
            else:
                acts.append((day, "accession"))
            if rng.random() < 0.03:
                acts.append((acts[-1][0] + rng.randint(400, 3000), rng.choice(("withdrawal", "denunciation"))))
            for day, act in acts:
                if day >= END or not alive(party, day) or (stop is not None and day >= stop):
                    break
                text = iso(day)
                if act == "signature" and rng.random() < 0.05:
                    mtext, first, last = month_of(day)
                    if first > opened and (w.exist[party][0] is None or w.exist[party][0] < first) and last < END:
                        text, day = mtext, last
                emit(day, Signing(instrument=code, party=party, act=act, date=text, id=new_id()), group)
                last_act = max(last_act, day)
                made += 1
        if rule.rule == "event" and rng.random() < 0.8:
            day = opened + rng.randint(30, 3000)
            if day < END:
                emit(day, EntryIntoForce(instrument=code, date=iso(day), id=new_id()), group)
                last_act = max(last_act, day)
        if rng.random() < 0.02 and last_act < END - 10:
            day = rng.randint(last_act + 1, END)
            emit(day, Termination(instrument=code, date=iso(day), id=new_id()), group)

    # -- resolutions: the rest; some (body, year) series and single ones held back
    used_so_far = len(base) + len(timed) + sum(len(v) for v in held.values())
    n_ret, n_cor = int(n * SHARE["retraction"]), int(n * SHARE["correction"])
    n_res = max(0, n - used_so_far - n_ret - n_cor)
    weights = [rng.paretovariate(1.2) for _ in bodies]
    picks = rng.choices(range(len(bodies)), weights=weights, k=n_res)
    counters: dict[tuple[str, int], int] = defaultdict(int)
    series_held: dict[tuple[str, int], bool] = {}
    adoptable: list[Adoption] = []
    subjects = ("peace", "development", "human rights", "budget", "health", "environment", "trade", "security")
    for b in picks:
        code, org, est, _ = bodies[b]
        day = rng.randint(est, END)
        year = dt.date.fromordinal(day).year
        counters[(code, year)] += 1
        symbol = f"{code}/RES/{year}/{counters[(code, year)]}"
        text = iso(day)
        r = rng.random()
        if r < 0.2:
            text = month_of(day)[0]
        elif r < 0.25:
            text = year_of(day)[0]
        concerns = tuple(rng.sample(states, rng.choice((0, 0, 1, 1, 2))))
        if rng.random() < 0.6:
            yes = rng.randint(50, 180)
            tally, without = Tally(yes=yes, no=rng.randint(0, 30), abstain=rng.randint(0, 40)), False
        else:
            tally, without = None, True
        event = Adoption(
            body=code, symbol=symbol, title=f"Resolution {symbol} on {rng.choice(subjects)}",
            date=text, tally=tally, without_vote=without, concerns=concerns,
            subjects=(rng.choice(subjects),), id=new_id(),
        )
        if (code, year) not in series_held:
            series_held[(code, year)] = rng.random() < 0.05
        if series_held[(code, year)]:
            emit(day, event, f"series:{code}:{year}")
        elif rng.random() < 0.01:
            emit(day, event, f"single:{event.id}")
        else:
            emit(day, event)
            adoptable.append(event)

    # -- append order: base first, then the stream by date in batches, with
    # held-back groups dropped in at random later points (backfill).
    timed.sort(key=lambda t: (t[0], t[1]))
    batches: list[list[Event]] = []
    for i in range(0, len(base), BATCH):
        batches.append(base[i : i + BATCH])
    stream_batches = [[e for _, _, e in timed[i : i + BATCH]] for i in range(0, len(timed), BATCH)]
    last_day = [timed[min(i + BATCH, len(timed)) - 1][0] for i in range(0, len(timed), BATCH)]
    drops: dict[int, list[Event]] = defaultdict(list)
    backfilled = 0
    for name in sorted(held):
        items = sorted(held[name], key=lambda t: (t[0], t[1]))
        top = items[-1][0]
        # the first stream batch that reaches past the group's last date
        first = next((j for j, d in enumerate(last_day) if d >= top), len(stream_batches) - 1)
        at = rng.randint(first, len(stream_batches) - 1) if stream_batches else 0
        drops[at].extend(e for _, _, e in items)
        backfilled += len(items)
    for j, batch in enumerate(stream_batches):
        batches.append(batch)
        extra = drops.get(j)
        if extra:
            for i in range(0, len(extra), BATCH):
                batches.append(extra[i : i + BATCH])
    # -- corrections at the end: retract some resolutions, correct others
    rng.shuffle(adoptable)
    fixes: list[Event] = []
    for event in adoptable[:n_ret]:
        fixes.append(Retraction(target=event.id, reason="duplicate entry", date="2025-12-31", id=new_id()))
    for event in adoptable[n_ret : n_ret + n_cor]:
        better = Adoption(
            body=event.body, symbol=event.symbol, title=event.title + " (corrected)", date=event.date,
            tally=event.tally, without_vote=event.without_vote, concerns=event.concerns, subjects=event.subjects,
            id=event.id,  # a correction's replacement keeps its target's id
        )
        fixes.append(Correction(target=event.id, replacement=better, reason="title misspelt", date="2025-12-31", id=new_id()))
    if fixes:
        batches.append(fixes)
    counts: dict[str, int] = defaultdict(int)
    for batch in batches:
        for e in batch:
            counts[e.kind] += 1
    return Plan(n, seed, batches, orgs, [b[0] for b in bodies], states, backfilled, dict(counts))


def _write_chained(target: Path, p: Plan) -> int:
    """Write the plan's batches as hash-chained log lines, the way
    ``Ledger.append`` writes a batch; return the number of lines."""
    seq, prev, last = 0, GENESIS, ""
    ids: set[str] = set()
    with open(target, "wb") as f:
        for batch in p.batches:
            recorded = max(now_timestamp(), last)
            last = recorded
            for event in batch:
                assert event.id is not None and event.id not in ids, f"duplicate id {event.id}"
                ids.add(event.id)
            encoded = encode_batch(seq + 1, prev, recorded, batch)
            seq += len(batch)
            prev = encoded[-1][1]
            f.write(b"".join(line for line, _ in encoded))
        f.flush()
        os.fsync(f.fileno())
    return seq


def write_ledger(
    path: str | os.PathLike[str], n: int, seed: int = DEFAULT_SEED, *, verbose: bool = False, through_append: bool = False
) -> Plan:
    """Write an N-event ledger to ``path`` (replacing it), checked by
    unledger's rules: batch by batch through ``Ledger.append`` when
    ``through_append``, else written in bulk and checked whole with
    ``Ledger.check`` (see the module's docstring)."""
    p = plan(n, seed)
    if not through_append:
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        for stale in (target, Path(str(target) + ".cache")):
            if stale.exists():
                stale.unlink()
        t0 = time.perf_counter()
        written = _write_chained(target, p)
        if verbose:
            print(f"  {written:,} lines written in {time.perf_counter() - t0:.1f} s; checking the rules ...",
                  file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        checked = Ledger.open(target).check()
        if verbose:
            print(f"  {checked:,} events checked in fold order in {time.perf_counter() - t0:.1f} s",
                  file=sys.stderr, flush=True)
        return p
    # The plan is a million live objects the collector would re-traverse on
    # every full collection while the ledger grows: freeze it, and collect
    # rarely (this is the generator, not the library under test).
    gc.collect()
    gc.freeze()
    threshold = gc.get_threshold()
    gc.set_threshold(100_000, 50, 100)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    for stale in (target, Path(str(target) + ".cache")):
        if stale.exists():
            stale.unlink()
    ledger = Ledger.open(target)
    t0 = time.perf_counter()
    done = 0
    for i, batch in enumerate(p.batches):
        ledger.append(batch)
        done += len(batch)
        if verbose and (i % 50 == 0 or i == len(p.batches) - 1):
            rate = done / max(time.perf_counter() - t0, 1e-9)
            print(f"  {done:>9,} events appended ({rate:,.0f}/s)", file=sys.stderr, flush=True)
    gc.set_threshold(*threshold)
    gc.unfreeze()
    return p


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=lambda s: int(float(s.replace("k", "e3").replace("M", "e6").replace("m", "e6"))))
    parser.add_argument("path")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--through-append", action="store_true",
                        help="append batch by batch through Ledger.append (slow) instead of writing in bulk and checking")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    p = write_ledger(args.path, args.n, args.seed, verbose=True, through_append=args.through_append)
    total = sum(p.counts.values())
    print(f"wrote {total:,} events to {args.path} in {time.perf_counter() - t0:.1f} s; "
          f"{p.backfilled:,} appended as backfill", file=sys.stderr)
    for k, v in sorted(p.counts.items(), key=lambda kv: -kv[1]):
        print(f"  {k:<18} {v:>9,} {v / total:6.1%}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
