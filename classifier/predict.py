"""Inference with the committed ONNX int8 model (onnxruntime only; no torch needed).

`Predictor.scores` gives the model's probability per violation label; `Predictor.localize` points a model
finding at the clause that scores highest for a label, so every model finding quotes a span.
"""

from __future__ import annotations

import json
import os
import re
from datetime import date
from functools import lru_cache
from pathlib import Path

import numpy as np

from classifier.args import ARTIFACTS
from classifier.tokenizer import CharTokenizer
from rules.findings import Finding
from rules.legal import load_catalog
from service.fuse import FusionPolicy

DEFAULT_ARTIFACT = ARTIFACTS / "default"
MAX_WINDOWS = 256  # long texts: at most this many model windows are scored
_CLAUSE = re.compile(r"[^。！？；!?;\n，,]+[。！？；!?;\n，,]*")


class Predictor:
    """A loaded classifier artifact: model.onnx, vocab.txt, labels.json, thresholds.json, metrics.json."""

    def __init__(self, artifact_dir: Path, threads: int | None = None) -> None:
        import onnxruntime as ort

        self.artifact_dir = Path(artifact_dir)
        self.labels: list[str] = json.loads((self.artifact_dir / "labels.json").read_text(encoding="utf-8"))
        thresholds = json.loads((self.artifact_dir / "thresholds.json").read_text(encoding="utf-8"))
        self.policy = FusionPolicy(thresholds=thresholds["fused"], rule_floor=thresholds.get("rule_floor", 0.0),
                                   rule_keep_confidence=thresholds.get("rule_keep_confidence", 0.9))
        self.model_thresholds: dict[str, float] = thresholds["model"]
        self.tokenizer = CharTokenizer.load(self.artifact_dir)
        opts = ort.SessionOptions()
        default_threads = str(min(2, os.cpu_count() or 1))
        opts.intra_op_num_threads = threads or int(os.environ.get("CUISHOU_MODEL_THREADS", default_threads))
        opts.inter_op_num_threads = 1
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(str(self.artifact_dir / "model.onnx"), opts,
                                            providers=["CPUExecutionProvider"])
        self.name = self.artifact_dir.name

    def probs(self, texts: list[str], prepared: bool = False) -> np.ndarray:
        """Probabilities (n, labels) for a batch of texts (``prepared``: already in the model's view)."""
        if not texts:
            return np.zeros((0, len(self.labels)), dtype=np.float32)
        ids, mask = self.tokenizer.batch(texts, prepared=prepared)
        logits = self.session.run(["logits"], {"input_ids": ids, "attention_mask": mask})[0]
        return 1.0 / (1.0 + np.exp(-logits))

    def probs_batched(self, texts: list[str], batch_size: int = 64, prepared: bool = False) -> np.ndarray:
        """Probabilities for many texts, batched by similar length for speed."""
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), len(self.labels)), dtype=np.float32)
        for k in range(0, len(order), batch_size):
            idx = order[k: k + batch_size]
            out[idx] = self.probs([texts[i] for i in idx], prepared=prepared)
        return out

    def fits_one_window(self, prepared: str) -> bool:
        """True when a text in the model's view fits one window (else it is scored window by window)."""
        return len(prepared) <= self.tokenizer.max_length - 2

    def needs_windows(self, text: str) -> bool:
        """True when the text is longer than one model window (it is then scored window by window)."""
        return len(text) > self.tokenizer.max_length - 2 and not self.fits_one_window(self.tokenizer.prepare(text))

    def windows(self, text: str) -> list[str]:
        """Consecutive pieces of at most one model window, cut at clause ends where possible (capped)."""
        size = self.tokenizer.max_length - 2
        pieces: list[str] = []
        current = ""
        for m in _CLAUSE.finditer(text):
            clause = m.group()
            while len(clause) > size:
                pieces.append(clause[:size])
                clause = clause[size:]
            if len(current) + len(clause) > size and current:
                pieces.append(current)
                current = ""
            current += clause
            if len(pieces) >= MAX_WINDOWS:
                break
        if current and len(pieces) < MAX_WINDOWS:
            pieces.append(current)
        return pieces or [text[:size]]

    def scores(self, text: str) -> dict[str, float]:
        """The model's probability per violation label for one text (max over windows for long texts)."""
        if self.needs_windows(text):
            row = self.probs_batched(self.windows(text)).max(axis=0)
        else:
            row = self.probs([text])[0]
        return {lab: float(p) for lab, p in zip(self.labels, row, strict=True)}

    def localize(self, text: str, scores: dict[str, float], *, when: date | None = None,
                 skip: frozenset[str] = frozenset()) -> dict[str, Finding]:
        """For each label at/above its fused threshold, a model finding on the best-scoring clause."""
        wanted = [lab for lab in self.labels
                  if lab not in skip and scores.get(lab, 0.0) >= self.policy.thresholds.get(lab, 0.5)]
        if not wanted:
            return {}
        clauses = [(m.start(), m.end()) for m in _CLAUSE.finditer(text) if text[m.start():m.end()].strip()]
        clauses = clauses[:MAX_WINDOWS * 4]
        if not clauses:
            clauses = [(0, len(text))]
        clause_probs = self.probs_batched([text[s:e] for s, e in clauses]) if len(clauses) > 1 else None
        catalog = load_catalog()
        out = {}
        for lab in wanted:
            j = self.labels.index(lab)
            k = int(np.argmax(clause_probs[:, j])) if clause_probs is not None else 0
            s, e = clauses[k]
            while e > s and (text[e - 1].isspace() or text[e - 1] in "。！？；!?;，,"):
                e -= 1
            while s < e and text[s].isspace():
                s += 1
            out[lab] = Finding(
                label=lab, start=s, end=e, quote=text[s:e], source="model", rule_id=f"model:{self.name}",
                confidence=float(scores[lab]), severity="medium", legal_basis=catalog.for_label(lab, when),
                explanation=f"分类模型判定（整句得分 {scores[lab]:.2f}，该分句得分最高）",
            )
        return out


@lru_cache(maxsize=2)
def get_predictor(artifact_dir: str | None = None) -> Predictor | None:
    """The committed model (or ``CUISHOU_MODEL_DIR``); None when no artifact exists or it is disabled."""
    if os.environ.get("CUISHOU_DISABLE_MODEL") == "1":
        return None
    path = Path(artifact_dir or os.environ.get("CUISHOU_MODEL_DIR") or DEFAULT_ARTIFACT)
    if not (path / "model.onnx").exists():
        return None
    return Predictor(path)
