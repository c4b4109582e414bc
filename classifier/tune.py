"""Re-tune the fusion policy of a committed artifact on the DEV split with the current rule packs.

    python -m classifier.tune [--model-dir classifier/artifacts/default]

Rule packs change more often than the model; this refits, on dev only, the per-label model thresholds
used when no rule fired and the rule-veto floor, then records dev and test metrics of every system in
``metrics.json`` under ``current`` (test is only reported, never used for a choice).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from classifier.args import ARTIFACTS, DATA_DIR
from classifier.data import load_split
from classifier.metrics import best_threshold, evaluate_sets
from classifier.predict import Predictor
from rules.findings import VIOLATION_LABELS

FLOORS = (0.0, 0.01, 0.02, 0.05, 0.1)


def _rule_hits(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Per label: did a rule fire, and the highest confidence among its findings."""
    from rules.engine import get_engine

    engine = get_engine()
    hits = np.zeros((len(texts), len(VIOLATION_LABELS)), dtype=bool)
    conf = np.zeros((len(texts), len(VIOLATION_LABELS)), dtype=np.float32)
    for i, t in enumerate(texts):
        for f in engine.scan(t).findings:
            j = VIOLATION_LABELS.index(f.label)
            hits[i, j] = True
            conf[i, j] = max(conf[i, j], f.confidence)
    return hits, conf


def _fused(hits, conf, probs, thresholds, floor, keep) -> np.ndarray:
    kept = hits & ~((probs < floor) & (conf < keep))
    return kept | (probs >= thresholds)


def _labels(pred: np.ndarray) -> list[list[str]]:
    return [[lab for j, lab in enumerate(VIOLATION_LABELS) if row[j]] or ["compliant"] for row in pred]


def tune(model_dir: Path, data_dir: Path) -> dict:
    """Fit the policy on dev, save it into thresholds.json, return the metrics."""
    predictor = Predictor(model_dir)
    dev, test = load_split(data_dir, "dev"), load_split(data_dir, "test")
    dev_p, test_p = predictor.probs_batched(dev.texts), predictor.probs_batched(test.texts)
    (dev_h, dev_c), (test_h, test_c) = _rule_hits(dev.texts), _rule_hits(test.texts)
    best = None
    for floor in FLOORS:
        kept = dev_h & ~((dev_p < floor) & (dev_c < 0.9))
        th = np.array([best_threshold(list(dev_p[:, j]), list(dev.y[:, j] > 0), list(kept[:, j]))[0]
                       for j in range(len(VIOLATION_LABELS))])
        score = evaluate_sets(dev.labels, _labels(_fused(dev_h, dev_c, dev_p, th, floor, 0.9)))
        key = (score["macro_f1"] - score["lawful_fpr"], -floor)
        if best is None or key > best[0]:
            best = (key, floor, th)
    _, floor, th = best
    model_th = np.array([predictor.model_thresholds[lab] for lab in VIOLATION_LABELS])
    metrics = {}
    for name, split, probs, hits, conf in (("dev", dev, dev_p, dev_h, dev_c), ("test", test, test_p, test_h, test_c)):
        metrics[name] = {
            "rules_only": evaluate_sets(split.labels, _labels(hits)),
            "model_only": evaluate_sets(split.labels, _labels(probs >= model_th)),
            "fused": evaluate_sets(split.labels, _labels(_fused(hits, conf, probs, th, floor, 0.9))),
        }
    thresholds_path = Path(model_dir) / "thresholds.json"
    data = json.loads(thresholds_path.read_text(encoding="utf-8"))
    data["fused"] = {lab: float(t) for lab, t in zip(VIOLATION_LABELS, th, strict=True)}
    data["rule_floor"] = floor
    data["rule_keep_confidence"] = 0.9
    thresholds_path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    metrics_path = Path(model_dir) / "metrics.json"
    all_metrics = json.loads(metrics_path.read_text(encoding="utf-8"))
    all_metrics["current"] = metrics
    metrics_path.write_text(json.dumps(all_metrics, ensure_ascii=False, indent=2), encoding="utf-8")
    return metrics


def main() -> None:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model-dir", type=Path, default=ARTIFACTS / "default")
    ap.add_argument("--data-dir", type=Path, default=DATA_DIR)
    args = ap.parse_args()
    metrics = tune(args.model_dir, args.data_dir)
    for split in ("dev", "test"):
        for system, m in metrics[split].items():
            print(f"{split:4s} {system:11s} macro-F1 {m['macro_f1']:.3f}  lawful FPR {m['lawful_fpr']:.3f}")


if __name__ == "__main__":
    main()
