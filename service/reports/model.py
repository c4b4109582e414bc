"""The one report data structure every document is rendered from.

`build_report` turns a `CaseAnalysis` into plain, display-ready values: local times as text, labels in
Chinese, citations resolved from the legal catalog, evidence rows with their SHA-256. Renderers never look
at the database or the pipeline again.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from rules.findings import LABEL_ZH, VIOLATION_LABELS
from rules.legal import load_catalog
from service.case_analysis import CaseAnalysis, CaseFinding
from service.extract import FactHit, gather_facts
from service.store import EvidenceItem, utcnow

KIND_ZH = {"message": "消息", "transcript": "通话录音转写", "contacts": "通话/短信记录", "screenshot": "截图"}
CHANNEL_ZH = {"sms": "短信", "wechat": "微信", "call_utterance": "电话", "call": "电话", "contact_log": "通话记录",
              None: "未注明"}
LENDER_TYPE_ZH = {
    "bank": "商业银行", "credit_card": "银行信用卡中心", "consumer_finance": "消费金融公司",
    "microloan": "小额贷款公司",
    "online_platform": "网络借贷平台/助贷平台", "other": "其他机构",
}
SOURCE_ZH = {"rule": "规则", "model": "模型", "rule+model": "规则+模型"}
STAT_ZH = {
    "total_contacts": "联系总次数", "night_contacts": "夜间（22:00—次日08:00）联系次数",
    "max_contacts_per_day": "单日最多联系次数", "max_connected_calls_per_day": "单日最多接通电话次数",
    "max_unanswered_per_number_per_day": "同一号码单日最多未接通拨打次数", "distinct_numbers": "使用的不同号码数",
    "days": "涉及天数", "calls": "电话次数", "sms": "短信次数", "n_contacts": "联系记录条数",
    "ignored_outbound": "未计入的呼出记录",
}
SETTING_ZH = {"night_start": "夜间开始", "night_end": "夜间结束", "max_connected_calls_per_day": "每日接通电话上限",
              "max_unanswered_per_number_per_day": "同一号码每日未接通拨打上限", "max_contacts_per_day": "每日联系上限",
              "burst_count": "短时密集联系次数", "burst_minutes": "短时密集联系时长（分钟）",
              "rotation_numbers_per_day": "每日换号数量上限"}
PER_DAY_COLUMNS: tuple[tuple[str, str], ...] = (
    ("date", "日期"), ("contacts", "联系次数"), ("calls", "电话"), ("connected_calls", "接通"),
    ("unanswered_calls", "未接通"), ("sms", "短信"), ("night_contacts", "夜间"), ("distinct_numbers", "号码数"))
LOAN_FIELDS_ZH = {"contract_no": "合同编号", "amount": "借款金额", "date": "借款日期", "due_date": "到期日",
                  "outstanding": "尚欠金额", "product": "借款产品"}
BORROWER_FIELDS_ZH = {"name": "姓名", "phone": "联系电话", "id_number": "身份证号", "address": "住址"}
TIME_FORMAT = "%Y-%m-%d %H:%M"


@dataclass
class Citation:
    """One legal basis as printed: ``citation`` is the short reference, ``verify`` flags an unchecked number."""

    id: str
    citation: str
    instrument: str
    article: str
    title: str
    summary: str
    verify: bool = False
    formal: str = ""
    short: str = ""


@dataclass
class FindingRow:
    """One row of the findings table."""

    no: int
    time: str
    offset: str | None
    channel: str
    speaker: str
    quote: str
    label: str
    label_zh: str
    source: str
    rule_id: str
    confidence: float
    legal_basis: list[Citation]
    explanation: str
    evidence_no: int
    severity: str = "medium"
    time_zh: str = ""
    kind: str = "message"

    @property
    def sentence(self) -> str:
        """The finding as one sentence of a letter: who said what, when, through which channel."""
        if self.kind == "contacts":
            reason = f"（{self.explanation}）" if self.explanation else ""
            return f"{self.when_zh}，通话/短信记录显示：{self.quote}{reason}"
        return f"{self.when_zh}，{self.who}{self.via}称：“{self.quote}”"

    @property
    def via(self) -> str:
        """``通过短信`` — or nothing when the channel is unknown (for letter sentences)."""
        return f"通过{self.channel}" if self.channel and self.channel != "未注明" else ""

    @property
    def who(self) -> str:
        """The sender in a sentence: ``号码13812345678``, a speaker label, or ``催收人员`` when unknown."""
        if not self.speaker or self.speaker == "未注明":
            return "催收人员"
        digits = self.speaker.replace("-", "").replace(" ", "").lstrip("+")
        return f"号码{self.speaker}" if digits.isdigit() else self.speaker

    @property
    def when_zh(self) -> str:
        """Formal date-time (``2026年5月3日22时41分``) plus the offset inside a call."""
        base = self.time_zh or "（时间未注明）"
        return f"{base}（通话录音{self.offset}处）" if self.offset else base

    @property
    def detector(self) -> str:
        """``规则: rule_id`` / ``模型`` — who raised it."""
        src = SOURCE_ZH.get(self.source, self.source)
        return f"{src}：{self.rule_id}" if self.rule_id else src

    @property
    def when(self) -> str:
        """Time plus the offset inside a call, when there is one."""
        return f"{self.time}（通话 {self.offset}）" if self.offset else self.time


@dataclass
class TimelineRow:
    """One event of the case in time order."""

    time: str
    kind: str
    channel: str
    speaker: str
    summary: str
    labels: list[str]
    evidence_no: int


@dataclass
class EvidenceRow:
    """One attachment: what it is and the SHA-256 of the bytes as received."""

    no: int
    kind: str
    kind_zh: str
    filename: str
    description: str
    sha256: str
    size: int
    received_at: str
    media_type: str


@dataclass
class ContactStats:
    """Frequency figures of one contact log, with the rule thresholds applied and a per-day table."""

    evidence_no: int
    figures: list[tuple[str, str, Any]]
    per_day: list[list[Any]] = field(default_factory=list)
    per_day_header: list[str] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)
    quiet_window: str = "22:00–08:00"
    tz: str = ""


@dataclass
class Facts:
    """What the case is about: the user's own facts plus what was extracted from the texts."""

    platform: str
    lender: str
    lender_type: str
    lender_type_zh: str
    region: str
    loan: list[tuple[str, str]]
    borrower: list[tuple[str, str]]
    borrower_name: str
    borrower_phone: str
    phones: list[FactHit]
    organisations: list[FactHit]
    identities: list[FactHit]
    amounts: list[FactHit]
    dates: list[FactHit]
    illegal_debt: bool = False
    harm: str = ""
    requests: str = ""


