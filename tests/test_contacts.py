"""Contact logs (CONTRACT §3): local time, quiet-hour boundaries, daily caps, bursts, rotation, CSV, errors."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from rules.contacts import Contact, ContactSettings, analyze_contact_log, in_quiet_hours, number_key
from service.cli import app
from service.contact_log import analyze_contact_items, analyze_contacts
from service.readers.contacts import ContactLogError, parse_duration, parse_time

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures" / "contacts"
DATASET = ROOT / "datasets" / "authored" / "contacts"
RUNNER = CliRunner()
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _log(*contacts: dict) -> bytes:
    return json.dumps({"contacts": list(contacts)}).encode()


def _call(t: str, number: str = "13812345678", duration: float = 0, channel: str = "call") -> dict:
    return {"time": t, "channel": channel, "direction": "inbound", "from": number, "duration_s": duration}


def _rules(result: dict) -> list[str]:
    return [f["rule_id"].rsplit(".", 1)[1] for f in result["findings"]]


@pytest.mark.parametrize("clock, night", [
    ("07:59:59", True), ("08:00:00", False), ("21:59:59", False), ("22:00:00", True),
    ("07:59:59.999", True), ("00:00:00", True), ("23:59:59", True), ("12:00:00", False),
])
def test_quiet_hour_boundaries(clock: str, night: bool) -> None:
    result = analyze_contacts(_log(_call(f"2026-05-03T{clock}+08:00")))
    assert result["night_contacts"] == int(night)
    assert _rules(result) == (["night"] if night else [])


@pytest.mark.parametrize("stamp, local, night", [
    ("2026-05-03T14:00:00Z", "2026-05-03T22:00:00+08:00", True),
    ("2026-05-03T13:59:59Z", "2026-05-03T21:59:59+08:00", False),
    ("2026-05-03T23:59:59Z", "2026-05-04T07:59:59+08:00", True),
    ("2026-05-04T00:00:00Z", "2026-05-04T08:00:00+08:00", False),
    ("2026-05-04T00:00:00+00:00", "2026-05-04T08:00:00+08:00", False),
    ("2026-05-03T09:30:00-05:00", "2026-05-03T22:30:00+08:00", True),
    ("2026-05-03T23:00:00+0900", "2026-05-03T22:00:00+08:00", True),
    ("2026-05-03T19:29:59+05:30", "2026-05-03T21:59:59+08:00", False),
    ("2026-05-03T14:00:00.000Z", "2026-05-03T22:00:00+08:00", True),
])
def test_utc_and_offsets_are_converted(stamp: str, local: str, night: bool) -> None:
    result = analyze_contacts(_log(_call(stamp)))
    assert result["contacts"][0]["local_time"] == local
    assert result["night_contacts"] == int(night)


def test_fixture_boundaries_and_utc() -> None:
    result = analyze_contacts((FIXTURES / "boundaries.json").read_bytes())
    assert [c["night"] for c in result["contacts"]] == [True, False, False, True]
    assert result["night_contacts"] == 2 and result["max_contacts_per_day"] == 4
    result = analyze_contacts((FIXTURES / "utc_night.json").read_bytes())
    assert result["night_contacts"] == 3
    assert [d["date"] for d in result["per_day"]] == ["2026-05-03", "2026-05-04"]
    assert [d["contacts"] for d in result["per_day"]] == [3, 2]


def test_midnight_crossing_burst() -> None:
    result = analyze_contacts((FIXTURES / "midnight_burst.json").read_bytes())
    assert len(result["bursts"]) == 1
    burst = result["bursts"][0]
    assert burst["contacts"] == [0, 1, 2, 3, 4] and burst["count"] == 5 and burst["minutes"] == 20.0
    assert burst["start"].startswith("2026-05-09T23:50") and burst["end"].startswith("2026-05-10T00:10")
    assert burst["numbers"] == ["13812345678", "17098765432"]
    assert [d["contacts"] for d in result["per_day"]] == [2, 4]  # the burst is split by the calendar day
    finding = next(f for f in result["findings"] if f["rule_id"].endswith(".burst"))
    assert finding["contacts"] == [0, 1, 2, 3, 4] and (finding["start"], finding["end"]) == (0, 5)
    assert "2026-05-09 23:50–2026-05-10 00:10" in finding["quote"]


@pytest.mark.parametrize("gaps, bursts", [
    ([0, 5, 10, 20, 30], 1),        # five within exactly 30 minutes
    ([0, 5, 10, 20, 31], 0),        # the fifth lands at 31 minutes
    ([0, 1, 2, 3], 0),              # only four
    ([0, 5, 10, 20, 30, 45, 55], 1),  # overlapping windows merge into one burst
    ([0, 1, 2, 3, 4, 120, 121, 122, 123, 124], 2),
])
def test_burst_window(gaps: list[int], bursts: int) -> None:
    base = datetime(2026, 5, 9, 12, 0, tzinfo=SHANGHAI)
    result = analyze_contacts(_log(*[_call((base + timedelta(minutes=m)).isoformat()) for m in gaps]))
    assert len(result["bursts"]) == bursts
    assert _rules(result).count("burst") == bursts


def test_daily_caps() -> None:
    result = analyze_contacts((FIXTURES / "caps_day.json").read_bytes())
    assert result["max_connected_calls_per_day"] == 4
    assert result["max_unanswered_per_number_per_day"] == 7
    assert result["distinct_numbers"] == 3
    assert sorted(_rules(result)) == ["connected_per_day", "unanswered_per_number_per_day"]
    connected = next(f for f in result["findings"] if "connected" in f["rule_id"])
    assert len(connected["contacts"]) == 4 and "接通来电 4 次（上限 3 次）" in connected["quote"]
    assert set(connected["legal_basis"]) >= {"gbt_45251_2025", "psl_2025_50"}
    unanswered = next(f for f in result["findings"] if "unanswered" in f["rule_id"])
    assert len(unanswered["contacts"]) == 7 and "02160123456" in unanswered["quote"]
    assert unanswered["speaker"] == "02160123456" and "cba_2026" in unanswered["legal_basis"]


@pytest.mark.parametrize("connected, flagged", [(3, False), (4, True)])
def test_connected_cap_edge(connected: int, flagged: bool) -> None:
    calls = [_call(f"2026-06-01T{9 + i:02d}:00:00+08:00", duration=30) for i in range(connected)]
    assert ("connected_per_day" in _rules(analyze_contacts(_log(*calls)))) is flagged


@pytest.mark.parametrize("attempts, flagged", [(6, False), (7, True)])
def test_unanswered_cap_edge(attempts: int, flagged: bool) -> None:
    calls = [_call(f"2026-06-01T{9 + i:02d}:00:00+08:00") for i in range(attempts)]
    calls += [_call("2026-06-01T20:00:00+08:00", channel="sms")]  # an sms is never an unanswered call
    result = analyze_contacts(_log(*calls))
    assert ("unanswered_per_number_per_day" in _rules(result)) is flagged
    assert result["max_unanswered_per_number_per_day"] == attempts


def test_rotation_counts_normalized_numbers() -> None:
    result = analyze_contacts((FIXTURES / "rotation.json").read_bytes())
    assert result["distinct_numbers"] == 4  # +8613800000001 is 13800000001
    assert _rules(result) == ["rotation"]
    assert "4 个不同号码" in result["findings"][0]["quote"]
    three = analyze_contacts(_log(*[_call(f"2026-06-02T1{i}:00:00+08:00", f"1380000000{i}") for i in range(3)]))
    assert _rules(three) == []


def test_configurable_bounds_and_thresholds() -> None:
    data = (FIXTURES / "boundaries.json").read_bytes()
    wide = analyze_contacts(data, night_start="21:00", night_end="09:00")
    assert wide["night_contacts"] == 4 and wide["quiet_window"] == "21:00–09:00"
    assert wide["settings"]["night_start"] == {"value": "21:00", "source": "用户配置（configured）"}
    assert "GB/T 45251-2025" in analyze_contacts(data)["settings"]["night_start"]["source"]
    utc = analyze_contacts(data, tz="UTC")  # 07:59:59+08:00 is 23:59:59 UTC, 22:00+08:00 is 14:00 UTC
    assert [c["night"] for c in utc["contacts"]] == [True, True, False, False] and utc["tz"] == "UTC"
    fixed = analyze_contacts(data, tz="+08:00")
    assert fixed["night_contacts"] == 2
    tight = analyze_contacts((FIXTURES / "caps_day.json").read_bytes(), max_connected_calls_per_day=4,
                             max_unanswered_per_number_per_day=10, max_contacts_per_day=10)
    assert _rules(tight) == ["contacts_per_day"]


@pytest.mark.parametrize("kwargs, message", [
    ({"night_start": "25:00"}, "night start"),
    ({"night_end": "soon"}, "night end"),
    ({"tz": "Mars/Olympus"}, "unknown time zone"),
    ({"burst_count": 0}, "burst_count must be at least 1"),
])
def test_bad_settings(kwargs: dict, message: str) -> None:
    with pytest.raises(ContactLogError, match=message):
        analyze_contacts(_log(_call("2026-05-03T10:00:00+08:00")), **kwargs)


def test_legal_basis_follows_the_local_date() -> None:
    before = analyze_contacts(_log(_call("2025-12-31T23:30:00+08:00")))["findings"][0]
    after = analyze_contacts(_log(_call("2025-12-31T16:30:00Z")))["findings"][0]  # 2026-01-01 00:30 local
    assert before["legal_basis"] == ["gbt_45251_2025", "psl_2012_42"]
    assert after["legal_basis"] == ["gbt_45251_2025", "psl_2025_50"]  # the 2026-01-30 guideline is not yet in force
    later = analyze_contacts(_log(_call("2026-03-01T23:30:00+08:00")))["findings"][0]
    assert later["legal_basis"] == ["gbt_45251_2025", "cba_2026", "psl_2025_50"]
    assert after["rule_id"] == "harassment_frequency.contact_log.night"
    assert after["label"] == "harassment_frequency" and after["source"] == "rule"
    assert after["quote"] == "2026-01-01 00:30:00 来电（未接通） 13812345678"
    assert after["time"] == "2026-01-01T00:30:00+08:00"
    assert "22:00–08:00" in after["explanation"]


def test_csv_call_logs() -> None:
    zh = analyze_contacts((FIXTURES / "calllog_zh_gb18030.csv").read_bytes())
    assert zh["format"] == "csv" and zh["encoding"] == "gb18030"
    assert zh["n_contacts"] == 4 and zh["ignored_outbound"] == 1  # 呼出 is the debtor's own call
    assert [c["channel"] for c in zh["contacts"]] == ["call", "call", "sms", "call"]
    assert zh["contacts"][1]["duration_s"] == 81 and zh["contacts"][1]["connected"] is True
    assert zh["contacts"][3]["connected"] is False and zh["contacts"][3]["duration_s"] == 0  # 未接 wins over 5 s
    assert zh["night_contacts"] == 2 and "no UTC offset" in zh["notes"][0]
    tab = analyze_contacts((FIXTURES / "calllog_en_tab.tsv").read_bytes())
    assert tab["n_contacts"] == 3 and tab["distinct_numbers"] == 1 and tab["night_contacts"] == 2
    assert tab["contacts"][1]["duration_s"] == 125


def test_csv_with_utc_and_crlf_bom() -> None:
    text = "\ufefftime,number,type,duration_s\r\n2026-06-10T14:05:00Z,13812345678,missed,0\r\n" \
           "2026-06-10T01:30:00Z,13812345678,incoming,257\r\n"
    result = analyze_contacts(text.encode("utf-8"))
    assert result["night_contacts"] == 1 and result["max_connected_calls_per_day"] == 1
    assert result["contacts"][0]["local_time"] == "2026-06-10T09:30:00+08:00"


@pytest.mark.parametrize("data, message, line", [
    (b"", "empty file", None),
    (b"   \n", "empty file", None),
    (b'{"contacts": [\n {"time": "2026-05-03T10:00:00+08:00", "channel": "call"},\n {"time": }\n]}',
     "not valid JSON", 3),
    (b'{"contacts": [\n {"time": "2026-05-03T10:00:00+08:00", "channel": "call"},\n {"channel": "call"}\n]}',
     "contact 1: missing 'time'", 3),
    (b'{"contacts": [\n {"time": "yesterday", "channel": "call"}\n]}', "unparseable time 'yesterday'", 2),
    (b'{"contacts": [\n {"time": "2026-05-03T10:00:00+08:00", "channel": "fax"}\n]}', "unknown channel", 2),
    (b'{"contacts": [\n {"time": "2026-05-03T10:00:00+08:00", "duration_s": "long"}\n]}', "unparseable duration",
     2),
    (b'{"calls": []}', 'no "contacts" list', None),
    ("time,number,type\n2026-05-03T10:00:00+08:00,138,呼入\n2026-05-03 25:61,138,呼入\n".encode(),
     "unparseable time", 3),
    ("time,number,type\n2026-05-03T10:00:00+08:00,138,传真\n".encode(), "unknown call type '传真'", 2),
    ("号码,类型\n138,呼入\n".encode(), "no time column", 1),
    (b"\x00\x01\x02binary", "binary file", None),
])
def test_clear_errors(data: bytes, message: str, line: int | None) -> None:
    with pytest.raises(ContactLogError) as info:
        analyze_contacts(data)
    assert message in str(info.value)
    assert info.value.line == line


def test_empty_log_is_all_zero() -> None:
    result = analyze_contacts(b'{"contacts": []}')
    assert {k: result[k] for k in ("night_contacts", "max_contacts_per_day", "distinct_numbers")} == dict.fromkeys(
        ("night_contacts", "max_contacts_per_day", "distinct_numbers"), 0)
    assert result["findings"] == [] and result["labels"] == ["compliant"]


def test_items_api_matches_file_api() -> None:
    items = json.loads((FIXTURES / "midnight_burst.json").read_text(encoding="utf-8"))["contacts"]
    by_items = analyze_contact_items(items)
    by_file = analyze_contacts((FIXTURES / "midnight_burst.json").read_bytes())
    assert by_items["findings"] == by_file["findings"]
    assert by_items["per_day"] == by_file["per_day"]


@pytest.mark.parametrize("text, expected", [
    ("2026-05-03T22:41:00+08:00", datetime(2026, 5, 3, 22, 41, tzinfo=timezone(timedelta(hours=8)))),
    ("2026/05/03 22:41", datetime(2026, 5, 3, 22, 41, tzinfo=SHANGHAI)),
    ("2026年5月3日 22:41:05", datetime(2026, 5, 3, 22, 41, 5, tzinfo=SHANGHAI)),
    ("1777819260", datetime(2026, 5, 3, 14, 41, tzinfo=timezone.utc)),
    ("1777819260000", datetime(2026, 5, 3, 14, 41, tzinfo=timezone.utc)),
])
def test_parse_time_forms(text: str, expected: datetime) -> None:
    assert parse_time(text, SHANGHAI)[0] == expected


@pytest.mark.parametrize("text, seconds", [("81", 81), ("81s", 81), ("1:21", 81), ("00:01:21", 81),
                                           ("1分21秒", 81), ("21秒", 21), ("", 0), ("2.5", 2.5)])
def test_parse_duration(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


def test_number_key() -> None:
    assert number_key("+86 138-1234-5678") == number_key("008613812345678") == "13812345678"
    assert number_key("021 6012 3456") == "02160123456"


def _dataset_rows() -> list[dict]:
    expected = DATASET / "expected.jsonl"
    if not expected.exists():
        return []
    return [json.loads(line) for line in expected.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.skipif(not _dataset_rows(), reason="datasets/authored/contacts/expected.jsonl not present")
@pytest.mark.parametrize("row", _dataset_rows(), ids=lambda r: r["file"])
def test_dataset_contact_logs(row: dict) -> None:
    result = analyze_contacts((DATASET / row["file"]).read_bytes(), tz=row.get("tz", "Asia/Shanghai"))
    assert {k: result[k] for k in row["expected"]} == row["expected"]
    assert (result["night_contacts"] > 0) <= ("night" in _rules(result))


# ---------------------------------------------------------------- property: counts match a brute-force count

_OFFSETS = st.sampled_from([0, 8 * 60, -5 * 60, 9 * 60, 5 * 60 + 30, -3 * 60 - 30])
_MOMENTS = st.tuples(st.integers(0, 4 * 24 * 3600 - 1), _OFFSETS, st.booleans(), st.sampled_from(["a", "b", "c"]))


@given(st.lists(_MOMENTS, max_size=40), st.sampled_from([(time(22), time(8)), (time(21, 30), time(9)),
                                                         (time(0), time(6))]))
@settings(max_examples=150, deadline=None)
def test_counts_match_brute_force(moments: list, window: tuple[time, time]) -> None:
    base = datetime(2026, 5, 1, tzinfo=timezone.utc)
    contacts = [Contact((base + timedelta(seconds=s)).astimezone(timezone(timedelta(minutes=off))), "call", num,
                        30.0 if answered else 0.0) for s, off, answered, num in moments]
    cfg = ContactSettings(night_start=window[0], night_end=window[1])
    figures = analyze_contact_log(contacts, SHANGHAI, cfg).figures
    local = [c.time.astimezone(SHANGHAI) for c in contacts]
    assert figures["night_contacts"] == sum(in_quiet_hours(t.time(), cfg) for t in local)
    start, end = window
    assert figures["night_contacts"] == sum((t.time() >= start or t.time() < end) if start > end
                                            else start <= t.time() < end for t in local)
    assert figures["max_contacts_per_day"] == max(Counter(t.date() for t in local).values(), default=0)
    unanswered = Counter((c.number, t.date()) for c, t in zip(contacts, local, strict=True) if not c.duration_s)
    assert figures["max_unanswered_per_number_per_day"] == max(unanswered.values(), default=0)


# ---------------------------------------------------------------- CLI


def test_cli_contacts_json() -> None:
    result = RUNNER.invoke(app, ["contacts", str(FIXTURES / "midnight_burst.json"), "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["night_contacts"] == 5 and out["max_contacts_per_day"] == 4
    assert out["findings"] and all(f["label"] == "harassment_frequency" for f in out["findings"])
    assert {"per_day", "bursts", "distinct_numbers", "max_connected_calls_per_day",
            "max_unanswered_per_number_per_day"} <= set(out)


def test_cli_contacts_options() -> None:
    args = ["contacts", str(FIXTURES / "boundaries.json"), "--json", "--tz", "Asia/Shanghai",
            "--night-start", "21:00", "--night-end", "09:00"]
    result = RUNNER.invoke(app, args)
    assert result.exit_code == 0 and json.loads(result.stdout)["night_contacts"] == 4
    result = RUNNER.invoke(app, ["contacts", str(FIXTURES / "caps_day.json"), "--json", "--max-connected", "5"])
    assert "connected_per_day" not in _rules(json.loads(result.stdout))


def test_cli_contacts_readable_and_errors(tmp_path: Path) -> None:
    result = RUNNER.invoke(app, ["contacts", str(FIXTURES / "calllog_zh_gb18030.csv")])
    assert result.exit_code == 0 and "夜间联系 2 次" in result.stdout
    bad = tmp_path / "bad.json"
    bad.write_text('{"contacts": [\n {"time": "2026-13-45T10:00:00+08:00"}\n]}', encoding="utf-8")
    result = RUNNER.invoke(app, ["contacts", str(bad), "--json"])
    assert result.exit_code == 2 and "line 2: contact 0: unparseable time" in result.stderr
    assert result.stdout == ""
    result = RUNNER.invoke(app, ["contacts", str(FIXTURES / "boundaries.json"), "--json", "--night-start", "x"])
    assert result.exit_code == 2 and "night start" in result.stderr
    result = RUNNER.invoke(app, ["contacts", str(tmp_path / "nope.json"), "--json"])
    assert result.exit_code == 2 and "cannot read" in result.stderr
