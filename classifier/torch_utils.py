"""Small helpers shared by pretraining and fine-tuning (torch only; not used at inference)."""

from __future__ import annotations

import random

import numpy as np


def seed_everything(seed: int) -> None:
    """Deterministic seeds for python, numpy and torch."""
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def pick_device(name: str):
    """``auto`` → cuda when available, else cpu."""
    import torch

    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def bert_config(vocab_size: int, shape, num_labels: int | None = None, **extra):
    """A transformers BertConfig of the project's compact shape."""
    from transformers import BertConfig

    kwargs = dict(vocab_size=vocab_size, hidden_size=shape.hidden_size, num_hidden_layers=shape.num_hidden_layers,
                  num_attention_heads=shape.num_attention_heads, intermediate_size=shape.intermediate_size,
                  max_position_embeddings=shape.max_length + 2, type_vocab_size=1, pad_token_id=0, **extra)
    if num_labels is not None:
        kwargs["num_labels"] = num_labels
    return BertConfig(**kwargs)
