"""Probe sentences per label (tests/fixtures/probes/<label>.yaml), checked with the rules only.

Each file has `positive` (sentences that carry the label) and `lawful` (look-alikes that must stay compliant).
Lawful probes must all be compliant; at least 85% of the positives must carry the file's label.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from service.pipeline import analyze

PROBES_DIR = Path(__file__).parent / "fixtures" / "probes"
PROBE_FILES = sorted(PROBES_DIR.glob("*.yaml"))
MIN_RECALL = 0.85


def _load(path: Path) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {"positive": list(data.get("positive") or []), "lawful": list(data.get("lawful") or [])}


@pytest.mark.parametrize("path", PROBE_FILES, ids=[p.stem for p in PROBE_FILES])
def test_lawful_probes_are_compliant(path: Path) -> None:
    flagged = []
    for text in _load(path)["lawful"]:
        labels = analyze(text, use_model=False)["labels"]
        if labels != ["compliant"]:
            flagged.append((text, labels))
    assert not flagged, f"{path.stem}: {len(flagged)} lawful probe(s) flagged: {flagged}"


@pytest.mark.parametrize("path", PROBE_FILES, ids=[p.stem for p in PROBE_FILES])
def test_positive_probe_recall(path: Path) -> None:
    label = path.stem
    positives = _load(path)["positive"]
    assert positives, f"{label}: no positive probes"
    missed = [t for t in positives if label not in analyze(t, use_model=False)["labels"]]
    rate = 1 - len(missed) / len(positives)
    assert rate >= MIN_RECALL, (
        f"{label}: rule recall on probes {rate:.1%} ({len(positives) - len(missed)}/{len(positives)}) "
        f"< {MIN_RECALL:.0%}; missed: {missed}"
    )
