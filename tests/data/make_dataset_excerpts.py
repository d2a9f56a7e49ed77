"""How the dataset excerpts in tests/data/ were cut from the full files
(run from the repository root; the full files are in ../shared/datasets/):

    python tests/data/make_dataset_excerpts.py ../shared/datasets

COW IGO: every row of 15 states (including the two Germanys, the Yemens,
Russia across 1991, Poland's wartime gap, Namibia, Taiwan and the
Dominican Republic) for 12 organizations chosen for their quirks: associate
members and observers, -9 unknown, -1, pre-1965 dates "within 5 years",
organizations dissolved, replaced and integrated, the UN.

UN votes: 12 roll calls chosen for their quirks: an amendment, a paragraph,
an important vote, a blank symbol, a lettered and an emergency-session
symbol, states with no code (the Yemen Arab Republic, the Federal Republic
of Germany, Zanzibar), Namibia's NA, the Soviet Union as RU, Yugoslavia and
Serbia as YU, Taiwan before 1971.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

STATES = {"2", "42", "220", "255", "260", "265", "290", "345", "365", "565", "678", "679", "680", "710", "713"}
IGOS = ["un", "nato", "coe", "bipm", "cern", "oeec", "ccnr", "acpeu", "acct", "biisef", "cbi", "asean"]
ROLL_CALLS = {"3", "12", "21", "77", "812", "874", "1415", "3589", "4305", "4751", "9001", "9019"}
HERE = Path(__file__).resolve().parent


def main(root: str) -> None:
    cow = Path(root) / "cow-igo-v3"
    with open(cow / "state_year_formatv3.csv", newline="") as f, open(HERE / "cow-igo-excerpt/state_year_formatv3.csv", "w", newline="") as out:
        reader = csv.DictReader(f)
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["ccode", "year", "state", *IGOS])
        for row in reader:
            if row["ccode"] in STATES:
                writer.writerow([row["ccode"], row["year"], row["state"], *(row[i] for i in IGOS)])
    keep_states = ["usa", "france"]
    with open(cow / "igo_year_formatv3.csv", newline="") as f, open(HERE / "cow-igo-excerpt/igo_year_formatv3.csv", "w", newline="") as out:
        reader = csv.DictReader(f)
        assert reader.fieldnames is not None
        tail = reader.fieldnames[reader.fieldnames.index("sdate"):]
        columns = ["ioname", "orgname", "year", *keep_states, *tail]
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        for row in reader:
            if row["ioname"].lower() in IGOS:
                writer.writerow([row[c] for c in columns])
    votes = Path(root) / "unga-votes"
    for name in ("un_roll_calls.csv", "un_roll_call_issues.csv", "un_votes.csv"):
        with open(votes / name, newline="", encoding="utf-8") as f, open(HERE / "unga-votes-excerpt" / name, "w", newline="", encoding="utf-8") as out:
            reader = csv.reader(f)
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(next(reader))
            for row in reader:
                if row[0] in ROLL_CALLS:
                    writer.writerow(row)


if __name__ == "__main__":
    main(sys.argv[1])
