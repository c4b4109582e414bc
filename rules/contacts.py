"""Contact-log rules: quiet hours, daily caps, bursts and number rotation → `harassment_frequency` findings.

Pure functions over `Contact` records (times already parsed, any offset). Each finding names the rule it
applied (``harassment_frequency.contact_log.night`` …), the threshold in force and where that threshold comes
from (a published figure or our own default), and cites the legal basis for the date of the conduct.
Defaults: the quiet window 22:00–08:00 (GB/T 45251-2025 and the banking association's 2026 guideline);
more than 3 connected calls a day (GB/T 45251-2025); more than 6 unanswered attempts a day to one number
(banking association 2026); bursts and number rotation use our own defaults, which the report says.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import date, datetime, time, timedelta, tzinfo

from rules.findings import Finding
from rules.legal import PSL_PLACEHOLDER, load_catalog

LABEL = "harassment_frequency"
RULE_PREFIX = f"{LABEL}.contact_log"


@dataclass(frozen=True)
class ContactRule:
    """What one contact-log rule reports: id, severity, confidence and the legal basis it cites."""

    id: str
    name_zh: str
    severity: str
    confidence: float
    legal_basis: tuple[str, ...]


RULES: dict[str, ContactRule] = {
    "night": ContactRule(f"{RULE_PREFIX}.night", "夜间催收", "medium", 0.9,
                         ("gbt_45251_2025", "cba_2026", PSL_PLACEHOLDER)),
    "connected_per_day": ContactRule(f"{RULE_PREFIX}.connected_per_day", "每日接通次数超限", "medium", 0.9,
                                     ("gbt_45251_2025", PSL_PLACEHOLDER)),
    "unanswered_per_number_per_day": ContactRule(f"{RULE_PREFIX}.unanswered_per_number_per_day",
                                                 "同一号码每日未接通拨打超限", "medium", 0.9,
                                                 ("cba_2026", PSL_PLACEHOLDER)),
    "contacts_per_day": ContactRule(f"{RULE_PREFIX}.contacts_per_day", "每日联系次数超限", "medium", 0.8,
                                    (PSL_PLACEHOLDER, "cc_1033")),
    "burst": ContactRule(f"{RULE_PREFIX}.burst", "短时间内密集联系（轰炸）", "high", 0.85,
                         (PSL_PLACEHOLDER, "cc_1033", "gbt_45251_2025")),
    "rotation": ContactRule(f"{RULE_PREFIX}.rotation", "多号码轮换拨打", "high", 0.75,
                            (PSL_PLACEHOLDER, "cc_1033")),
}

_QUIET_SOURCE = ("GB/T 45251-2025；中国银行业协会《金融机构个人消费类贷款催收工作指引（试行）》（2026）："
                 "22:00–08:00 不得催收")
PUBLISHED_SOURCES: dict[str, str] = {
    "night_start": _QUIET_SOURCE,
    "night_end": _QUIET_SOURCE,
    "max_connected_calls_per_day": "GB/T 45251-2025：每日语音接通（含机器人外呼）不超过 3 次",
    "max_unanswered_per_number_per_day": "中国银行业协会 2026 指引：每日对同一号码未接通拨打不超过 6 次",
    "burst_count": "cuishou-guard 默认值（无公开标准数值）",
    "burst_minutes": "cuishou-guard 默认值（无公开标准数值）",
    "rotation_numbers_per_day": "cuishou-guard 默认值（无公开标准数值）",
    "max_contacts_per_day": "未启用（无公开标准数值）",
}


@dataclass(frozen=True)
class ContactSettings:
    """Thresholds for the contact-log rules; every one is configurable (CLI options, API fields)."""

    night_start: time = time(22, 0)
    night_end: time = time(8, 0)
    max_connected_calls_per_day: int = 3
    max_unanswered_per_number_per_day: int = 6
    burst_count: int = 5
    burst_minutes: int = 30
    rotation_numbers_per_day: int = 4
    max_contacts_per_day: int | None = None

    def __post_init__(self) -> None:
        for name in ("max_connected_calls_per_day", "max_unanswered_per_number_per_day", "burst_count",
                     "burst_minutes", "rotation_numbers_per_day"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        if self.max_contacts_per_day is not None and self.max_contacts_per_day < 1:
            raise ValueError("max_contacts_per_day must be at least 1")

    def describe(self) -> dict[str, dict[str, object]]:
        """Each threshold with its value and source (the published figure, our default, or 'configured')."""
        out: dict[str, dict[str, object]] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            source = PUBLISHED_SOURCES[f.name] if value == f.default else "用户配置（configured）"
            out[f.name] = {"value": value.strftime("%H:%M") if isinstance(value, time) else value,
                           "source": source}
        return out

    def quiet_window(self) -> str:
        """``22:00–08:00`` as a display string."""
        return f"{self.night_start:%H:%M}–{self.night_end:%H:%M}"


@dataclass(frozen=True)
class Contact:
    """One contact from a log: an aware time, call or sms, the number it came from, and its outcome."""

    time: datetime
    channel: str  # "call" | "sms"
    number: str
    duration_s: float = 0.0
    direction: str = "inbound"  # "inbound" | "outbound"
    answered: bool | None = None  # None: a call counts as connected when duration_s > 0
    line: int | None = None

    @property
    def is_call(self) -> bool:
        """True for a voice call (connected or not)."""
        return self.channel == "call"

    @property
    def connected(self) -> bool:
        """A call that was answered."""
        if not self.is_call:
            return False
        return self.answered if self.answered is not None else self.duration_s > 0


@dataclass(frozen=True)
class LocalContact:
    """A contact placed on the local clock, with its position in the time-ordered log."""

    index: int
    contact: Contact
    local: datetime
    night: bool
    number_key: str


@dataclass
class DayStats:
    """Counts for one local calendar day."""

    day: date
    contacts: list[int] = field(default_factory=list)
    connected: list[int] = field(default_factory=list)
    unanswered_by_number: dict[str, list[int]] = field(default_factory=dict)
    sms: int = 0
    night: int = 0
    call_numbers: dict[str, str] = field(default_factory=dict)
    numbers: set[str] = field(default_factory=set)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready summary of the day."""
        unanswered = sum(len(v) for v in self.unanswered_by_number.values())
        return {"date": self.day.isoformat(), "contacts": len(self.contacts),
                "calls": len(self.connected) + unanswered, "connected_calls": len(self.connected),
                "unanswered_calls": unanswered, "sms": self.sms, "night_contacts": self.night,
                "distinct_numbers": len(self.numbers), "distinct_call_numbers": len(self.call_numbers),
                "max_unanswered_per_number": max((len(v) for v in self.unanswered_by_number.values()), default=0)}


