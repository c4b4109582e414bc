"""A character-level tokenizer for Chinese, saved in transformers' BERT format (vocab.txt).

Text is first put through the rule engine's normalization (width, traditional→simplified, separators
removed), so the model sees the same evasion-free view as the rules. Each character is one token.
A vocab.txt from any Chinese BERT checkpoint (e.g. bert-base-chinese) loads too: CJK characters are
single tokens there as well.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from rules.normalize import normalize

PAD, UNK, CLS, SEP, MASK = "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"
SPECIAL = (PAD, UNK, CLS, SEP, MASK)


class CharTokenizer:
    """Maps normalized characters to ids; ``[CLS] chars [SEP]`` truncated to ``max_length``."""

    def __init__(self, vocab: list[str], max_length: int = 128) -> None:
        self.vocab = vocab
        self.index = {tok: i for i, tok in enumerate(vocab)}
        self.max_length = max_length
        self.pad_id, self.unk_id = self.index[PAD], self.index[UNK]
        self.cls_id, self.sep_id, self.mask_id = self.index[CLS], self.index[SEP], self.index[MASK]

    @staticmethod
    def prepare(text: str) -> str:
        """The model's view of a text: the normalized ``norm`` view with whitespace dropped."""
        return CharTokenizer.from_norm(normalize(text).norm)

    @staticmethod
    def from_norm(norm: str) -> str:
        """The model's view from an already normalized ``norm`` view (whitespace dropped)."""
        return "".join(norm.split())

    @classmethod
    def build(cls, texts: Iterable[str], min_freq: int = 3, max_size: int = 7000,
              max_length: int = 128) -> CharTokenizer:
        """Build a vocabulary from the most frequent characters of ``texts``."""
        counts: Counter = Counter()
        for t in texts:
            counts.update(cls.prepare(t))
        chars = [c for c, n in counts.most_common() if n >= min_freq and c not in SPECIAL][: max_size - len(SPECIAL)]
        return cls([*SPECIAL, *sorted(chars)], max_length)

    @classmethod
    def load(cls, directory: Path, max_length: int = 128) -> CharTokenizer:
        """Load ``vocab.txt`` (ours or a BERT checkpoint's)."""
        vocab = (Path(directory) / "vocab.txt").read_text(encoding="utf-8").split("\n")
        if vocab and vocab[-1] == "":
            vocab = vocab[:-1]
        return cls(vocab, max_length)

    def save(self, directory: Path) -> None:
        """Write vocab.txt and a tokenizer_config.json that transformers' BertTokenizer understands."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "vocab.txt").write_text("\n".join(self.vocab) + "\n", encoding="utf-8")
        config = {"tokenizer_class": "BertTokenizer", "do_lower_case": True, "tokenize_chinese_chars": True,
                  "model_max_length": self.max_length, "note": "cuishou-guard character vocabulary"}
        (directory / "tokenizer_config.json").write_text(json.dumps(config, ensure_ascii=False, indent=2),
                                                         encoding="utf-8")

    def encode(self, text: str, prepared: bool = False) -> list[int]:
        """Token ids for one text, with [CLS]/[SEP], truncated."""
        chars = text if prepared else self.prepare(text)
        get = self.index.get
        ids = [get(c, self.unk_id) for c in chars[: self.max_length - 2]]
        return [self.cls_id, *ids, self.sep_id]

    def batch(self, texts: list[str], prepared: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Padded ``input_ids`` and ``attention_mask`` arrays (int64)."""
        encoded = [self.encode(t, prepared) for t in texts]
        width = max(len(e) for e in encoded)
        ids = np.full((len(encoded), width), self.pad_id, dtype=np.int64)
        mask = np.zeros((len(encoded), width), dtype=np.int64)
        for i, e in enumerate(encoded):
            ids[i, : len(e)] = e
            mask[i, : len(e)] = 1
        return ids, mask
