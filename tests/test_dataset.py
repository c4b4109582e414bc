"""The authored corpus meets its minimums, uses only taxonomy labels, and no near-duplicate crosses splits."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SPEC = importlib.util.spec_from_file_location("dataset_build", ROOT / "datasets" / "build.py")
build_mod = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(build_mod)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("build")
    return out, build_mod.build(out)


def test_minimums_met(built) -> None:
    _, stats = built
    assert build_mod.check_minimums(stats) == []


def test_labels_are_taxonomy_ids(built) -> None:
    taxonomy = (ROOT.parent / "shared" / "taxonomy.md")
    out, _ = built
    ids = set(build_mod.ALLOWED)
    if taxonomy.exists():
        text = taxonomy.read_text(encoding="utf-8")
        assert all(f"| {label} |" in text for label in ids)
    for split in ("train", "dev", "test"):
        for line in (out / f"{split}.jsonl").read_text(encoding="utf-8").splitlines():
            assert set(json.loads(line)["labels"]) <= ids


def test_no_near_duplicate_crosses_splits(built) -> None:
    _, stats = built
    assert stats["max_cross_split_jaccard"] < build_mod.NEAR_DUP


def test_unknown_label_is_rejected(tmp_path) -> None:
    (tmp_path / "bad.jsonl").write_text(json.dumps({"id": "x", "text": "t", "channel": "sms",
                                                    "labels": ["threats"]}) + "\n", encoding="utf-8")
    with pytest.raises(build_mod.DataError, match="outside taxonomy"):
        build_mod.load_authored(tmp_path)


def test_build_is_deterministic(built, tmp_path) -> None:
    out, stats = built
    again = build_mod.build(tmp_path)
    assert again["data_sha256"] == stats["data_sha256"]


def test_augmented_copies_stay_in_train(built) -> None:
    out, _ = built
    for line in (out / "train_augmented.jsonl").read_text(encoding="utf-8").splitlines():
        assert json.loads(line)["split"] == "train"


def test_near_duplicates_share_a_cluster() -> None:
    items = [{"id": "a", "group": "g1", "text": "你再不还钱我们就去你家门口等你，你看着办吧", "labels": ["compliant"]},
             {"id": "b", "group": "g2", "text": "你再不还钱我们就去你家门口等你，你看着办", "labels": ["compliant"]},
             {"id": "c", "group": "g3", "text": "【某银行】您的账单已出，请按时还款", "labels": ["compliant"]}]
    clusters = build_mod.cluster_groups(items)
    assert clusters["g1"] == clusters["g2"] != clusters["g3"]