@dataclass
class Burst:
    """Contacts packed into a short time: at least ``burst_count`` within ``burst_minutes``."""

    indices: list[int]
    start: datetime
    end: datetime
    numbers: list[str]

    def to_dict(self) -> dict[str, object]:
        """JSON-ready description of the burst."""
        return {"start": self.start.isoformat(), "end": self.end.isoformat(), "count": len(self.indices),
                "minutes": round((self.end - self.start).total_seconds() / 60, 1), "contacts": self.indices,
                "numbers": self.numbers}


@dataclass
class ContactFinding(Finding):
    """A `Finding` about contacts: ``start``/``end`` span indices into the time-ordered contact list and
    ``contacts`` lists exactly which contacts it is about."""

    contacts: list[int] = field(default_factory=list)


@dataclass
class ContactAnalysis:
    """Everything the contact rules found in one log."""

    contacts: list[LocalContact]
    days: list[DayStats]
    bursts: list[Burst]
    findings: list[ContactFinding]
    settings: ContactSettings

    @property
    def figures(self) -> dict[str, int]:
        """The headline counts (CONTRACT §3 plus the caps' figures)."""
        return {
            "night_contacts": sum(1 for c in self.contacts if c.night),
            "max_contacts_per_day": max((len(d.contacts) for d in self.days), default=0),
            "max_connected_calls_per_day": max((len(d.connected) for d in self.days), default=0),
            "max_unanswered_per_number_per_day": max(
                (len(v) for d in self.days for v in d.unanswered_by_number.values()), default=0),
            "distinct_numbers": len({c.number_key for c in self.contacts}),
        }


_NUMBER_JUNK = re.compile(r"[\s\-()（）.]")
_CN_PREFIX = re.compile(r"^(?:\+86|0086|86)(1\d{10})$")


