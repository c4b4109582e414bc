"""Fine-tune a multi-label sequence classifier (BCE over the nine violation labels).

    cuishou train [--base-model PATH | --from-scratch] [--epochs 12] [--output-dir ...]

load → tokenize → train (early stopping on dev macro-F1) → tune per-label thresholds on dev (model alone,
and fused with the rule engine) → evaluate dev/test → save (torch weights, vocab, labels, thresholds,
metrics, train args) → export ONNX int8.
"""

from __future__ import annotations

import copy
import hashlib
import json
import random
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np

from classifier.args import TrainArgs
from classifier.data import Split, load_split
from classifier.metrics import best_threshold, evaluate_sets
from classifier.tokenizer import CharTokenizer
from classifier.torch_utils import bert_config, pick_device, seed_everything
from rules.findings import VIOLATION_LABELS


def predict_probs(model, tok: CharTokenizer, texts: list[str], device, batch_size: int = 128) -> np.ndarray:
    """Sigmoid scores (n, 9) from a torch model, in length-sorted batches."""
    import torch

    model.eval()
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    out = np.zeros((len(texts), len(VIOLATION_LABELS)), dtype=np.float32)
    with torch.no_grad():
        for k in range(0, len(order), batch_size):
            idx = order[k: k + batch_size]
            ids, mask = tok.batch([texts[i] for i in idx])
            logits = model(input_ids=torch.from_numpy(ids).to(device),
                           attention_mask=torch.from_numpy(mask).to(device)).logits
            out[idx] = torch.sigmoid(logits).cpu().numpy()
    return out


def macro_f1_at(probs: np.ndarray, y: np.ndarray, thresholds: np.ndarray | float = 0.5) -> float:
    """Macro-F1 over labels of ``probs ≥ thresholds``."""
    pred = probs >= thresholds
    f1s = []
    for j in range(y.shape[1]):
        tp = float((pred[:, j] & (y[:, j] > 0)).sum())
        fp = float((pred[:, j] & (y[:, j] == 0)).sum())
        fn = float((~pred[:, j] & (y[:, j] > 0)).sum())
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return float(np.mean(f1s))


def rule_hits(texts: list[str]) -> np.ndarray:
    """Rule-engine label hits (n, 9) for fusion tuning and the rules-only ablation."""
    from rules.engine import get_engine

    engine = get_engine()
    out = np.zeros((len(texts), len(VIOLATION_LABELS)), dtype=bool)
    for i, t in enumerate(texts):
        for f in engine.scan(t).findings:
            out[i, VIOLATION_LABELS.index(f.label)] = True
    return out


def labels_from(pred: np.ndarray) -> list[list[str]]:
    """Label lists from a boolean matrix (compliant when empty)."""
    return [[lab for j, lab in enumerate(VIOLATION_LABELS) if row[j]] or ["compliant"] for row in pred]


def _load_model(args: TrainArgs, vocab_size: int):
    from transformers import BertForSequenceClassification

    if args.base_model is not None:
        return BertForSequenceClassification.from_pretrained(
            str(args.base_model), num_labels=len(VIOLATION_LABELS), problem_type="multi_label_classification",
            hidden_dropout_prob=args.dropout, attention_probs_dropout_prob=args.dropout)
    return BertForSequenceClassification(bert_config(vocab_size, args.shape, num_labels=len(VIOLATION_LABELS),
                                                     problem_type="multi_label_classification",
                                                     hidden_dropout_prob=args.dropout,
                                                     attention_probs_dropout_prob=args.dropout))


def _tokenizer(args: TrainArgs, train: Split) -> CharTokenizer:
    if args.base_model is not None:
        return CharTokenizer.load(args.base_model, args.shape.max_length)
    return CharTokenizer.build(train.texts, min_freq=1, max_length=args.shape.max_length)


