"""Rebuild the cuishou-guard corpus deterministically from the authored sources.

    python datasets/build.py [--stats] [--sample N --label L] [--out datasets/build] [--seed 13]

Steps: load and validate every authored message (labels must be taxonomy ids); merge source groups that
hold near-duplicates (character 5-gram Jaccard ≥ NEAR_DUP, also across groups) so that no near-duplicate
can cross splits; assign merged groups to train/dev/test (70/15/15) by a seeded shuffle stratified on the
group's main label; augment the TRAIN split (slot filling, evasive spellings, ASR-style noise) keeping
labels true; write JSONL splits plus stats.json. This file is a script in a data folder, not a package.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
AUTHORED = HERE / "authored" / "messages"
EXTRA_TRAIN = HERE / "authored" / "extra_train"  # a later batch in new voices: train only
HELDOUT = HERE / "heldout"  # blind set written after the rules and model were built; evaluation only
OUT = HERE / "build"
LABELS = ("threat_violence", "insult_abuse", "third_party_contact", "privacy_exposure",
          "impersonation_false_authority", "home_visit_stalking", "harassment_frequency", "illegal_fees",
          "suspicious_payment")
ALLOWED = set(LABELS) | {"compliant"}
CHANNELS = {"sms", "wechat", "call_utterance"}
NEAR_DUP = 0.5  # 5-gram Jaccard at or above this: same cluster, never split apart
MINIMUMS = {"total": 2500, "per_label": 150, "multi_label": 150, "lawful": 1000, "hard_negative": 400}
SPLIT_SHARES = (("train", 0.70), ("dev", 0.15), ("test", 0.15))


class DataError(ValueError):
    """An authored item that breaks the format or the taxonomy."""


def load_authored(directory: Path = AUTHORED) -> list[dict]:
    """Read and validate every authored message."""
    items: list[dict] = []
    seen_ids: set[str] = set()
    seen_texts: dict[str, str] = {}
    for path in sorted(directory.glob("*.jsonl")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            where = f"{path.name}:{n}"
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DataError(f"{where}: invalid JSON: {exc}") from exc
            for key in ("id", "text", "labels"):
                if key not in obj:
                    raise DataError(f"{where}: missing {key!r}")
            bad = set(obj["labels"]) - ALLOWED
            if bad:
                raise DataError(f"{where}: labels outside taxonomy.md: {sorted(bad)}")
            if "compliant" in obj["labels"] and len(obj["labels"]) > 1:
                raise DataError(f"{where}: 'compliant' cannot be combined with violation labels")
            if not obj["labels"]:
                raise DataError(f"{where}: empty labels")
            if obj.get("channel") not in CHANNELS:
                raise DataError(f"{where}: channel must be one of {sorted(CHANNELS)}")
            if obj["id"] in seen_ids:
                raise DataError(f"{where}: duplicate id {obj['id']}")
            key = re.sub(r"\s+", "", obj["text"])
            if key in seen_texts:
                continue  # exact duplicate text: keep the first
            seen_ids.add(obj["id"])
            seen_texts[key] = obj["id"]
            obj["labels"] = sorted(set(obj["labels"]))
            obj.setdefault("group", obj["id"])
            obj["hard_negative"] = bool(obj.get("hard_negative", False))
            obj["source_file"] = path.name
            items.append(obj)
    return items


def shingles(text: str, n: int = 5) -> set[str]:
    """Character n-grams of the text without whitespace and punctuation."""
    t = re.sub(r"[\s\W_]+", "", text)
    if len(t) <= n:
        return {t} if t else set()
    return {t[i:i + n] for i in range(len(t) - n + 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    """Jaccard similarity of two shingle sets."""
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def similar_pairs(texts: list[str], threshold: float) -> list[tuple[int, int, float]]:
    """All pairs with Jaccard ≥ threshold (candidate pairs found through shared shingles)."""
    sets = [shingles(t) for t in texts]
    index: dict[str, list[int]] = defaultdict(list)
    for i, s in enumerate(sets):
        for g in s:
            index[g].append(i)
    counts: Counter = Counter()
    for ids in index.values():
        if len(ids) > 200:  # boiler-plate shingle (e.g. 回T退订): not informative
            continue
        for x in range(len(ids)):
            for y in range(x + 1, len(ids)):
                counts[(ids[x], ids[y])] += 1
    out = []
    for (i, j), shared in counts.items():
        union = len(sets[i]) + len(sets[j]) - shared
        sim = shared / union if union else 0.0
        if sim >= threshold:
            out.append((i, j, sim))
    return out


def max_cross_split_similarity(items: list[dict]) -> float:
    """Largest 5-gram Jaccard between two items in different splits (0.2 floor for the search)."""
    best = 0.0
    for i, j, sim in similar_pairs([x["text"] for x in items], 0.2):
        if items[i]["split"] != items[j]["split"]:
            best = max(best, sim)
    return best


def _max_similarity_between(a: list[dict], b: list[dict]) -> float:
    """Largest 5-gram Jaccard between an item of ``a`` and an item of ``b``."""
    texts = [x["text"] for x in a] + [x["text"] for x in b]
    n = len(a)
    return max((sim for i, j, sim in similar_pairs(texts, 0.2) if (i < n) != (j < n)), default=0.0)


def _train_only_extra(extra: list[dict], items: list[dict]) -> tuple[list[dict], int]:
    """Put a later batch into train, dropping exact or near duplicates (≥ NEAR_DUP) of any dev/test item."""
    known = {re.sub(r"\s+", "", x["text"]) for x in items}
    ids = {x["id"] for x in items}
    extra = [x for x in extra if re.sub(r"\s+", "", x["text"]) not in known and x["id"] not in ids]
    held = [x for x in items if x["split"] != "train"]
    texts = [x["text"] for x in extra] + [x["text"] for x in held]
    n = len(extra)
    bad = {min(i, j) for i, j, _ in similar_pairs(texts, NEAR_DUP) if (i < n) != (j < n)}
    kept = [x for k, x in enumerate(extra) if k not in bad]
    for x in kept:
        x["split"] = "train"
        x["cluster"] = x["group"]
    return kept, n - len(kept)


def cluster_groups(items: list[dict]) -> dict[str, str]:
    """Union-find over source groups joined by near-duplicate pairs; returns group → cluster id."""
    parent: dict[str, str] = {x["group"]: x["group"] for x in items}

    def find(g: str) -> str:
        while parent[g] != g:
            parent[g] = parent[parent[g]]
            g = parent[g]
        return g

    for i, j, _ in similar_pairs([x["text"] for x in items], NEAR_DUP):
        a, b = find(items[i]["group"]), find(items[j]["group"])
        if a != b:
            parent[max(a, b)] = min(a, b)
    return {g: find(g) for g in parent}


def assign_splits(items: list[dict], seed: int) -> None:
    """Stratified, seeded assignment of whole clusters to splits."""
    clusters = cluster_groups(items)
    members: dict[str, list[dict]] = defaultdict(list)
    for x in items:
        members[clusters[x["group"]]].append(x)
    by_stratum: dict[str, list[str]] = defaultdict(list)
    for cid, xs in members.items():
        labels = Counter(label for x in xs for label in x["labels"])
        stratum = min(labels, key=lambda lab: (-labels[lab], lab))
        by_stratum[stratum].append(cid)
    rng = random.Random(seed)
    for stratum in sorted(by_stratum):
        cids = sorted(by_stratum[stratum])
        rng.shuffle(cids)
        n = len(cids)
        cut1 = round(n * SPLIT_SHARES[0][1])
        cut2 = cut1 + round(n * SPLIT_SHARES[1][1])
        for k, cid in enumerate(cids):
            split = "train" if k < cut1 else "dev" if k < cut2 else "test"
            for x in members[cid]:
                x["split"] = split
                x["cluster"] = cid


# ---- augmentation (train only) -------------------------------------------------------------------
_PLATFORMS = ["速借宝", "某呗", "分期乐享", "小鹿花", "金橙贷", "某银行信用卡中心", "好易借", "闪电分期"]
_SEPARATORS = [" ", "/", ".", "*", "·", "\u200b", "😅", "-"]
_ASR_SWAPS = {"的": "得", "在": "再", "那": "哪", "是": "事", "还": "换", "钱": "前", "你": "尼", "他": "她"}
_TRAD = str.maketrans("还钱欠让们说话后会这对时间为过现么账户务联系费务银门杀断脸废妈爸亲戚单电话发给",
                      "還錢欠讓們說話後會這對時間為過現麼賬戶務聯繫費務銀門殺斷臉廢媽爸親戚單電話發給")
_FULLWIDTH = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)})


def _slot_fill(text: str, rng: random.Random) -> str:
    text = re.sub(r"\d{3,6}(\.\d{2})?元", lambda m: f"{rng.randint(3, 900) * 10}元", text)
    for p in _PLATFORMS:
        if p in text:
            return text.replace(p, rng.choice(_PLATFORMS))
    return text


def _separate(text: str, rng: random.Random) -> str:
    chars = list(text)
    k = max(1, len(chars) // 8)
    for _ in range(k):
        i = rng.randrange(1, max(2, len(chars)))
        if "\u4e00" <= chars[i - 1] <= "\u9fff":
            chars.insert(i, rng.choice(_SEPARATORS))
    return "".join(chars)


def _asr_noise(text: str, rng: random.Random) -> str:
    out = []
    for ch in text:
        if ch in _ASR_SWAPS and rng.random() < 0.15:
            out.append(_ASR_SWAPS[ch])
        elif ch in "，。" and rng.random() < 0.3:
            out.append(rng.choice(["", "嗯", "那个"]))
        else:
            out.append(ch)
    return "".join(out)


AUGMENTERS = {
    "slot": _slot_fill,
    "separators": _separate,
    "traditional": lambda t, rng: t.translate(_TRAD),
    "fullwidth": lambda t, rng: t.translate(_FULLWIDTH),
}


def augment(items: list[dict], seed: int, copies: int = 1) -> list[dict]:
    """Label-preserving variants of TRAIN items; each copy keeps its source's split and cluster."""
    rng = random.Random(seed + 1)
    out = []
    for x in items:
        if x["split"] != "train":
            continue
        for c in range(copies):
            names = ["slot", "separators", "traditional", "fullwidth"]
            if x.get("channel") == "call_utterance":
                names.append("asr")
            name = rng.choice(names)
            fn = _asr_noise if name == "asr" else AUGMENTERS[name]
            text = fn(x["text"], rng)
            if text == x["text"]:
                continue
            out.append({**x, "id": f"{x['id']}~{name}{c}", "text": text, "augmented": name})
    return out


