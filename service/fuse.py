"""Fusion: the one place where rule findings, lawful vetoes and model scores become final labels.

Policy (thresholds come from the model artifact's ``thresholds.json`` and ``fusion.json``):
- a rule finding stands on its own (rules encode the labeling guidelines and their lawful exceptions);
  when the model is confident the label is absent (score below ``rule_floor``) a rule finding whose
  confidence is below ``rule_keep_confidence`` is dropped;
- a label the rules did not raise is added when the model's score reaches that label's threshold; the
  model finding points at the clause that scores highest; when a rule also fired for that label the
  finding's source becomes ``rule+model`` and its confidence the larger of the two.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from rules.findings import VIOLATION_LABELS, Finding, labels_from_findings


@dataclass(frozen=True)
class FusionPolicy:
    """Thresholds that decide how model scores combine with rule findings."""

    thresholds: dict[str, float] = field(default_factory=dict)
    rule_floor: float = 0.0
    rule_keep_confidence: float = 0.9


def fuse(rule_findings: list[Finding], scores: dict[str, float] | None,
         model_findings: dict[str, Finding] | None = None,
         policy: FusionPolicy | None = None) -> tuple[list[str], list[Finding]]:
    """Combine detector outputs into (sorted labels, findings)."""
    policy = policy or FusionPolicy()
    if not scores:
        return labels_from_findings(rule_findings), list(rule_findings)
    model_findings = model_findings or {}
    kept: list[Finding] = []
    for f in rule_findings:
        score = scores.get(f.label)
        if score is not None and score < policy.rule_floor and f.confidence < policy.rule_keep_confidence:
            continue
        kept.append(f)
    rule_labels = {f.label for f in kept}
    out: list[Finding] = []
    for f in kept:
        score = scores.get(f.label, 0.0)
        threshold = policy.thresholds.get(f.label, 0.5)
        if score >= threshold:
            out.append(replace(f, source="rule+model", confidence=max(f.confidence, score)))
        else:
            out.append(f)
    for label in VIOLATION_LABELS:
        if label in rule_labels:
            continue
        score = scores.get(label, 0.0)
        if score >= policy.thresholds.get(label, 0.5) and label in model_findings:
            out.append(model_findings[label])
    out.sort(key=lambda f: (f.start, f.label))
    return labels_from_findings(out), out
