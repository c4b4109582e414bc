"""Hand-written sentences per label (tests/fixtures/sentences/<label>.yaml) through the full rules path.

positive / evasive: the label must be among the result's labels.
lawful: the result must be compliant (no violation label at all).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from rules.findings import VIOLATION_LABELS
from service.pipeline import analyze

FIXTURES = Path(__file__).parent / "fixtures" / "sentences"


def _load() -> list[tuple[str, str, str]]:
    cases = []
    for label in VIOLATION_LABELS:
        path = FIXTURES / f"{label}.yaml"
        if not path.exists():
            continue
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for kind in ("positive", "evasive", "lawful"):
            for sentence in data.get(kind, []):
                cases.append((label, kind, sentence))
    return cases


CASES = _load()


@pytest.mark.parametrize(("label", "kind", "sentence"), CASES)
def test_sentence(label: str, kind: str, sentence: str) -> None:
    result = analyze(sentence, use_model=False, verbose=True)
    if kind == "lawful":
        assert result["labels"] == ["compliant"], f"{sentence!r} flagged: {result['findings']}"
    else:
        assert label in result["labels"], (
            f"{sentence!r} missed {label}; got {result['labels']}, vetoed {result['vetoed']}")
    for f in result["findings"]:
        assert sentence[f["start"]:f["end"]] == f["quote"]


@pytest.mark.parametrize("label", VIOLATION_LABELS)
def test_minimum_counts(label: str) -> None:
    data = yaml.safe_load((FIXTURES / f"{label}.yaml").read_text(encoding="utf-8"))
    assert len(data.get("positive", [])) >= 20
    assert len(data.get("lawful", [])) >= 20
    assert len(data.get("evasive", [])) >= 5
