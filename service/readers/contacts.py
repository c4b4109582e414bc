"""Contact logs → `Contact` records: the CONTRACT §3 JSON and a phone's exported call log as CSV.

Times are ISO-8601 with an offset (``Z`` and ``+0800`` too), ``2026/06/08 07:12``, ``2026年6月8日 07:12`` or epoch
seconds/milliseconds; a time without an offset is read on the log's local clock (``tz``) and noted.
Errors are `ContactLogError`s naming the line to fix.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from rules.contacts import Contact
from service.readers.encoding import DecodeError, decode_bytes
from service.readers.errors import LineError
from service.readers.jsonpos import array_item_lines

DEFAULT_TZ = "Asia/Shanghai"
FORMATS: tuple[str, ...] = ("json", "csv")

# (channel, direction, answered); answered None → decided by the duration.
TYPE_WORDS: dict[str, tuple[str, str, bool | None]] = {
    **dict.fromkeys(["呼入", "来电", "已接", "已接来电", "接听", "接通", "incoming", "inbound", "in", "answered",
                     "received", "connected", "call", "电话", "通话", "voice", "phone"], ("call", "inbound", None)),
    **dict.fromkeys(["未接", "未接来电", "未接通", "拒接", "已拒接", "挂断", "拦截", "骚扰拦截", "已拦截", "missed",
                     "rejected", "declined", "blocked", "busy", "unanswered", "no answer", "voicemail", "语音信箱"],
                    ("call", "inbound", False)),
    **dict.fromkeys(["呼出", "去电", "已拨", "拨出", "已拨电话", "outgoing", "outbound", "out", "dialed"],
                    ("call", "outbound", None)),
    **dict.fromkeys(["短信", "信息", "彩信", "sms", "mms", "text", "message", "msg"], ("sms", "inbound", None)),
}
DIRECTION_WORDS: dict[str, str] = {
    **dict.fromkeys(["inbound", "incoming", "in", "呼入", "来电", "收到", "接收"], "inbound"),
    **dict.fromkeys(["outbound", "outgoing", "out", "呼出", "去电", "发出", "拨出"], "outbound"),
}
CSV_COLUMNS: dict[str, tuple[str, ...]] = {
    "time": ("time", "datetime", "timestamp", "date_time", "call_time", "start_time", "时间", "日期时间", "通话时间",
             "呼叫时间", "来电时间", "开始时间", "发生时间"),
    "date": ("date", "日期"),
    "number": ("number", "phone", "phone_number", "from", "caller", "号码", "电话", "电话号码", "对方号码", "来电号码",
               "联系人号码", "主叫号码"),
    "type": ("type", "call_type", "status", "category", "channel", "类型", "通话类型", "呼叫类型", "状态", "记录类型"),
    "duration": ("duration_s", "duration", "seconds", "duration_sec", "时长", "通话时长", "持续时间", "通话时长秒"),
}
JSON_NUMBER_KEYS: tuple[str, ...] = ("from", "number", "phone", "caller", "号码")
JSON_DURATION_KEYS: tuple[str, ...] = ("duration_s", "duration", "时长")

_TIME = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T\s]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?"
                   r"\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?|(?:UTC|GMT)[+-]\d{1,2}(?::?\d{2})?)?$", re.IGNORECASE)
_CN_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})[日号]\s*")
_OFFSET = re.compile(r"^(?:UTC|GMT)?([+-])(\d{1,2})(?::?(\d{2}))?$", re.IGNORECASE)
_DURATION_CLOCK = re.compile(r"^(?:(\d+):)?(\d+):(\d{1,2})$")
_DURATION_CN = re.compile(r"^(?:(\d+)\s*(?:小时|时|h))?\s*(?:(\d+)\s*(?:分钟|分|m|min))?"
                          r"\s*(?:(\d+(?:\.\d+)?)\s*(?:秒|s|sec))?$", re.IGNORECASE)


class ContactLogError(LineError):
    """A contact log that cannot be read."""


@dataclass
class ContactLog:
    """The contacts of one log, with what was read how."""

    contacts: list[Contact]
    format: str
    encoding: str
    notes: list[str] = field(default_factory=list)


def resolve_tz(name: str | tzinfo) -> tzinfo:
    """An IANA zone (``Asia/Shanghai``), ``UTC``, or a fixed offset (``+08:00``, ``UTC+8``)."""
    if isinstance(name, tzinfo):
        return name
    text = str(name).strip()
    if text.upper() in ("UTC", "Z", "GMT"):
        return timezone.utc
    m = _OFFSET.match(text)
    if m:
        sign, hours, minutes = m.groups()
        delta = timedelta(hours=int(hours), minutes=int(minutes or 0))
        return timezone(-delta if sign == "-" else delta)
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise ContactLogError(f"unknown time zone {text!r}; use an IANA name such as Asia/Shanghai "
                              "or an offset such as +08:00") from None


def parse_time(value: object, tz: tzinfo) -> tuple[datetime, bool]:
    """(aware datetime, whether the text carried no offset and was read on ``tz``); ValueError otherwise."""
    if isinstance(value, bool) or value is None:
        raise ValueError(f"not a time: {value!r}")
    text = str(value).strip()
    if re.fullmatch(r"\d{10}(?:\.\d+)?|\d{13}", text):
        seconds = float(text) / (1000 if len(text) == 13 else 1)
        return datetime.fromtimestamp(seconds, tz=timezone.utc), False
    text = _CN_DATE.sub(lambda m: f"{m.group(1)}-{m.group(2)}-{m.group(3)} ", text).strip()
    m = _TIME.match(text)
    if m is None or m.group(4) is None:
        raise ValueError(f"not a time: {value!r}")
    year, month, day, hour, minute, second, frac, offset = m.groups()
    micro = int((frac or "0")[:6].ljust(6, "0"))
    dt = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0), micro)
    if offset is None:
        return dt.replace(tzinfo=tz), True
    return dt.replace(tzinfo=resolve_tz(offset)), False


def parse_duration(value: object) -> float:
    """Seconds from ``81``, ``81.5``, ``81s``, ``1:21``, ``00:01:21`` or ``1分21秒``; empty → 0."""
    if value is None or value == "":
        return 0.0
    if isinstance(value, bool):
        raise ValueError(f"not a duration: {value!r}")
    if isinstance(value, int | float):
        seconds = float(value)
    else:
        text = str(value).strip()
        try:
            seconds = float(text)
        except ValueError:
            clock = _DURATION_CLOCK.match(text)
            words = _DURATION_CN.match(text)
            if clock:
                h, mi, s = clock.groups()
                seconds = int(h or 0) * 3600 + int(mi) * 60 + int(s)
            elif words and any(words.groups()):
                h, mi, s = words.groups()
                seconds = int(h or 0) * 3600 + int(mi or 0) * 60 + float(s or 0)
            else:
                raise ValueError(f"not a duration: {value!r}") from None
    if seconds < 0 or seconds != seconds:
        raise ValueError(f"negative duration: {value!r}")
    return seconds


def _type_word(value: object) -> tuple[str, str, bool | None] | None:
    return TYPE_WORDS.get(str(value).strip().lower()) if value is not None else None


class _Reader:
    """Shared state while reading one log: the zone for offset-less times and how many there were."""

    def __init__(self, tz: tzinfo) -> None:
        self.tz = tz
        self.naive = 0

    def time(self, value: object, line: int | None, where: str) -> datetime:
        try:
            dt, naive = parse_time(value, self.tz)
        except (ValueError, OverflowError, OSError):
            raise ContactLogError(f"{where}unparseable time {value!r}; expected ISO-8601 such as "
                                  "2026-05-03T22:41:00+08:00", line) from None
        self.naive += naive
        return dt

    def duration(self, value: object, line: int | None, where: str) -> float:
        try:
            return parse_duration(value)
        except ValueError:
            raise ContactLogError(f"{where}unparseable duration {value!r}; expected seconds", line) from None

    def notes(self) -> list[str]:
        if not self.naive:
            return []
        return [f"{self.naive} time(s) had no UTC offset and were read as local time ({self.tz})"]


def _json_contact(item: object, i: int, line: int | None, reader: _Reader) -> Contact:
    where = f"contact {i}: "
    if not isinstance(item, dict):
        raise ContactLogError(f"{where}expected an object with time/channel/from, got {type(item).__name__}", line)
    if "time" not in item:
        raise ContactLogError(f"{where}missing 'time'", line)
    when = reader.time(item["time"], line, where)
    kind = _type_word(item.get("channel", "call"))
    if kind is None:
        raise ContactLogError(f"{where}unknown channel {item.get('channel')!r}; expected 'call' or 'sms'", line)
    channel, direction, answered = kind
    status = _type_word(item.get("status", item.get("type")))
    if status is not None and status[0] == channel:
        direction, answered = status[1], status[2] if status[2] is not None else answered
    if "answered" in item and isinstance(item["answered"], bool):
        answered = item["answered"]
    raw_direction = item.get("direction")
    if raw_direction is not None:
        direction = DIRECTION_WORDS.get(str(raw_direction).strip().lower(), "")
        if not direction:
            raise ContactLogError(f"{where}unknown direction {raw_direction!r}; expected 'inbound' or 'outbound'",
                                  line)
    number = next((item[k] for k in JSON_NUMBER_KEYS if item.get(k) not in (None, "")), "")
    duration = reader.duration(next((item[k] for k in JSON_DURATION_KEYS if k in item), 0), line, where)
    return Contact(when, channel, str(number).strip(), duration, direction, answered, line)


def contacts_from_items(items: list[Any], tz: tzinfo | str = DEFAULT_TZ,
                        lines: list[int] | None = None) -> tuple[list[Contact], list[str]]:
    """Contacts from already-parsed JSON items (CONTRACT §3 objects); returns (contacts, notes)."""
    reader = _Reader(resolve_tz(tz))
    lines = lines if lines is not None and len(lines) == len(items) else [None] * len(items)
    contacts = [_json_contact(item, i, line, reader) for i, (item, line) in enumerate(zip(items, lines,
                                                                                            strict=True))]
    return contacts, reader.notes()


def parse_json_log(text: str, tz: tzinfo) -> tuple[list[Contact], list[str]]:
    """``{"contacts": [...]}`` (or a bare list) → contacts."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ContactLogError(f"not valid JSON: {exc.msg} (column {exc.colno})", exc.lineno) from None
    key = None
    if isinstance(data, dict):
        if not isinstance(data.get("contacts"), list):
            raise ContactLogError('expected {"contacts": [...]}: the object has no "contacts" list')
        key, data = "contacts", data["contacts"]
    if not isinstance(data, list):
        raise ContactLogError('expected {"contacts": [...]} or a list of contacts')
    return contacts_from_items(data, tz, array_item_lines(text, key))


