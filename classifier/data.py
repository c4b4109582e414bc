"""Load the built dataset splits (datasets/build/*.jsonl) as texts and multi-hot label arrays."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rules.findings import VIOLATION_LABELS


@dataclass
class Split:
    """Texts, gold label lists and a multi-hot matrix over the nine violation labels."""

    texts: list[str]
    labels: list[list[str]]
    channels: list[str | None]

    @property
    def y(self) -> np.ndarray:
        """Multi-hot targets, shape (n, 9)."""
        return np.array([[lab in ls for lab in VIOLATION_LABELS] for ls in self.labels], dtype=np.float32)

    def head(self, n: int | None) -> Split:
        """The first ``n`` items (all when None)."""
        if n is None:
            return self
        return Split(self.texts[:n], self.labels[:n], self.channels[:n])


def load_split(data_dir: Path, name: str) -> Split:
    """Read one split file; raises FileNotFoundError with the rebuild command when missing."""
    path = Path(data_dir) / f"{name}.jsonl"
    if not path.exists():
        raise FileNotFoundError(f"{path} not found; build the dataset first: python datasets/build.py")
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return Split([r["text"] for r in rows], [r["labels"] for r in rows], [r.get("channel") for r in rows])
