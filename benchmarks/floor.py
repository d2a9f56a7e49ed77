"""The floor: the least a Python program must do to answer from the log.

Read the file, ``orjson.loads`` every line, apply retractions and
corrections, sort by (earliest day, seq) and fold into plain dicts mutated in
place, keeping the same information unledger's state keeps (names, existence,
bodies and seats, memberships, governments, terms, instruments, acts,
resolutions). No validation, no immutability, no hash checks, no index: a
lower bound for a cold open, not a usable ledger.
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

import orjson

__all__ = ["floor_open", "floor_answer", "first_day"]

_FIRST: dict[str, int] = {}


def first_day(text: str) -> int:
    day = _FIRST.get(text)
    if day is None:
        y, _, rest = text.partition("-")
        m, _, d = rest.partition("-")
        day = _FIRST[text] = dt.date(int(y), int(m or 1), int(d or 1)).toordinal()
    return day


def last_day(text: str) -> int:
    y, _, rest = text.partition("-")
    m, _, d = rest.partition("-")
    if d:
        return first_day(text)
    if m:
        return dt.date(int(y), int(m), calendar.monthrange(int(y), int(m))[1]).toordinal()
    return dt.date(int(y), 12, 31).toordinal()


def floor_open(path: str) -> dict[str, Any]:
    with open(path, "rb") as f:
        data = f.read()
    lines = data.split(b"\n")
    if lines and not lines[-1]:
        lines.pop()
    loads = orjson.loads
    effective: dict[str, tuple[int, dict[str, Any]]] = {}
    for line in lines:
        obj = loads(line)
        kind = obj["kind"]
        if kind == "retraction":
            effective.pop(obj["target"], None)
        elif kind == "correction":
            effective.pop(obj["target"], None)
            replacement = obj["replacement"]
            effective[replacement.get("id") or obj["target"]] = (obj["seq"], replacement)
        else:
            effective[obj["id"]] = (obj["seq"], obj)
    ordered = sorted(effective.values(), key=lambda p: (first_day(p[1]["date"]), p[0]))
    s: dict[str, Any] = {k: {} for k in ("names", "existence", "bodies", "members", "governments", "terms", "instruments", "acts", "resolutions")}
    names, existence, bodies, members = s["names"], s["existence"], s["bodies"], s["members"]
    terms, acts, resolutions, instruments = s["terms"], s["acts"], s["resolutions"], s["instruments"]
    for _, e in ordered:
        kind = e["kind"]
        date = e["date"]
        if kind == "signing":
            acts.setdefault(e["instrument"], {}).setdefault(e["party"], []).append((e["act"], date, e["id"]))
        elif kind == "adoption":
            resolutions.setdefault(e["body"], {})[e["symbol"]] = e
        elif kind == "election":
            terms.setdefault(e["body"], {}).setdefault(e["member"], []).append([date, e["term_start"], e["term_end"], e["id"], None])
        elif kind == "admission":
            members.setdefault(e["org"], {}).setdefault(e["member"], []).append([date, date, "admitted", e["id"], None])
            if e.get("name"):
                names.setdefault(e["member"], []).append((date, e["name"]))
        elif kind in ("withdrawal", "cessation"):
            spells = members[e["org"]][e["member"]]
            spells[-1][4] = date
        elif kind == "return":
            spells = members.setdefault(e["org"], {}).setdefault(e["member"], [])
            spells.append([date, spells[-1][1] if spells else date, "returned", e["id"], None])
        elif kind == "representation":
            s["governments"].setdefault(e["org"], {}).setdefault(e["member"], []).append((date, e["government"]))
        elif kind == "renaming":
            names.setdefault(e["entity"], []).append((date, e["name"]))
        elif kind == "statehood":
            existence.setdefault(e["state"], []).append([date, None])
            names.setdefault(e["state"], []).append((date, e["name"]))
        elif kind == "establishment":
            bodies[e["entity"]] = {"org": e.get("org"), "date": date, "seats": [(date, e.get("elected_seats"))],
                                   "permanent": list(e.get("permanent_members", ()))}
            names.setdefault(e["entity"], []).append((date, e["name"]))
        elif kind == "enlargement":
            bodies[e["body"]]["seats"].append((date, e["elected_seats"]))
        elif kind == "opening":
            instruments[e["instrument"]] = {"date": date, "rule": e.get("entry_into_force"), "in_force": None, "terminated": None}
            names[e["instrument"]] = [(date, e["title"])]
        elif kind == "entry_into_force":
            instruments[e["instrument"]]["in_force"] = date
        elif kind == "termination":
            instruments[e["instrument"]]["terminated"] = date
        elif kind in ("merger", "continuation", "dissolution", "separation"):
            gone = {"merger": lambda: [m for m in e["members"] if m != e["into"]],
                    "continuation": lambda: [e["predecessor"]],
                    "dissolution": lambda: [e["state"]],
                    "separation": lambda: []}[kind]()
            heir = e.get("into") or e.get("successor")
            for code in gone:
                existence.setdefault(code, [[None, None]])[-1][1] = date
                for by_member in members.values():
                    spells = by_member.get(code)
                    if spells and spells[-1][4] is None:
                        spells[-1][4] = date
                        if heir is not None and heir not in by_member:
                            by_member[heir] = [[date, spells[-1][1], kind, e["id"], None]]
            if kind == "separation":
                existence.setdefault(e["member"], []).append([date, None])
    return s


def floor_answer(s: dict[str, Any], org: str, body: str) -> tuple[list[str], list[str]]:
    """Members of ``org`` and members seated on ``body`` at the end of the record."""
    members = sorted(m for m, spells in s["members"].get(org, {}).items() if spells[-1][4] is None)
    info = s["bodies"].get(body, {})
    latest = max((t[2] for ts in s["terms"].get(body, {}).values() for t in ts), default="")
    seated = sorted(m for m, ts in s["terms"].get(body, {}).items() if ts[-1][2] >= latest)
    return members, list(info.get("permanent", ())) + seated