def compute_stats(items: list[dict], augmented: list[dict]) -> dict:
    """Counts per label × channel × split, multi-label, hard negatives, evasion share, similarity."""
    stats: dict = {"total_authored": len(items), "augmented_train_copies": len(augmented)}
    stats["per_label"] = dict(sorted(Counter(lab for x in items for lab in x["labels"]).items()))
    stats["multi_label"] = sum(len(x["labels"]) > 1 for x in items)
    stats["lawful"] = sum(x["labels"] == ["compliant"] for x in items)
    stats["hard_negative"] = sum(x["hard_negative"] for x in items)
    table: dict = defaultdict(lambda: defaultdict(Counter))
    for x in items:
        for lab in x["labels"]:
            table[lab][x["channel"]][x["split"]] += 1
    stats["label_channel_split"] = {lab: {ch: dict(c) for ch, c in chans.items()} for lab, chans in table.items()}
    stats["per_split"] = dict(Counter(x["split"] for x in items))
    evasive = re.compile("[a-zA-Z]{2,}|[\u200b\U0001f300-\U0001faff]|[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]"
                         r"|[\u4e00-\u9fff][ */.·_\-|][\u4e00-\u9fff]")
    stats["evasion_share"] = round(sum(bool(evasive.search(x["text"])) for x in items) / max(1, len(items)), 3)
    stats["augmented_by_kind"] = dict(Counter(x["augmented"] for x in augmented))
    stats["near_dup_threshold"] = NEAR_DUP
    stats["max_cross_split_jaccard"] = round(max_cross_split_similarity(items), 3)
    return stats


