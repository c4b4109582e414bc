"""The shared result types: every detector yields `Finding`s, every report renders them."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

VIOLATION_LABELS: tuple[str, ...] = (
    "threat_violence",
    "insult_abuse",
    "third_party_contact",
    "privacy_exposure",
    "impersonation_false_authority",
    "home_visit_stalking",
    "harassment_frequency",
    "illegal_fees",
    "suspicious_payment",
)
COMPLIANT = "compliant"
ALL_LABELS: tuple[str, ...] = (*VIOLATION_LABELS, COMPLIANT)

LABEL_ZH: dict[str, str] = {
    "threat_violence": "暴力威胁/恐吓",
    "insult_abuse": "侮辱谩骂",
    "third_party_contact": "骚扰第三方",
    "privacy_exposure": "曝光隐私",
    "impersonation_false_authority": "冒充公检法/虚假陈述",
    "home_visit_stalking": "上门恐吓/跟踪",
    "harassment_frequency": "频繁骚扰/不当时间",
    "illegal_fees": "不当收费/以贷还贷",
    "suspicious_payment": "可疑收款/疑似诈骗",
    "compliant": "合规",
}

SEVERITIES: tuple[str, ...] = ("low", "medium", "high")
CHANNELS: tuple[str, ...] = ("sms", "wechat", "call_utterance")


@dataclass(slots=True)
class Finding:
    """One violation located in the original text, with the reason it was raised."""

    label: str
    start: int
    end: int
    quote: str
    source: str  # "rule" | "model" | "rule+model"
    rule_id: str
    confidence: float
    severity: str = "medium"
    legal_basis: list[str] = field(default_factory=list)
    explanation: str = ""
    matched_form: str = ""
    speaker: str | None = None
    turn: int | None = None
    time: float | str | None = None

    def to_dict(self, verbose: bool = True) -> dict[str, Any]:
        """The CONTRACT's finding object; extra fields only when known (and `verbose`)."""
        d = asdict(self)
        d["confidence"] = round(float(self.confidence), 4)
        if not verbose:
            for key in ("explanation", "matched_form"):
                d.pop(key)
        for key in ("speaker", "turn", "time"):
            if d[key] is None:
                d.pop(key)
        return d


def labels_from_findings(findings: list[Finding]) -> list[str]:
    """Sorted violation labels present in ``findings``, or ``["compliant"]``."""
    labels = sorted({f.label for f in findings if f.label in VIOLATION_LABELS})
    return labels or [COMPLIANT]
