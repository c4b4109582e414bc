"""Ablation table: rules only, model from scratch, model with our pretraining, and the fused system.

    python -m classifier.ablation --scratch DIR [--pretrained classifier/artifacts/default]

Each model directory is an exported artifact (model.onnx + thresholds.json). Model-only rows use the
artifact's dev-tuned model thresholds; the fused row uses the shipped fusion policy. Prints a table per
split and writes ``ablation.json`` next to the pretrained artifact.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from classifier.args import ARTIFACTS, DATA_DIR
from classifier.data import load_split
from classifier.evaluate import evaluate_split
from classifier.metrics import evaluate_sets
from classifier.predict import Predictor
from rules.findings import VIOLATION_LABELS

SPLITS = ("dev", "test", "heldout_test")


def model_only(model_dir: Path, split: str, data_dir: Path) -> dict:
    """Metrics of one model alone on a split."""
    data = load_split(data_dir, split)
    predictor = Predictor(model_dir)
    probs = predictor.probs_batched(data.texts)
    pred = [[lab for lab, p in zip(VIOLATION_LABELS, row, strict=True) if p >= predictor.model_thresholds[lab]]
            or ["compliant"] for row in probs]
    return evaluate_sets(data.labels, pred)


def main() -> None:
    """Build and print the table."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scratch", type=Path, required=True, help="artifact trained without pretraining")
    ap.add_argument("--pretrained", type=Path, default=ARTIFACTS / "default")
    ap.add_argument("--data-dir", type=Path, default=DATA_DIR)
    args = ap.parse_args()
    table: dict = {}
    for split in SPLITS:
        shipped = evaluate_split(split, args.data_dir, args.pretrained)
        table[split] = {"rules_only": shipped["rules_only"],
                        "model_scratch": model_only(args.scratch, split, args.data_dir),
                        "model_pretrained": shipped["model_only"],
                        "fused": shipped["fused"]}
    (args.pretrained / "ablation.json").write_text(json.dumps(table, ensure_ascii=False, indent=2), encoding="utf-8")
    for split, rows in table.items():
        print(f"\n{split}: macro-F1 / lawful FPR / per-label F1")
        print(f"{'system':18s} {'macro-F1':>8s} {'FPR':>6s}  " + " ".join(lab[:6] for lab in VIOLATION_LABELS))
        for name, m in rows.items():
            f1s = " ".join(f"{m['per_label'][lab]['f1']:.2f}".rjust(6) for lab in VIOLATION_LABELS)
            print(f"{name:18s} {m['macro_f1']:8.3f} {m['lawful_fpr']:6.3f}  {f1s}")


if __name__ == "__main__":
    main()
