"""The legal catalog resolves citations by the date of the conduct and by case attributes."""

from __future__ import annotations

from datetime import date

from rules.findings import VIOLATION_LABELS
from rules.legal import load_catalog


def test_every_label_has_default_citations() -> None:
    catalog = load_catalog()
    for label in VIOLATION_LABELS:
        assert catalog.for_label(label), label


def test_public_security_law_article_follows_the_date() -> None:
    catalog = load_catalog()
    assert "psl_2012_42" in catalog.for_label("threat_violence", date(2025, 6, 1))
    assert "psl_2025_50" in catalog.for_label("threat_violence", date(2026, 3, 1))
    assert "psl_2025_50" in catalog.for_label("threat_violence")


def test_guideline_not_cited_before_it_existed() -> None:
    catalog = load_catalog()
    assert "cba_2026" not in catalog.for_label("harassment_frequency", date(2025, 12, 1))
    assert "cba_2026" in catalog.for_label("harassment_frequency", date(2026, 5, 1))


def test_illegal_debt_offence_needs_the_case_attribute() -> None:
    catalog = load_catalog()
    ids = ["cl_293_1", "cl_293"]
    assert catalog.resolve(ids) == ["cl_293"]
    assert catalog.resolve(ids, case_attributes=frozenset({"illegal_debt"})) == ids


def test_citation_text() -> None:
    assert load_catalog().get("cl_279").citation == "中华人民共和国刑法 第二百七十九条（招摇撞骗罪）"
