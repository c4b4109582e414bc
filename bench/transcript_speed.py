"""Transcript analysis speed: a generated 60-minute call (~900 turns) through `cuishou transcript`'s library path.

Target: under 2 s on a developer machine. Prints parse time and full analysis time (rules + the committed model
when one is installed; add --rules-only to skip it), best of --repeat runs.
Usage: python bench/transcript_speed.py [--turns 900] [--minutes 60] [--format txt|srt|vtt|json] [--rules-only]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from classifier.predict import get_predictor  # noqa: E402
from service.readers.transcript import read_transcript  # noqa: E402
from service.transcript import analyze_transcript  # noqa: E402

COLLECTOR_LINES = [
    "您好，这里是某银行信用卡中心，请问是{n}先生本人吗？",
    "您尾号{d}的信用卡本期账单{a}元，已经逾期{k}天了，想跟您确认一下还款安排。",
    "按照合同约定，逾期期间会产生违约金和利息，逾期记录也会按规定报送征信系统。",
    "那个，就是说您这边大概什么时候能到账呢？我这边帮您登记一下。",
    "如果确实有困难，可以申请分期或者延期，我帮您提交一下申请。",
    "请您通过App内的还款入口操作，不要转账给任何个人账户。",
    "今天第二次联系您，上午您说在开会，现在方便吗？",
    "再不还钱就打断你的腿，你自己看着办。",
    "我们已经联系了你的紧急联系人，你同事都知道了。",
]
DEBTOR_LINES = [
    "嗯，我知道，这个月工资晚发了。", "能不能再宽限几天？", "我下周一之前肯定还。", "你们别老打电话了行不行。",
    "好的，我知道了。", "我现在在上班，晚点再说。", "这个罚息怎么这么多？", "行，那就先还最低还款。",
]


def make_transcript(turns: int, minutes: int, fmt: str, seed: int = 7) -> bytes:
    """A synthetic call: alternating collector/debtor turns spread evenly over ``minutes``."""
    rng = random.Random(seed)
    step = minutes * 60 / turns
    rows = []
    for i in range(turns):
        pool = COLLECTOR_LINES if i % 2 == 0 else DEBTOR_LINES
        text = rng.choice(pool).format(n=rng.choice("王李张刘陈"), d=rng.randint(1000, 9999),
                                       a=rng.randint(500, 50000), k=rng.randint(1, 90))
        rows.append(("坐席" if i % 2 == 0 else "客户", round(i * step, 1), round((i + 1) * step - 0.3, 1), text))
    if fmt == "json":
        items = [{"speaker": s, "start": a, "end": b, "text": t} for s, a, b, t in rows]
        return json.dumps(items, ensure_ascii=False).encode()
    if fmt in ("srt", "vtt"):
        def clock(x: float) -> str:
            ms = int(round(x * 1000))
            sep = "," if fmt == "srt" else "."
            return f"{ms // 3600000:02d}:{ms // 60000 % 60:02d}:{ms // 1000 % 60:02d}{sep}{ms % 1000:03d}"
        cues = [f"{i + 1}\n{clock(a)} --> {clock(b)}\n{s}：{t}\n" for i, (s, a, b, t) in enumerate(rows)]
        return (("WEBVTT\n\n" if fmt == "vtt" else "") + "\n".join(cues)).encode()
    header = "通话记录 2026-05-06 10:14 某银行信用卡中心 贷后服务\n"
    lines = [f"[{int(a) // 3600:02d}:{int(a) // 60 % 60:02d}:{int(a) % 60:02d}] {s}：{t}" for s, a, _, t in rows]
    return (header + "\n".join(lines) + "\n").encode()


def _best(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    """Generate, warm up (rule packs and model load once), then time parse and analysis."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--turns", type=int, default=900)
    ap.add_argument("--minutes", type=int, default=60)
    ap.add_argument("--format", default="txt", choices=["txt", "srt", "vtt", "json"])
    ap.add_argument("--rules-only", action="store_true")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    data = make_transcript(args.turns, args.minutes, args.format)
    use_model = not args.rules_only
    model = get_predictor() if use_model else None
    t0 = time.perf_counter()
    analyze_transcript("坐席：您好\n客户：嗯\n".encode(), use_model=use_model)  # warm-up: packs, jieba, model
    warm = time.perf_counter() - t0
    parse = _best(lambda: read_transcript(data), args.repeat)
    result: dict = {}

    def run() -> None:
        result.update(analyze_transcript(data, use_model=use_model))

    total = _best(run, args.repeat)
    summary = result["summary"]
    print(f"transcript: {args.format}, {len(data) / 1024:.0f} KiB, {summary['n_turns']} turns, "
          f"{summary['duration_s'] / 60:.0f} min, labels {result['labels']}")
    model_name = model.name if model is not None else "none (no artifact installed or --rules-only)"
    print(f"model: {model_name}; warm-up (load packs and model): {warm:.2f} s")
    print(f"parse only: {parse:.3f} s")
    print(f"analysis ({'rules + model' if model is not None else 'rules only'}): {total:.3f} s "
          f"[target < 2 s: {'ok' if total < 2 else 'SLOW'}]")


if __name__ == "__main__":
    main()