@dataclass
class Report:
    """The evidence report of one case."""

    case_id: str
    title: str
    generated_at: str
    timezone: str
    period: str
    facts: Facts
    label_counts: list[tuple[str, str, int]]
    findings: list[FindingRow]
    timeline: list[TimelineRow]
    contact_stats: list[ContactStats]
    evidence: list[EvidenceRow]
    manifest: str
    manifest_sha256: str
    legal: list[Citation]
    notes: list[str]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict."""
        return asdict(self)


def formal_citation(instrument: str, article: str, title: str) -> str:
    """Citation in the register of a letter to an authority: ``《中华人民共和国刑法》第二百九十三条（寻衅滋事罪）``."""
    if "《" not in instrument:
        name, sep, rest = instrument.partition("（")
        instrument = f"《{name.strip()}》{sep}{rest}"
    if article.startswith("第"):
        return f"{instrument}{article}（{title}）"
    return f"{instrument}关于{title}的规定"


def short_citation(instrument: str, article: str) -> str:
    """Compact form for table cells: ``刑法第二百九十三条``, ``GB/T 45251-2025《…》``."""
    name = instrument.replace("中华人民共和国", "")
    return f"{name}{article}" if article.startswith("第") else name


def citation_of(basis_id: str) -> Citation | None:
    """The printed form of one catalog id (None for an id the catalog does not know)."""
    basis = load_catalog().instruments.get(basis_id)
    if basis is None:
        return None
    return Citation(id=basis.id, citation=basis.citation, instrument=basis.instrument, article=basis.article,
                    title=basis.title, summary=basis.summary, verify=basis.verify,
                    formal=formal_citation(basis.instrument, basis.article, basis.title),
                    short=short_citation(basis.instrument, basis.article))


def citations(ids: list[str]) -> list[Citation]:
    """Citations for ids, unknown ids skipped, order kept."""
    return [c for c in (citation_of(i) for i in ids) if c is not None]


_EXT = {"application/json": "json", "text/plain": "txt", "text/csv": "csv", "application/x-subrip": "srt",
        "text/vtt": "vtt", "image/png": "png", "image/jpeg": "jpg", "image/webp": "webp", "image/gif": "gif"}


def evidence_filename(item: EvidenceItem) -> str:
    """The attachment's file name in the evidence package: ``001-message.json``, ``002-录音.txt`` …"""
    if item.filename:
        safe = "".join(ch for ch in item.filename if ch not in '/\\:*?"<>|\0').strip() or item.kind
        return f"{item.seq:03d}-{safe}"
    return f"{item.seq:03d}-{item.kind}.{_EXT.get(item.media_type.split(';')[0], 'bin')}"


