#!/usr/bin/env python3
"""Compute the expected contact-log figures for every log in this folder.

Independent of the project code: reads each `*.json` ({"contacts": [...]}, CONTRACT §3) and each `*.csv`
(header `time,number,type,duration_s`; type 呼入/未接/短信 or incoming/missed/sms), converts every time to the
local zone (default Asia/Shanghai) and counts:

  night_contacts                     contacts (calls of any outcome and sms) at local time < 08:00 or >= 22:00
  max_contacts_per_day               most contacts (calls and sms) on one local calendar day
  max_connected_calls_per_day        most calls with duration_s > 0 on one local day
  max_unanswered_per_number_per_day  most calls with duration_s == 0 from one number on one local day
  distinct_numbers                   distinct `from` / `number` strings (exact text)

Usage:
  python3 compute_expected.py            # write expected.jsonl
  python3 compute_expected.py --check    # compare with the existing expected.jsonl (exit 1 on a difference)
"""
import csv
import json
import sys
from collections import Counter
from datetime import datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

TZ_NAME = "Asia/Shanghai"
NIGHT_END = time(8, 0)     # before this is night
NIGHT_START = time(22, 0)  # at or after this is night
CSV_TYPES = {"呼入": "call", "incoming": "call", "未接": "call", "missed": "call", "短信": "sms", "sms": "sms"}


def parse_time(text):
    text = text.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    dt = datetime.fromisoformat(text)
    if dt.tzinfo is None:
        raise ValueError(f"time without offset: {text!r}")
    return dt


def load(path):
    """Return a list of (aware datetime, channel, number, duration_s)."""
    if path.suffix == ".json":
        data = json.loads(path.read_text(encoding="utf-8"))
        return [(parse_time(c["time"]), c["channel"], c["from"], int(c["duration_s"])) for c in data["contacts"]]
    rows = []
    with path.open(encoding="utf-8-sig", newline="") as f:
        for r in csv.DictReader(f):
            kind = r["type"].strip()
            duration = int(r["duration_s"])
            if CSV_TYPES[kind] == "call" and kind in ("未接", "missed"):
                duration = 0
            rows.append((parse_time(r["time"]), CSV_TYPES[kind], r["number"].strip(), duration))
    return rows


def figures(contacts, tz):
    per_day, connected, unanswered = Counter(), Counter(), Counter()
    night = 0
    for dt, channel, number, duration in contacts:
        local = dt.astimezone(tz)
        day = local.date()
        if local.time() < NIGHT_END or local.time() >= NIGHT_START:
            night += 1
        per_day[day] += 1
        if channel == "call":
            if duration > 0:
                connected[day] += 1
            else:
                unanswered[(number, day)] += 1
    top = lambda c: max(c.values(), default=0)
    return {"night_contacts": night, "max_contacts_per_day": top(per_day),
            "max_connected_calls_per_day": top(connected), "max_unanswered_per_number_per_day": top(unanswered),
            "distinct_numbers": len({c[2] for c in contacts})}


def main():
    folder = Path(__file__).resolve().parent
    tz = ZoneInfo(TZ_NAME)
    files = sorted(p for p in folder.iterdir() if p.suffix in (".json", ".csv"))
    rows = [{"file": p.name, "tz": TZ_NAME, "expected": figures(load(p), tz)} for p in files]
    target = folder / "expected.jsonl"
    if "--check" in sys.argv:
        old = [json.loads(l) for l in target.read_text(encoding="utf-8").splitlines() if l.strip()]
        if old != rows:
            for a, b in zip(old, rows):
                if a != b:
                    print("DIFF", a, "\n    ", b)
            print("expected.jsonl is out of date" if len(old) == len(rows) else "row count differs")
            return 1
        print(f"{len(rows)} logs match expected.jsonl")
        return 0
    target.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    for r in rows:
        print(r["file"], r["expected"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