def _canon(header: str) -> str:
    text = re.sub(r"[（(][^）)]*[)）]", "", header.strip().lstrip("\ufeff")).strip().lower()
    return re.sub(r"[\s\-]+", "_", text)


def _columns(header: list[str]) -> dict[str, int]:
    names = [_canon(h) for h in header]
    found: dict[str, int] = {}
    for role, synonyms in CSV_COLUMNS.items():
        for i, name in enumerate(names):
            if name in synonyms and role not in found:
                found[role] = i
                break
    return found


def _delimiter(first_line: str) -> str:
    return max((",", "\t", ";", "，", "|"), key=first_line.count)


def parse_csv_log(text: str, tz: tzinfo) -> tuple[list[Contact], list[str]]:
    """A phone's call log: a header naming the time, number, type and duration columns (English or Chinese)."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    rows = csv.reader(io.StringIO(text), delimiter=_delimiter(first))
    reader = _Reader(tz)
    header: list[str] | None = None
    cols: dict[str, int] = {}
    contacts: list[Contact] = []
    for row in rows:
        line = rows.line_num
        if not any(cell.strip() for cell in row):
            continue
        if header is None:
            header, cols = row, _columns(row)
            if "time" not in cols:
                raise ContactLogError(f"no time column in the header {row}; expected a header such as "
                                      "time,number,type,duration_s (or 时间,号码,类型,通话时长)", line)
            continue
        contacts.append(_csv_contact(row, cols, line, reader))
    if header is None:
        raise ContactLogError("empty file")
    return contacts, reader.notes()


def _cell(row: list[str], cols: dict[str, int], role: str) -> str:
    i = cols.get(role)
    return row[i].strip() if i is not None and i < len(row) else ""


def _csv_contact(row: list[str], cols: dict[str, int], line: int, reader: _Reader) -> Contact:
    stamp = _cell(row, cols, "time")
    day = _cell(row, cols, "date")
    if day and not re.match(r"\d{4}", stamp):
        stamp = f"{day} {stamp}"
    when = reader.time(stamp, line, "")
    kind_text = _cell(row, cols, "type")
    kind = _type_word(kind_text) if kind_text else ("call", "inbound", None)
    if kind is None:
        raise ContactLogError(f"unknown call type {kind_text!r}; expected one of 呼入/未接/呼出/短信 or "
                              "incoming/missed/outgoing/sms", line)
    channel, direction, answered = kind
    duration = reader.duration(_cell(row, cols, "duration"), line, "")
    if answered is False:
        duration = 0.0
    return Contact(when, channel, _cell(row, cols, "number"), duration, direction, answered, line)


def detect_log_format(text: str) -> str:
    """``json`` when the text starts with ``{`` or ``[``, else ``csv``."""
    head = text.lstrip("\ufeff \t\r\n")
    if not head:
        raise ContactLogError("empty file")
    return "json" if head[0] in "{[" else "csv"


def read_contacts(data: bytes, tz: tzinfo | str = DEFAULT_TZ, fmt: str = "auto") -> ContactLog:
    """Decode and parse a contact log (JSON per CONTRACT §3, or a CSV call log)."""
    if fmt not in (*FORMATS, "auto"):
        raise ContactLogError(f"unknown format {fmt!r}; expected auto, json or csv")
    zone = resolve_tz(tz)
    try:
        decoded = decode_bytes(data)
    except DecodeError as exc:
        raise ContactLogError(str(exc)) from None
    text = decoded.text.lstrip("\ufeff")
    chosen = detect_log_format(text) if fmt == "auto" else fmt
    if not text.strip():
        raise ContactLogError("empty file")
    parse = parse_json_log if chosen == "json" else parse_csv_log
    contacts, notes = parse(text, zone)
    return ContactLog(contacts, chosen, decoded.encoding, notes)