def check_minimums(stats: dict) -> list[str]:
    """Human-readable list of unmet minimums (empty when all are met)."""
    problems = []
    if stats["total_authored"] < MINIMUMS["total"]:
        problems.append(f"total {stats['total_authored']} < {MINIMUMS['total']}")
    for lab in LABELS:
        n = stats["per_label"].get(lab, 0)
        if n < MINIMUMS["per_label"]:
            problems.append(f"{lab}: {n} < {MINIMUMS['per_label']}")
    for key in ("multi_label", "lawful", "hard_negative"):
        if stats[key] < MINIMUMS[key]:
            problems.append(f"{key}: {stats[key]} < {MINIMUMS[key]}")
    if stats["max_cross_split_jaccard"] >= NEAR_DUP:
        problems.append(f"near-duplicate crosses splits: {stats['max_cross_split_jaccard']}")
    return problems


def build(out_dir: Path = OUT, seed: int = 13) -> dict:
    """Build splits into ``out_dir`` and return the stats."""
    items = load_authored()
    assign_splits(items, seed)
    extra_dropped = 0
    if EXTRA_TRAIN.exists() and any(EXTRA_TRAIN.glob("*.jsonl")):
        extra, extra_dropped = _train_only_extra(load_authored(EXTRA_TRAIN), items)
        items = items + extra
    augmented = augment(items, seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    fields = ("id", "text", "channel", "labels", "group", "cluster", "hard_negative", "split")
    for split, _ in SPLIT_SHARES:
        rows = [x for x in items if x["split"] == split]
        rows.sort(key=lambda x: x["id"])
        with (out_dir / f"{split}.jsonl").open("w", encoding="utf-8") as fh:
            for x in rows:
                fh.write(json.dumps({k: x.get(k) for k in fields}, ensure_ascii=False) + "\n")
    with (out_dir / "train_augmented.jsonl").open("w", encoding="utf-8") as fh:
        for x in augmented:
            fh.write(json.dumps({k: x.get(k) for k in (*fields, "augmented")}, ensure_ascii=False) + "\n")
    stats = compute_stats(items, augmented)
    stats["extra_train"] = {"items": sum(x.get("source_file", "").startswith("ex_") for x in items),
                            "dropped_near_duplicates_of_dev_test": extra_dropped}
    if HELDOUT.exists() and any(HELDOUT.glob("*.jsonl")):
        heldout = load_authored(HELDOUT)
        for x in heldout:  # half for fitting the fusion policy, half for the final, untouched report
            digest_byte = hashlib.sha256(f"{seed}:{x['id']}".encode()).digest()[0]
            x["split"] = "heldout_dev" if digest_byte % 2 == 0 else "heldout_test"
        for name in ("heldout_dev", "heldout_test"):
            with (out_dir / f"{name}.jsonl").open("w", encoding="utf-8") as fh:
                for x in heldout:
                    if x["split"] == name:
                        fh.write(json.dumps({k: x.get(k) for k in fields}, ensure_ascii=False) + "\n")
        stats["heldout"] = {"items": len(heldout), "per_split": dict(Counter(x["split"] for x in heldout)),
                            "per_label": dict(sorted(Counter(lab for x in heldout for lab in x["labels"]).items())),
                            "max_jaccard_to_corpus": round(_max_similarity_between(heldout, items), 3)}
    digest = hashlib.sha256()
    for split, _ in SPLIT_SHARES:
        digest.update((out_dir / f"{split}.jsonl").read_bytes())
    stats["data_sha256"] = digest.hexdigest()
    (out_dir / "stats.json").write_text(json.dumps(stats, ensure_ascii=False, indent=2), encoding="utf-8")
    return stats


def main(argv: list[str] | None = None) -> int:
    """Command-line entry: build, then print stats and/or a reviewer's sample."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--stats", action="store_true", help="print counts and check the minimums")
    ap.add_argument("--sample", type=int, default=0, help="print N random items per label for review")
    ap.add_argument("--label", default=None, help="with --sample: only this label")
    args = ap.parse_args(argv)
    try:
        stats = build(args.out, args.seed)
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.stats:
        print(json.dumps({k: v for k, v in stats.items() if k != "label_channel_split"}, ensure_ascii=False,
                         indent=2))
        for lab, chans in sorted(stats["label_channel_split"].items()):
            print(f"  {lab:32s} " + "  ".join(f"{ch}:{dict(sorted(c.items()))}" for ch, c in sorted(chans.items())))
        problems = check_minimums(stats)
        print("minimums: " + ("all met" if not problems else "NOT met: " + "; ".join(problems)))
    if args.sample:
        rng = random.Random(args.seed)
        items = [json.loads(line) for split, _ in SPLIT_SHARES
                 for line in (args.out / f"{split}.jsonl").read_text(encoding="utf-8").splitlines()]
        for lab in ([args.label] if args.label else [*LABELS, "compliant"]):
            pool = [x for x in items if lab in x["labels"]]
            print(f"\n== {lab}: {min(args.sample, len(pool))} of {len(pool)} ==")
            for x in rng.sample(pool, min(args.sample, len(pool))):
                print(f"[{x['id']}] {'+'.join(x['labels'])} | {x['channel']} | {x['text']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