def manifest_text(items: list[EvidenceItem]) -> str:
    """``SHA256SUMS``-style lines (``sha256sum -c`` checks them against the package's files)."""
    return "".join(f"{it.sha256}  {evidence_filename(it)}\n" for it in items)


def _fmt(dt: datetime | None, tz: Any) -> str:
    return dt.astimezone(tz).strftime(TIME_FORMAT) if dt else "未注明"


def date_zh(dt: datetime) -> str:
    """``2026年5月3日``."""
    return f"{dt.year}年{dt.month}月{dt.day}日"


def _fmt_zh(dt: datetime | None, tz: Any) -> str:
    if dt is None:
        return ""
    local = dt.astimezone(tz)
    return f"{date_zh(local)}{local.hour}时{local.minute:02d}分"


def _finding_row(no: int, f: CaseFinding, tz: Any) -> FindingRow:
    return FindingRow(no=no, time=_fmt(f.time, tz), offset=f.offset, channel=CHANNEL_ZH.get(f.channel, f.channel or ""),
                      speaker=f.speaker or "未注明", quote=f.quote, label=f.label,
                      label_zh=LABEL_ZH.get(f.label, f.label),
                      source=f.source, rule_id=f.rule_id, confidence=round(f.confidence, 2),
                      legal_basis=citations(f.legal_basis), explanation=f.explanation, evidence_no=f.evidence_seq,
                      severity=f.severity, time_zh=_fmt_zh(f.time, tz), kind=f.kind)


def _describe(item: EvidenceItem, tz: Any) -> str:
    meta = item.meta or {}
    parts = [CHANNEL_ZH.get(meta.get("channel"), KIND_ZH.get(item.kind, item.kind)) if item.kind == "message"
             else KIND_ZH.get(item.kind, item.kind)]
    if meta.get("time"):
        parts.append(str(meta["time"]))
    if meta.get("from"):
        parts.append(f"来自 {meta['from']}")
    if item.filename:
        parts.append(f"文件 {item.filename}")
    if item.kind == "contacts" and meta.get("count") is not None:
        parts.append(f"{meta['count']} 条")
    return "，".join(parts)


