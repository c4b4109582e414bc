"""Full-pipeline speed (normalize + rules + ONNX int8 model + fusion) against a bert-base-chinese-shaped model.

Prints, in one run on the same inputs: messages/s batched and p50/p99 latency for one message, for
(a) our pipeline and (b) a transformers BertForSequenceClassification with bert-base-chinese's shape
(vocab 21128, hidden 768, 12 layers; random weights — only speed is measured) in torch on the CPU,
and the ratio between them.  Usage: python bench/model_speed.py [--n 2000] [--single 300]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from rules_throughput import generate  # noqa: E402


def _percentiles(samples: list[float]) -> tuple[float, float]:
    qs = statistics.quantiles(samples, n=100)
    return qs[49] * 1000, qs[98] * 1000


def bench_pipeline(texts: list[str], single: int) -> dict:
    """Our full pipeline, batched (64) and one message at a time."""
    from service.pipeline import analyze_findings, analyze_many_findings

    analyze_many_findings(texts[:64])
    t0 = time.perf_counter()
    for k in range(0, len(texts), 64):
        analyze_many_findings(texts[k: k + 64])
    batched = len(texts) / (time.perf_counter() - t0)
    lat = []
    for t in texts[:single]:
        s = time.perf_counter()
        analyze_findings(t)
        lat.append(time.perf_counter() - s)
    p50, p99 = _percentiles(lat)
    return {"batched_msgs_per_s": batched, "p50_ms": p50, "p99_ms": p99}


def bench_bert_base(texts: list[str], single: int) -> dict:
    """A bert-base-chinese-shaped classifier in torch, same texts, same batching."""
    import torch
    from transformers import BertConfig, BertForSequenceClassification

    torch.manual_seed(0)
    model = BertForSequenceClassification(BertConfig(vocab_size=21128, num_labels=9)).eval()

    def encode(batch: list[str]):
        ids = [[101] + [(ord(c) % 21000) + 100 for c in t[:126]] + [102] for t in batch]
        width = max(map(len, ids))
        inp = torch.zeros((len(ids), width), dtype=torch.long)
        mask = torch.zeros((len(ids), width), dtype=torch.long)
        for i, row in enumerate(ids):
            inp[i, : len(row)] = torch.tensor(row)
            mask[i, : len(row)] = 1
        return inp, mask

    n = min(len(texts), 512)
    with torch.inference_mode():
        model(*encode(texts[:8]))
        t0 = time.perf_counter()
        order = sorted(texts[:n], key=len)
        for k in range(0, n, 64):
            model(*encode(order[k: k + 64]))
        batched = n / (time.perf_counter() - t0)
        lat = []
        for t in texts[: max(20, single // 5)]:
            s = time.perf_counter()
            model(*encode([t]))
            lat.append(time.perf_counter() - s)
    p50, p99 = _percentiles(lat)
    return {"batched_msgs_per_s": batched, "p50_ms": p50, "p99_ms": p99}


def main() -> None:
    """Run both and print the side-by-side figures and ratios."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--single", type=int, default=300)
    args = ap.parse_args()
    texts = generate(args.n, seed=11)
    ours = bench_pipeline(texts, args.single)
    base = bench_bert_base(texts, args.single)
    print(f"{'system':40s} {'msgs/s (batched)':>17s} {'p50 ms':>8s} {'p99 ms':>8s}")
    print(f"{'cuishou pipeline (rules + int8 ONNX)':40s} {ours['batched_msgs_per_s']:17.0f} {ours['p50_ms']:8.2f} "
          f"{ours['p99_ms']:8.2f}")
    print(f"{'bert-base-chinese shape (torch, fp32)':40s} {base['batched_msgs_per_s']:17.0f} {base['p50_ms']:8.2f} "
          f"{base['p99_ms']:8.2f}")
    print(f"ratio: {ours['batched_msgs_per_s'] / base['batched_msgs_per_s']:.1f}x throughput, "
          f"{base['p50_ms'] / ours['p50_ms']:.1f}x lower p50 latency")


if __name__ == "__main__":
    main()
