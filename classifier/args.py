"""Training arguments as dataclasses (one place for every knob, saved next to the model)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
DATA_DIR = ROOT / "datasets" / "build"


@dataclass
class ModelShape:
    """A compact BERT: small enough for ≥1,000 messages/s on two CPU cores after int8 quantization."""

    hidden_size: int = 128
    num_hidden_layers: int = 2
    num_attention_heads: int = 4
    intermediate_size: int = 512
    max_length: int = 128


@dataclass
class PretrainArgs:
    """Masked-language-model pretraining on offline corpora."""

    output_dir: Path = ARTIFACTS / "base-char-bert"
    data_dir: Path = DATA_DIR
    steps: int = 3000
    batch_size: int = 64
    lr: float = 5e-4
    warmup: int = 200
    mask_prob: float = 0.15
    min_char_freq: int = 3
    max_vocab: int = 7000
    max_corpus_chars: int = 6_000_000
    seed: int = 13
    device: str = "auto"
    shape: ModelShape = field(default_factory=ModelShape)


@dataclass
class TrainArgs:
    """Multi-label fine-tuning with early stopping on dev and per-label thresholds tuned on dev."""

    output_dir: Path = ARTIFACTS / "default"
    data_dir: Path = DATA_DIR
    base_model: Path | None = ARTIFACTS / "base-char-bert"
    epochs: int = 30
    patience: int = 6
    batch_size: int = 32
    lr: float = 5e-4
    weight_decay: float = 0.01
    dropout: float = 0.1
    use_augmented: bool = True
    max_train_items: int | None = None
    seed: int = 13
    device: str = "auto"
    export_onnx: bool = True
    shape: ModelShape = field(default_factory=ModelShape)