def _excerpt(text: str | None, limit: int = 80) -> str:
    if not text:
        return ""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _contact_stats(seq: int, detail: dict[str, Any]) -> ContactStats:
    order = ["n_contacts", *STAT_ZH]
    numeric = {k: v for k, v in detail.items() if isinstance(v, int | float) and not isinstance(v, bool)}
    if not numeric.get("ignored_outbound"):
        numeric.pop("ignored_outbound", None)
    keys = sorted(numeric, key=lambda k: order.index(k) if k in order else len(order))
    figures = [(k, STAT_ZH.get(k, k), numeric[k]) for k in keys]
    per_day_raw = detail.get("per_day") if isinstance(detail.get("per_day"), list) else []
    per_day = [[d.get(key, "") for key, _ in PER_DAY_COLUMNS] for d in per_day_raw if isinstance(d, dict)]
    rules: list[str] = []
    settings = detail.get("settings")
    if isinstance(settings, dict):
        for key, val in settings.items():
            if isinstance(val, dict):
                source = f"（{val['source']}）" if val.get("source") else ""
                rules.append(f"{SETTING_ZH.get(key, key)} {val.get('value')}{source}")
            else:
                rules.append(f"{SETTING_ZH.get(key, key)} {val}")
    return ContactStats(evidence_no=seq, figures=figures, per_day=per_day,
                        per_day_header=[zh for _, zh in PER_DAY_COLUMNS], rules=rules,
                        quiet_window=str(detail.get("quiet_window") or "22:00–08:00"), tz=str(detail.get("tz") or ""))


def _contact_days(it: Any, tz: Any) -> list[tuple[Any, TimelineRow]]:
    """One timeline row per local day of a contact log."""
    out = []
    by_day: dict[str, set[str]] = {}
    for f in it.findings:
        if f.time is not None:
            by_day.setdefault(f.time.astimezone(tz).date().isoformat(), set()).add(LABEL_ZH.get(f.label, f.label))
    for d in it.detail.get("per_day") or []:
        if not isinstance(d, dict) or not d.get("date"):
            continue
        try:
            day = datetime.fromisoformat(str(d["date"])).replace(tzinfo=tz)
        except ValueError:
            continue
        summary = (f"当日联系 {d.get('contacts', 0)} 次（电话 {d.get('calls', 0)}，"
                   f"其中接通 {d.get('connected_calls', 0)}；短信 {d.get('sms', 0)}；"
                   f"夜间 {d.get('night_contacts', 0)}；号码 {d.get('distinct_numbers', 0)} 个）")
        out.append((day, TimelineRow(time=day.strftime("%Y-%m-%d"), kind="通话/短信记录", channel="通话记录",
                                     speaker="", summary=summary, labels=sorted(by_day.get(day.date().isoformat(), [])),
                                     evidence_no=it.item.seq)))
    return out


def _timeline(analysis: CaseAnalysis) -> list[TimelineRow]:
    tz = analysis.tz
    rows: list[tuple[Any, TimelineRow]] = []
    for it in analysis.items:
        meta = it.item.meta or {}
        labels = [LABEL_ZH[x] for x in it.labels if x in VIOLATION_LABELS]
        if it.item.kind == "contacts" and not it.error:
            rows += _contact_days(it, tz)
            continue
        if it.item.kind == "contacts":
            summary, channel, speaker = "", "通话记录", ""
        elif it.item.kind == "transcript":
            n = len(it.detail.get("turns", []))
            summary = f"通话录音转写（{n} 轮）" + (f"：{_excerpt(it.text, 60)}" if it.text else "")
            channel, speaker = "电话", meta.get("from") or ""
        else:
            summary = _excerpt(it.text)
            channel = CHANNEL_ZH.get(meta.get("channel"), "截图" if it.item.kind == "screenshot" else "未注明")
            speaker = meta.get("from") or ""
        if it.error:
            summary = f"（无法分析：{it.error}）"
        rows.append((it.time, TimelineRow(time=_fmt(it.time, tz), kind=KIND_ZH.get(it.item.kind, it.item.kind),
                                          channel=channel, speaker=speaker, summary=summary, labels=labels,
                                          evidence_no=it.item.seq)))
    rows.sort(key=lambda r: (r[0] is None, r[0].timestamp() if r[0] else 0, r[1].evidence_no))
    return [r for _, r in rows]


