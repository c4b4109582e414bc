"""The classifier: training path on a tiny subset, the committed model's recorded score, model findings."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from classifier.args import ARTIFACTS, ModelShape, PretrainArgs, TrainArgs
from classifier.predict import Predictor
from classifier.tokenizer import CharTokenizer

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ARTIFACTS / "default"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    spec = importlib.util.spec_from_file_location("dataset_build", ROOT / "datasets" / "build.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    out = tmp_path_factory.mktemp("data")
    mod.build(out)
    return out


def test_tokenizer_roundtrip(tmp_path: Path) -> None:
    tok = CharTokenizer.build(["你好，请还款", "打 断你的腿"], min_freq=1)
    tok.save(tmp_path)
    again = CharTokenizer.load(tmp_path)
    assert again.vocab == tok.vocab
    ids, mask = again.batch(["你好", "打断"])
    assert ids.shape == mask.shape == (2, 4)
    assert again.encode("打 断") == again.encode("打断")  # separators removed before tokenizing


def test_training_path_on_tiny_subset(data_dir: Path, tmp_path: Path) -> None:
    pytest.importorskip("torch")
    from classifier.pretrain import pretrain
    from classifier.train import train

    tiny = ModelShape(hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=64, max_length=64)
    base = pretrain(PretrainArgs(output_dir=tmp_path / "base", data_dir=data_dir, steps=4, batch_size=8,
                                 max_corpus_chars=20_000, warmup=2, device="cpu", shape=tiny), progress=False)
    metrics = train(TrainArgs(output_dir=tmp_path / "clf", data_dir=data_dir, base_model=base, epochs=1, patience=1,
                              batch_size=16, max_train_items=48, device="cpu", shape=tiny), progress=False)
    out = tmp_path / "clf"
    for name in ("model.onnx", "vocab.txt", "labels.json", "thresholds.json", "metrics.json", "train_args.json"):
        assert (out / name).exists(), name
    assert 0.0 <= metrics["test"]["fused"]["macro_f1"] <= 1.0
    scores = Predictor(out).scores("再不还钱就打断你的腿")
    assert set(scores) == set(json.loads((out / "labels.json").read_text()))
    assert all(0.0 <= v <= 1.0 for v in scores.values())


@pytest.mark.skipif(not (DEFAULT / "model.onnx").exists(), reason="no committed model")
def test_committed_model_reaches_recorded_test_score(data_dir: Path) -> None:
    from classifier.evaluate import evaluate_split

    recorded = json.loads((DEFAULT / "metrics.json").read_text(encoding="utf-8"))["current"]["test"]
    result = evaluate_split("test", data_dir, DEFAULT)
    for system in ("rules_only", "model_only", "fused"):
        assert result[system]["macro_f1"] == pytest.approx(recorded[system]["macro_f1"], abs=0.01), system
        assert result[system]["lawful_fpr"] == pytest.approx(recorded[system]["lawful_fpr"], abs=0.01), system


@pytest.mark.skipif(not (DEFAULT / "model.onnx").exists(), reason="no committed model")
def test_model_findings_quote_a_span() -> None:
    predictor = Predictor(DEFAULT)
    text = "您好，这里是贷后部门。你要是再拖着不还，我们保证让你这辈子都过不安生，你一家老小都别想好过。"
    scores = predictor.scores(text)
    findings = predictor.localize(text, {k: 1.0 for k in scores})
    assert findings
    for f in findings.values():
        assert f.source == "model" and f.quote == text[f.start:f.end] and f.quote
        assert f.end - f.start < len(text)  # a clause, not the whole message


def test_artifacts_are_small() -> None:
    total = sum(p.stat().st_size for p in ARTIFACTS.rglob("*") if p.is_file())
    assert total < 30 * 1024 * 1024
