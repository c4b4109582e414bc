"""Multi-label metrics: per-label precision/recall/F1, macro-F1 and the lawful false-positive rate."""

from __future__ import annotations

from rules.findings import VIOLATION_LABELS


def evaluate_sets(gold: list[list[str]], pred: list[list[str]]) -> dict:
    """Compare label sets item by item; ``compliant`` is the absence of violation labels."""
    per_label = {}
    f1s = []
    for label in VIOLATION_LABELS:
        tp = sum(label in g and label in p for g, p in zip(gold, pred, strict=True))
        fp = sum(label not in g and label in p for g, p in zip(gold, pred, strict=True))
        fn = sum(label in g and label not in p for g, p in zip(gold, pred, strict=True))
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        per_label[label] = {"precision": round(prec, 4), "recall": round(rec, 4), "f1": round(f1, 4),
                            "support": tp + fn}
        f1s.append(f1)
    lawful = [p for g, p in zip(gold, pred, strict=True) if g == ["compliant"]]
    flagged = sum(any(x in VIOLATION_LABELS for x in p) for p in lawful)
    exact = sum(sorted(set(g)) == sorted(set(p)) for g, p in zip(gold, pred, strict=True))
    return {"macro_f1": round(sum(f1s) / len(f1s), 4),
            "lawful_fpr": round(flagged / len(lawful), 4) if lawful else 0.0,
            "lawful_items": len(lawful), "items": len(gold), "exact_match": round(exact / max(1, len(gold)), 4),
            "per_label": per_label}


def best_threshold(scores: list[float], gold: list[bool], base: list[bool] | None = None) -> tuple[float, float]:
    """Threshold in 0.05..0.95 maximizing F1 of ``base OR score ≥ t`` (base: rule hits, or none)."""
    base = base or [False] * len(scores)
    best_t, best_f1 = 0.5, -1.0
    for k in range(5, 96, 5):
        t = k / 100
        pred = [b or s >= t for s, b in zip(scores, base, strict=True)]
        tp = sum(p and g for p, g in zip(pred, gold, strict=True))
        fp = sum(p and not g for p, g in zip(pred, gold, strict=True))
        fn = sum(g and not p for p, g in zip(pred, gold, strict=True))
        f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        if f1 > best_f1 + 1e-9:
            best_t, best_f1 = t, f1
    return best_t, best_f1