def _facts(analysis: CaseAnalysis) -> Facts:
    case = analysis.case
    facts = case.facts or {}
    texts = [(it.item.seq, it.text) for it in analysis.items if it.text]
    numbers = [(it.item.seq, str(it.item.meta.get("from"))) for it in analysis.items
               if it.item.meta and it.item.meta.get("from") and it.item.kind != "transcript"]
    for it in analysis.contact_logs:
        for n in (it.item.meta or {}).get("numbers", []):
            numbers.append((it.item.seq, str(n)))
    gathered = gather_facts(texts, numbers)
    loan = facts.get("loan") or {}
    borrower = facts.get("borrower") or {}
    lender_type = facts.get("lender_type") or ""
    return Facts(
        platform=case.platform or "", lender=facts.get("lender") or "", lender_type=lender_type,
        lender_type_zh=LENDER_TYPE_ZH.get(lender_type, ""), region=facts.get("region") or "",
        loan=[(LOAN_FIELDS_ZH.get(k, k), str(v)) for k, v in loan.items() if v not in (None, "")],
        borrower=[(BORROWER_FIELDS_ZH.get(k, k), str(v)) for k, v in borrower.items() if v not in (None, "")],
        borrower_name=borrower.get("name") or "", borrower_phone=borrower.get("phone") or "",
        phones=gathered.phones, organisations=gathered.organisations, identities=gathered.identities,
        amounts=gathered.amounts, dates=gathered.dates, illegal_debt=bool(facts.get("illegal_debt")),
        harm=facts.get("harm") or "", requests=facts.get("requests") or "")


def _period(analysis: CaseAnalysis) -> str:
    times = sorted(t for t in [it.time for it in analysis.items] + [f.time for f in analysis.findings] if t)
    if not times:
        return ""
    first, last = times[0].astimezone(analysis.tz), times[-1].astimezone(analysis.tz)
    return date_zh(first) if first.date() == last.date() else f"{date_zh(first)}至{date_zh(last)}"


def build_report(analysis: CaseAnalysis, now: datetime | None = None) -> Report:
    """Assemble the report of a case from its analysis."""
    tz = analysis.tz
    case = analysis.case
    findings = [_finding_row(i, f, tz) for i, f in enumerate(analysis.findings, start=1)]
    counts = {label: sum(1 for f in findings if f.label == label) for label in VIOLATION_LABELS}
    cited: list[str] = []
    for f in findings:
        for c in f.legal_basis:
            if c.id not in cited:
                cited.append(c.id)
    evidence = [EvidenceRow(no=it.seq, kind=it.kind, kind_zh=KIND_ZH.get(it.kind, it.kind),
                            filename=evidence_filename(it), description=_describe(it, tz), sha256=it.sha256,
                            size=it.size, received_at=_fmt(it.received_at, tz) + f" ({tz.key})",
                            media_type=it.media_type) for it in case.items]
    manifest = manifest_text(list(case.items))
    notes = [f"附件{it.item.seq}未能分析：{it.error}" for it in analysis.items if it.error]
    if any(c.verify for c in citations(cited)):
        notes.append("标注“待核实”的法规条款编号或措辞，提交前请以官方文本为准。")
    generated = (now or utcnow()).astimezone(tz)
    platform = case.platform or "未注明平台"
    return Report(
        case_id=case.id, title=f"催收违规行为证据报告（{platform}）", generated_at=generated.strftime(TIME_FORMAT),
        timezone=tz.key, period=_period(analysis), facts=_facts(analysis),
        label_counts=[(k, LABEL_ZH[k], v) for k, v in counts.items() if v],
        findings=findings, timeline=_timeline(analysis),
        contact_stats=[_contact_stats(it.item.seq, it.detail) for it in analysis.contact_logs],
        evidence=evidence, manifest=manifest, manifest_sha256=hashlib.sha256(manifest.encode()).hexdigest(),
        legal=citations(cited), notes=notes)
