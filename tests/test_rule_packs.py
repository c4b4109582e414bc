"""Every rule's own examples: positives must fire that rule, negatives must not."""

from __future__ import annotations

import pytest

from rules.engine import get_engine, load_packs
from rules.schema import PackError, RulePack, load_yaml_model

ENGINE = get_engine()
CASES = [
    (rule.id, sentence, kind)
    for _, rule in ENGINE.rules()
    for kind in ("positive", "negative")
    for sentence in getattr(rule.examples, kind)
]


@pytest.mark.parametrize(("rule_id", "sentence", "kind"), CASES)
def test_rule_example(rule_id: str, sentence: str, kind: str) -> None:
    result = ENGINE.scan(sentence, debug=True)
    fired = result.fired  # before overlapping findings of one label are merged
    if kind == "positive":
        assert rule_id in fired, f"{rule_id} should fire on {sentence!r}; vetoed: {result.vetoed}"
    else:
        assert rule_id not in fired, f"{rule_id} should not fire on {sentence!r}"


def test_every_label_has_a_pack() -> None:
    from rules.findings import VIOLATION_LABELS

    packs, _ = load_packs()
    assert {p.label for p in packs} == set(VIOLATION_LABELS)


def test_every_rule_has_examples() -> None:
    for _, rule in ENGINE.rules():
        assert rule.examples.positive, f"{rule.id} has no positive example"
        assert rule.examples.negative, f"{rule.id} has no negative example"


def test_unknown_key_is_rejected_with_hint(tmp_path) -> None:
    bad = tmp_path / "threat_violence.yaml"
    bad.write_text("label: threat_violence\nrules:\n  - id: threat_violence.x\n    description: d\n"
                   "    keywrds: [打你]\n", encoding="utf-8")
    with pytest.raises(PackError) as exc:
        load_yaml_model(bad, RulePack)
    assert "keywrds" in str(exc.value) and "did you mean 'keywords'" in str(exc.value)


def test_unknown_label_is_rejected(tmp_path) -> None:
    bad = tmp_path / "x.yaml"
    bad.write_text("label: threat_violense\nrules: []\n", encoding="utf-8")
    with pytest.raises(PackError, match="did you mean 'threat_violence'"):
        load_yaml_model(bad, RulePack)


def test_legal_basis_ids_exist() -> None:
    from rules.legal import PSL_PLACEHOLDER, load_catalog

    catalog = load_catalog()
    for _, rule in ENGINE.rules():
        for basis in rule.legal_basis:
            assert basis == PSL_PLACEHOLDER or basis in catalog.instruments, f"{rule.id}: {basis}"