def train(args: TrainArgs, progress: bool = True) -> dict:
    """Fine-tune, tune thresholds, evaluate and save; returns the metrics dict."""
    import torch

    seed_everything(args.seed)
    device = pick_device(args.device)
    train_split = load_split(args.data_dir, "train").head(args.max_train_items)
    if args.use_augmented and (Path(args.data_dir) / "train_augmented.jsonl").exists():
        aug = load_split(args.data_dir, "train_augmented").head(args.max_train_items)
        train_split = Split(train_split.texts + aug.texts, train_split.labels + aug.labels,
                            train_split.channels + aug.channels)
    dev, test = load_split(args.data_dir, "dev"), load_split(args.data_dir, "test")
    tok = _tokenizer(args, train_split)
    model = _load_model(args, len(tok.vocab)).to(device)
    y = train_split.y
    pos = y.sum(0)
    pos_weight = torch.tensor(np.clip((len(y) - pos) / np.maximum(pos, 1), 1.0, 6.0) ** 0.5, dtype=torch.float32,
                              device=device)
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=pos_weight)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    steps_per_epoch = (len(train_split.texts) + args.batch_size - 1) // args.batch_size
    total_steps = steps_per_epoch * args.epochs
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / max(1, steps_per_epoch // 2)) * max(0.05, 1 - s / total_steps))
    rng = random.Random(args.seed)
    best_f1, best_state, best_epoch, bad_epochs = -1.0, None, 0, 0
    history = []
    t0 = time.time()
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=total_steps, desc="fine-tune", unit="step")
    for epoch in range(1, args.epochs + 1):
        model.train()
        order = list(range(len(train_split.texts)))
        rng.shuffle(order)
        for k in range(0, len(order), args.batch_size):
            idx = order[k: k + args.batch_size]
            ids, mask = tok.batch([train_split.texts[i] for i in idx])
            logits = model(input_ids=torch.from_numpy(ids).to(device),
                           attention_mask=torch.from_numpy(mask).to(device)).logits
            loss = loss_fn(logits, torch.from_numpy(y[idx]).to(device))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            opt.zero_grad()
            if bar is not None:
                bar.update(1)
                bar.set_postfix(epoch=epoch, loss=f"{float(loss):.3f}")
        dev_f1 = macro_f1_at(predict_probs(model, tok, dev.texts, device), dev.y)
        history.append({"epoch": epoch, "dev_macro_f1@0.5": round(dev_f1, 4)})
        if dev_f1 > best_f1 + 1e-4:
            best_f1, best_epoch, bad_epochs = dev_f1, epoch, 0
            best_state = copy.deepcopy(model.state_dict())
        else:
            bad_epochs += 1
            if bad_epochs >= args.patience:
                break
    if bar is not None:
        bar.close()
    model.load_state_dict(best_state)
    metrics = finish(args, model, tok, dev, test, device)
    metrics.update({"best_epoch": best_epoch, "history": history, "train_seconds": round(time.time() - t0, 1),
                    "train_items": len(train_split.texts)})
    out = Path(args.output_dir)
    (out / "metrics.json").write_text(json.dumps(metrics, ensure_ascii=False, indent=2), encoding="utf-8")
    return metrics


def finish(args: TrainArgs, model, tok: CharTokenizer, dev: Split, test: Split, device) -> dict:
    """Tune thresholds on dev, evaluate dev and test, save the artifact (and ONNX)."""
    dev_p = predict_probs(model, tok, dev.texts, device)
    test_p = predict_probs(model, tok, test.texts, device)
    dev_rules, test_rules = rule_hits(dev.texts), rule_hits(test.texts)
    model_t, fused_t = {}, {}
    for j, lab in enumerate(VIOLATION_LABELS):
        gold = list(dev.y[:, j] > 0)
        model_t[lab] = best_threshold(list(dev_p[:, j]), gold)[0]
        fused_t[lab] = best_threshold(list(dev_p[:, j]), gold, list(dev_rules[:, j]))[0]
    mt = np.array([model_t[lab] for lab in VIOLATION_LABELS])
    ft = np.array([fused_t[lab] for lab in VIOLATION_LABELS])
    metrics: dict = {"thresholds_model": model_t, "thresholds_fused": fused_t}
    for name, split, probs, rules in (("dev", dev, dev_p, dev_rules), ("test", test, test_p, test_rules)):
        metrics[name] = {
            "rules_only": evaluate_sets(split.labels, labels_from(rules)),
            "model_only": evaluate_sets(split.labels, labels_from(probs >= mt)),
            "fused": evaluate_sets(split.labels, labels_from(rules | (probs >= ft))),
        }
    out = Path(args.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    model.cpu().save_pretrained(out / "torch")
    tok.save(out)
    (out / "labels.json").write_text(json.dumps(list(VIOLATION_LABELS)), encoding="utf-8")
    (out / "thresholds.json").write_text(json.dumps({"model": model_t, "fused": fused_t}, indent=2), encoding="utf-8")
    digest = hashlib.sha256()
    for split in ("train", "dev", "test"):
        path = Path(args.data_dir) / f"{split}.jsonl"
        if path.exists():
            digest.update(path.read_bytes())
    info = json.loads(json.dumps(asdict(args), default=str))
    info["data_sha256"] = digest.hexdigest()
    (out / "train_args.json").write_text(json.dumps(info, ensure_ascii=False, indent=2), encoding="utf-8")
    if args.export_onnx:
        from classifier.export_onnx import export

        export(out)
    return metrics
