"""Analyse a whole case: every evidence item through the pipeline, findings placed in time.

Messages and screenshot texts go through `analyze_findings` with the message's local date as ``when`` (so a
finding cites the law in force on that day); transcripts through `analyze_transcript`; contact logs through
`analyze_contacts`. The result is the raw material of every document (`service.reports.model`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from rules.findings import VIOLATION_LABELS
from rules.legal import load_catalog
from service.pipeline import analyze_findings
from service.store import Case, EvidenceItem

ILLEGAL_DEBT_BASIS = "cl_293_1"


@dataclass
class CaseFinding:
    """One finding placed in the case: which item, when, through which channel, said by whom."""

    evidence_seq: int
    kind: str
    label: str
    quote: str
    source: str
    rule_id: str
    confidence: float
    legal_basis: list[str]
    explanation: str = ""
    time: datetime | None = None
    offset: str | None = None
    channel: str | None = None
    speaker: str | None = None
    severity: str = "medium"


@dataclass
class ItemAnalysis:
    """What one evidence item yielded: its text (when it has one), labels, findings, or an error."""

    item: EvidenceItem
    time: datetime | None
    text: str | None
    labels: list[str]
    findings: list[CaseFinding]
    detail: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


@dataclass
class CaseAnalysis:
    """All items of a case analysed, in evidence order."""

    case: Case
    tz: ZoneInfo
    items: list[ItemAnalysis]

    @property
    def findings(self) -> list[CaseFinding]:
        """Every finding, ordered by time (undated last), then evidence order."""
        out = [f for it in self.items for f in it.findings]
        return sorted(out, key=lambda f: (f.time is None, f.time or datetime.min.replace(tzinfo=self.tz),
                                          f.evidence_seq))

    @property
    def labels(self) -> list[str]:
        """Violation labels found anywhere in the case, in taxonomy order."""
        present = {f.label for f in self.findings}
        return [x for x in VIOLATION_LABELS if x in present]

    @property
    def contact_logs(self) -> list[ItemAnalysis]:
        """The analysed contact logs."""
        return [it for it in self.items if it.item.kind == "contacts" and it.error is None]


def parse_time(value: str | None, tz: ZoneInfo) -> datetime | None:
    """ISO-8601 → aware datetime in ``tz`` (a time without offset is read as ``tz`` local time); None if unreadable."""
    if not value:
        return None
    try:
        dt = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return dt.replace(tzinfo=tz) if dt.tzinfo is None else dt.astimezone(tz)


def _bases(ids: list[str], label: str, case_attrs: frozenset[str]) -> list[str]:
    """Add the illegal-debt offence when the case says the debt itself is illegal."""
    if "illegal_debt" in case_attrs and ILLEGAL_DEBT_BASIS not in ids:
        basis = load_catalog().instruments.get(ILLEGAL_DEBT_BASIS)
        if basis is not None and label in basis.labels:
            return [ILLEGAL_DEBT_BASIS, *ids]
    return list(ids)


def case_attributes(case: Case) -> frozenset[str]:
    """Case-level attributes the legal catalog conditions on (``illegal_debt``)."""
    return frozenset({"illegal_debt"} if (case.facts or {}).get("illegal_debt") else set())


def _analyze_text(item: EvidenceItem, text: str, when_dt: datetime | None, attrs: frozenset[str],
                  use_model: bool) -> ItemAnalysis:
    meta = item.meta or {}
    channel = meta.get("channel")
    when: date | None = when_dt.date() if when_dt else None
    result = analyze_findings(text, channel, use_model=use_model, when=when)
    findings = [CaseFinding(evidence_seq=item.seq, kind=item.kind, label=f.label, quote=f.quote, source=f.source,
                            rule_id=f.rule_id, confidence=float(f.confidence),
                            legal_basis=_bases(list(f.legal_basis), f.label, attrs), explanation=f.explanation,
                            time=when_dt, channel=channel, speaker=meta.get("from"), severity=f.severity)
                for f in result["findings"]]
    return ItemAnalysis(item, when_dt, text, result["labels"], findings)


def _analyze_transcript(item: EvidenceItem, when_dt: datetime | None, attrs: frozenset[str],
                        use_model: bool) -> ItemAnalysis:
    from service.transcript import analyze_transcript

    meta = item.meta or {}
    result = analyze_transcript(item.content, meta.get("format") or "auto", meta.get("collector"),
                                use_model=use_model, when=when_dt.date() if when_dt else None)
    findings: list[CaseFinding] = []
    for turn in result.get("turns", []):
        for f in turn.get("findings", []):
            findings.append(CaseFinding(
                evidence_seq=item.seq, kind=item.kind, label=f["label"], quote=f["quote"], source=f["source"],
                rule_id=f["rule_id"], confidence=float(f["confidence"]),
                legal_basis=_bases(list(f.get("legal_basis", [])), f["label"], attrs),
                explanation=f.get("explanation", ""), time=when_dt, offset=turn.get("time"),
                channel="call", speaker=turn.get("speaker"), severity=f.get("severity", "medium")))
    text = "\n".join(f"{t.get('speaker')}：{t.get('text')}" for t in result.get("turns", []))
    return ItemAnalysis(item, when_dt, text, result.get("labels", []), findings, detail=result)


def _analyze_contacts(item: EvidenceItem, tz: ZoneInfo, attrs: frozenset[str]) -> ItemAnalysis:
    from service.contact_log import analyze_contacts

    result = analyze_contacts(item.content, tz=tz.key)
    findings: list[CaseFinding] = []
    for f in result.get("findings", []):
        label = f.get("label", "harassment_frequency")
        findings.append(CaseFinding(
            evidence_seq=item.seq, kind=item.kind, label=label,
            quote=f.get("quote") or f.get("explanation") or f.get("rule_id", ""), source=f.get("source", "rule"),
            rule_id=f.get("rule_id", ""), confidence=float(f.get("confidence", 1.0)),
            legal_basis=_bases(list(f.get("legal_basis", [])), label, attrs), explanation=f.get("explanation", ""),
            time=parse_time(f.get("time") or f.get("start") or f.get("date"), tz), channel="contact_log",
            speaker=f.get("speaker") or f.get("from"),
            severity=f.get("severity", "medium")))
    labels = sorted({f.label for f in findings}) or ["compliant"]
    return ItemAnalysis(item, None, None, labels, findings, detail=result)


def analyze_item(item: EvidenceItem, tz: ZoneInfo, attrs: frozenset[str] = frozenset(),
                 use_model: bool = True) -> ItemAnalysis:
    """Analyse one stored evidence item; a failure is recorded on the result rather than raised."""
    meta = item.meta or {}
    when_dt = parse_time(meta.get("time"), tz)
    try:
        if item.kind == "transcript":
            return _analyze_transcript(item, when_dt, attrs, use_model)
        if item.kind == "contacts":
            return _analyze_contacts(item, tz, attrs)
        if item.kind == "message":
            text = json.loads(item.content.decode("utf-8"))["text"]
        else:
            text = meta.get("text") or ""
        return _analyze_text(item, text, when_dt, attrs, use_model)
    except (ValueError, KeyError, ImportError) as exc:
        return ItemAnalysis(item, when_dt, None, [], [], error=f"{type(exc).__name__}: {exc}")


def analyze_case(case: Case, tz_name: str = "Asia/Shanghai", use_model: bool = True) -> CaseAnalysis:
    """Run every evidence item of ``case`` through its analyser."""
    tz = ZoneInfo(tz_name)
    attrs = case_attributes(case)
    return CaseAnalysis(case, tz, [analyze_item(it, tz, attrs, use_model) for it in case.items])
