"""Evaluate the committed system on a dataset split: rules only, model only, fused (as shipped)."""

from __future__ import annotations

from pathlib import Path

from classifier.data import load_split
from classifier.metrics import evaluate_sets
from classifier.predict import Predictor
from rules.findings import VIOLATION_LABELS


def evaluate_split(split: str, data_dir: Path, model_dir: Path) -> dict:
    """Metrics of the three systems on ``split`` using the ONNX artifact in ``model_dir``."""
    from rules.engine import get_engine
    from service.fuse import fuse

    data = load_split(data_dir, split)
    predictor = Predictor(model_dir)
    probs = predictor.probs_batched(data.texts)
    engine = get_engine()
    rules_pred, model_pred, fused_pred = [], [], []
    for text, row in zip(data.texts, probs, strict=True):
        findings = engine.scan(text).findings
        rules_pred.append(sorted({f.label for f in findings}) or ["compliant"])
        model_pred.append([lab for lab, p in zip(VIOLATION_LABELS, row, strict=True)
                           if p >= predictor.model_thresholds[lab]] or ["compliant"])
        scores = {lab: float(p) for lab, p in zip(VIOLATION_LABELS, row, strict=True)}
        model_findings = predictor.localize(text, scores, skip=frozenset(f.label for f in findings))
        fused_pred.append(fuse(findings, scores, model_findings, predictor.policy)[0])
    return {"rules_only": evaluate_sets(data.labels, rules_pred),
            "model_only": evaluate_sets(data.labels, model_pred),
            "fused": evaluate_sets(data.labels, fused_pred)}