def number_key(number: str) -> str:
    """A number's identity for counting: separators dropped, a +86/0086 country prefix on a mobile removed."""
    digits = _NUMBER_JUNK.sub("", number.strip())
    m = _CN_PREFIX.match(digits)
    return m.group(1) if m else digits


def in_quiet_hours(local: time, settings: ContactSettings) -> bool:
    """Whether a local clock time falls in the quiet window [night_start, night_end) (wrapping midnight)."""
    start, end = settings.night_start, settings.night_end
    if start == end:
        return False
    if start > end:
        return local >= start or local < end
    return start <= local < end


def localize(contacts: Iterable[Contact], tz: tzinfo, settings: ContactSettings) -> list[LocalContact]:
    """Inbound contacts in time order on the local clock (outbound ones are the debtor's own calls)."""
    inbound = sorted((c for c in contacts if c.direction != "outbound"), key=lambda c: c.time)
    out = []
    for i, c in enumerate(inbound):
        local = c.time.astimezone(tz)
        out.append(LocalContact(i, c, local, in_quiet_hours(local.time(), settings),
                                number_key(c.number)))
    return out


def day_stats(contacts: list[LocalContact]) -> list[DayStats]:
    """Per local calendar day: all contacts, connected calls, unanswered calls per number, sms, night."""
    days: dict[date, DayStats] = {}
    for lc in contacts:
        d = days.setdefault(lc.local.date(), DayStats(lc.local.date()))
        d.contacts.append(lc.index)
        d.numbers.add(lc.number_key)
        d.night += lc.night
        if lc.contact.is_call:
            d.call_numbers.setdefault(lc.number_key, lc.contact.number)
            if lc.contact.connected:
                d.connected.append(lc.index)
            else:
                d.unanswered_by_number.setdefault(lc.number_key, []).append(lc.index)
        else:
            d.sms += 1
    return [days[k] for k in sorted(days)]


def find_bursts(contacts: list[LocalContact], settings: ContactSettings) -> list[Burst]:
    """Maximal runs where every contact belongs to some window of ``burst_minutes`` holding at least
    ``burst_count`` contacts; overlapping windows merge into one burst (so a burst may cross midnight)."""
    window = timedelta(minutes=settings.burst_minutes)
    spans: list[tuple[int, int]] = []
    j = 0
    for i in range(len(contacts)):
        j = max(j, i)
        while j + 1 < len(contacts) and contacts[j + 1].contact.time - contacts[i].contact.time <= window:
            j += 1
        if j - i + 1 >= settings.burst_count:
            if spans and i <= spans[-1][1]:
                spans[-1] = (spans[-1][0], j)
            else:
                spans.append((i, j))
    bursts = []
    for a, b in spans:
        run = contacts[a:b + 1]
        bursts.append(Burst([c.index for c in run], run[0].local, run[-1].local,
                            list(dict.fromkeys(c.contact.number for c in run))))
    return bursts


def describe_contact(lc: LocalContact) -> str:
    """``2026-05-03 23:41:00 来电（未接通） 13812345678`` — one contact as evidence text."""
    c = lc.contact
    if not c.is_call:
        kind = "短信"
    elif c.connected:
        kind = f"来电（接通 {int(c.duration_s)} 秒）" if c.duration_s else "来电（接通）"
    else:
        kind = "来电（未接通）"
    return f"{lc.local:%Y-%m-%d %H:%M:%S} {kind} {c.number}"


def _finding(rule_key: str, members: list[LocalContact], quote: str, explanation: str,
             matched: str) -> ContactFinding:
    rule = RULES[rule_key]
    first = members[0]
    numbers = list(dict.fromkeys(m.contact.number for m in members))
    indices = [m.index for m in members]
    return ContactFinding(
        label=LABEL, start=min(indices), end=max(indices) + 1, quote=quote, source="rule", rule_id=rule.id,
        confidence=rule.confidence, severity=rule.severity,
        legal_basis=load_catalog().resolve(rule.legal_basis, when=first.local.date()),
        explanation=explanation, matched_form=matched, speaker=numbers[0] if len(numbers) == 1 else None,
        time=first.local.isoformat(), contacts=indices)


def night_findings(contacts: list[LocalContact], settings: ContactSettings) -> list[ContactFinding]:
    """One finding per contact inside the quiet window."""
    window = settings.quiet_window()
    return [_finding("night", [lc], describe_contact(lc),
                     f"夜间 {window}（当地时间 {lc.local:%H:%M:%S}）联系，属于未经同意不得催收的静默时段",
                     f"night {window}") for lc in contacts if lc.night]


