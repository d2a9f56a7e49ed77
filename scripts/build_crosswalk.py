"""Build src/unledger/data/crosswalk.csv, the state-code crosswalk.

Run by hand when the table changes (not at install time):

    python scripts/build_crosswalk.py PATH/TO/states2016.csv

Sources: COW numbers, letters and names from the Correlates of War State
System Membership list (states2016.csv, version 2016); ISO 3166-1 alpha-2 and
alpha-3 codes and names from ``pycountry`` (ISO 3166-1, and ISO 3166-3 for
former states: SUN, YUG, CSK, DDR, YMD, SCG). The COW number -> code table
below is the judgement: it is written by hand and checked against both.
States with no ISO code get a code from ISO 3166's user-assigned range
(X..), listed in ``USER_ASSIGNED``.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import pycountry

#: COW number -> ((code, first year, last year), ...); years inclusive, None = open.
#: A COW number that names two states over time (365: the Soviet Union, then
#: Russia) has one row per period, as the ledger's own records do.
PERIODS: dict[int, tuple[tuple[str, int | None, int | None], ...]] = {
    345: (("YUG", None, 2000), ("SCG", 2001, 2005), ("SRB", 2006, None)),
    365: (("SUN", None, 1991), ("RUS", 1992, None)),
}

#: COW number -> code, for every other state.
CODES: dict[int, str] = {
    2: "USA", 20: "CAN", 31: "BHS", 40: "CUB", 41: "HTI", 42: "DOM", 51: "JAM", 52: "TTO", 53: "BRB", 54: "DMA",
    55: "GRD", 56: "LCA", 57: "VCT", 58: "ATG", 60: "KNA", 70: "MEX", 80: "BLZ", 90: "GTM", 91: "HND", 92: "SLV",
    93: "NIC", 94: "CRI", 95: "PAN", 100: "COL", 101: "VEN", 110: "GUY", 115: "SUR", 130: "ECU", 135: "PER",
    140: "BRA", 145: "BOL", 150: "PRY", 155: "CHL", 160: "ARG", 165: "URY", 200: "GBR", 205: "IRL", 210: "NLD",
    211: "BEL", 212: "LUX", 220: "FRA", 221: "MCO", 223: "LIE", 225: "CHE", 230: "ESP", 232: "AND", 235: "PRT",
    240: "XHA", 245: "XBV", 255: "DEU", 260: "DEU", 265: "DDR", 267: "XBD", 269: "XSX", 271: "XWT", 273: "XHE",
    275: "XHG", 280: "XMS", 290: "POL", 300: "XAH", 305: "AUT", 310: "HUN", 315: "CSK", 316: "CZE", 317: "SVK",
    325: "ITA", 327: "XPS", 329: "XTS", 331: "SMR", 332: "XMO", 335: "XPA", 337: "XTU", 338: "MLT", 339: "ALB",
    341: "MNE", 343: "MKD", 344: "HRV", 346: "BIH", 347: "XKX", 349: "SVN", 350: "GRC", 352: "CYP", 355: "BGR",
    359: "MDA", 360: "ROU", 366: "EST", 367: "LVA", 368: "LTU", 369: "UKR", 370: "BLR", 371: "ARM", 372: "GEO",
    373: "AZE", 375: "FIN", 380: "SWE", 385: "NOR", 390: "DNK", 395: "ISL", 402: "CPV", 403: "STP", 404: "GNB",
    411: "GNQ", 420: "GMB", 432: "MLI", 433: "SEN", 434: "BEN", 435: "MRT", 436: "NER", 437: "CIV", 438: "GIN",
    439: "BFA", 450: "LBR", 451: "SLE", 452: "GHA", 461: "TGO", 471: "CMR", 475: "NGA", 481: "GAB", 482: "CAF",
    483: "TCD", 484: "COG", 490: "COD", 500: "UGA", 501: "KEN", 510: "TZA", 511: "ZAN", 516: "BDI", 517: "RWA",
    520: "SOM", 522: "DJI", 530: "ETH", 531: "ERI", 540: "AGO", 541: "MOZ", 551: "ZMB", 552: "ZWE", 553: "MWI",
    560: "ZAF", 565: "NAM", 570: "LSO", 571: "BWA", 572: "SWZ", 580: "MDG", 581: "COM", 590: "MUS", 591: "SYC",
    600: "MAR", 615: "DZA", 616: "TUN", 620: "LBY", 625: "SDN", 626: "SSD", 630: "IRN", 640: "TUR", 645: "IRQ",
    651: "EGY", 652: "SYR", 660: "LBN", 663: "JOR", 666: "ISR", 670: "SAU", 678: "YEM", 679: "YEM", 680: "YMD",
    690: "KWT", 692: "BHR", 694: "QAT", 696: "ARE", 698: "OMN", 700: "AFG", 701: "TKM", 702: "TJK", 703: "KGZ",
    704: "UZB", 705: "KAZ", 710: "CHN", 712: "MNG", 713: "TWN", 730: "XKO", 731: "PRK", 732: "KOR", 740: "JPN",
    750: "IND", 760: "BTN", 770: "PAK", 771: "BGD", 775: "MMR", 780: "LKA", 781: "MDV", 790: "NPL", 800: "THA",
    811: "KHM", 812: "LAO", 816: "VNM", 817: "XRV", 820: "MYS", 830: "SGP", 835: "BRN", 840: "PHL", 850: "IDN",
    860: "TLS", 900: "AUS", 910: "PNG", 920: "NZL", 935: "VUT", 940: "SLB", 946: "KIR", 947: "TUV", 950: "FJI",
    955: "TON", 970: "NRU", 983: "MHL", 986: "PLW", 987: "FSM", 990: "WSM",
}

#: Codes from ISO 3166's user-assigned range for states without an ISO code,
#: and the few codes the ledger's own records use outside ISO 3166-1.
USER_ASSIGNED: dict[str, str] = {
    "XHA": "Hanover", "XBV": "Bavaria", "XBD": "Baden", "XSX": "Saxony", "XWT": "Wuerttemberg",
    "XHE": "Hesse Electoral", "XHG": "Hesse Grand Ducal", "XMS": "Mecklenburg Schwerin", "XAH": "Austria-Hungary",
    "XPS": "Papal States", "XTS": "Two Sicilies", "XMO": "Modena", "XPA": "Parma", "XTU": "Tuscany",
    "XKO": "Korea (1887-1905)", "XRV": "Republic of Vietnam", "XKX": "Kosovo", "ZAN": "Zanzibar",
}

#: Extra names a dataset writes for a state (matched when it gives no code).
EXTRA_NAMES: dict[str, tuple[str, ...]] = {
    "YEM": ("Yemen Arab Republic", "Yemen"),
    "DEU": ("Federal Republic of Germany", "German Federal Republic", "Germany"),
    "ZAN": ("Zanzibar",),
    "YMD": ("Yemen People's Republic",),
    "SUN": ("Soviet Union", "USSR"),
}

#: Alpha-2 codes of former states (ISO 3166-3) as the UN votes data write them;
#: CS is Czechoslovakia there (ISO later gave CS to Serbia and Montenegro).
FORMER_ALPHA2: dict[str, str] = {"SUN": "SU", "YUG": "YU", "CSK": "CS", "DDR": "DD", "YMD": "YD", "SCG": ""}


def iso(code: str) -> tuple[str, str]:
    """(alpha-2, ISO name) of ``code``, or ("", "") when ISO has none."""
    country = pycountry.countries.get(alpha_3=code)
    if country is not None:
        return country.alpha_2, getattr(country, "common_name", None) or country.name
    former = pycountry.historic_countries.get(alpha_3=code)
    if former is not None:
        return FORMER_ALPHA2.get(code, former.alpha_2), former.name
    return "", ""


def main(states_csv: str) -> None:
    cow: dict[int, tuple[str, str, int, int]] = {}
    with open(states_csv, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            number = int(row["ccode"])
            first, last = int(row["styear"]), int(row["endyear"])
            if number in cow:
                _, _, f0, l0 = cow[number]
                first, last = min(first, f0), max(last, l0)
            cow[number] = (row["stateabb"], row["statenme"], first, last)
    missing = sorted(set(cow) - set(CODES) - set(PERIODS))
    if missing:
        raise SystemExit(f"no code for COW numbers {missing}")
    out = Path(__file__).resolve().parent.parent / "src/unledger/data/crosswalk.csv"
    rows = []
    for number, (letters, cow_name, first, last) in sorted(cow.items()):
        periods = PERIODS.get(number) or ((CODES[number], None, None),)
        for code, start, end in periods:
            alpha2, iso_name = iso(code)
            if not iso_name and code not in USER_ASSIGNED:
                raise SystemExit(f"{code} (COW {number}) is neither ISO nor user-assigned")
            kind = "iso3166-1" if pycountry.countries.get(alpha_3=code) else "iso3166-3" if iso_name else "user-assigned"
            names = [cow_name] + [n for n in (iso_name, USER_ASSIGNED.get(code, "")) if n and n != cow_name]
            names += [n for n in EXTRA_NAMES.get(code, ()) if n not in names]
            rows.append({
                "code": code,
                "alpha2": alpha2,
                "alpha3": code if kind != "user-assigned" else "",
                "cow": number,
                "cow_letters": letters,
                "from_year": start if start is not None else first,
                "to_year": end if end is not None else last,
                "name": cow_name,
                "other_names": "|".join(names[1:]),
                "code_kind": kind,
            })
    with open(out, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(rows)} rows -> {out}")


if __name__ == "__main__":
    main(sys.argv[1])