def _hhmm(members: list[LocalContact]) -> str:
    return "、".join(f"{m.local:%H:%M}" for m in members)


def cap_findings(contacts: list[LocalContact], days: list[DayStats],
                 settings: ContactSettings) -> list[ContactFinding]:
    """Per local day: connected calls above the cap; unanswered calls to one number above the cap; and,
    when configured, all contacts above ``max_contacts_per_day``."""
    out: list[ContactFinding] = []
    cap = settings.max_connected_calls_per_day
    for d in days:
        if len(d.connected) > cap:
            members = [contacts[i] for i in d.connected]
            out.append(_finding("connected_per_day", members,
                                f"{d.day} 当日接通来电 {len(members)} 次（上限 {cap} 次）：{_hhmm(members)}",
                                f"每日语音接通超过 {cap} 次", f"connected>{cap}/day"))
        ucap = settings.max_unanswered_per_number_per_day
        for indices in d.unanswered_by_number.values():
            if len(indices) > ucap:
                members = [contacts[i] for i in indices]
                number = members[0].contact.number
                out.append(_finding("unanswered_per_number_per_day", members,
                                    f"{d.day} 号码 {number} 未接通拨打 {len(members)} 次（上限 {ucap} 次）："
                                    f"{_hhmm(members)}",
                                    f"同一号码每日未接通拨打超过 {ucap} 次", f"unanswered>{ucap}/number/day"))
        total_cap = settings.max_contacts_per_day
        if total_cap is not None and len(d.contacts) > total_cap:
            members = [contacts[i] for i in d.contacts]
            out.append(_finding("contacts_per_day", members,
                                f"{d.day} 当日联系 {len(members)} 次（上限 {total_cap} 次）",
                                f"每日联系（来电与短信）超过 {total_cap} 次", f"contacts>{total_cap}/day"))
    return out


def burst_findings(contacts: list[LocalContact], bursts: list[Burst],
                   settings: ContactSettings) -> list[ContactFinding]:
    """One finding per burst."""
    out = []
    for b in bursts:
        members = [contacts[i] for i in b.indices]
        minutes = (b.end - b.start).total_seconds() / 60
        out.append(_finding(
            "burst", members,
            f"{b.start:%Y-%m-%d %H:%M}–{b.end:%Y-%m-%d %H:%M} 约 {minutes:.0f} 分钟内联系 {len(members)} 次"
            f"（号码：{'、'.join(b.numbers)}）",
            f"{settings.burst_minutes} 分钟内联系 {settings.burst_count} 次及以上，构成密集骚扰",
            f">={settings.burst_count} in {settings.burst_minutes} min"))
    return out


def rotation_findings(contacts: list[LocalContact], days: list[DayStats],
                      settings: ContactSettings) -> list[ContactFinding]:
    """Per local day: calls from at least ``rotation_numbers_per_day`` distinct numbers."""
    out = []
    need = settings.rotation_numbers_per_day
    for d in days:
        if len(d.call_numbers) >= need:
            members = [contacts[i] for i in d.contacts if contacts[i].contact.is_call]
            out.append(_finding(
                "rotation", members,
                f"{d.day} 使用 {len(d.call_numbers)} 个不同号码来电：{'、'.join(d.call_numbers.values())}",
                f"同一天使用 {need} 个及以上不同号码拨打，疑似轮换号码规避拦截", f"numbers>={need}/day"))
    return out


def analyze_contact_log(contacts: Iterable[Contact], tz: tzinfo,
                        settings: ContactSettings | None = None) -> ContactAnalysis:
    """Run every contact rule over a log; findings come sorted by the first contact they concern."""
    settings = settings or ContactSettings()
    local = localize(contacts, tz, settings)
    days = day_stats(local)
    bursts = find_bursts(local, settings)
    findings = (night_findings(local, settings) + cap_findings(local, days, settings)
                + burst_findings(local, bursts, settings) + rotation_findings(local, days, settings))
    order = list(RULES)
    findings.sort(key=lambda f: (f.start, order.index(f.rule_id.rsplit(".", 1)[1]), f.end))
    return ContactAnalysis(local, days, bursts, findings, settings)
