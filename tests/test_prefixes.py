"""The regex analysis the engine uses to skip work must never skip a match.

`literal_prefixes` claims every match starts with one of its strings; `required_literals` claims every match
of some alternative contains a member of each of its sets. Both are checked against real matches: on
hand-picked patterns, on random texts (hypothesis), and on every pack pattern over every pack example.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rules.engine import get_engine
from rules.prefixes import literal_prefixes, required_literals


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("打断你的腿", {"打断你的腿"}),
        ("(?:一|半)个?小时", {"一个小时", "一小时", "半个小时", "半小时"}),
        ("每(?:隔)?一次", {"每隔一次", "每一次"}),
        ("(?:a|b)?c", {"ac", "bc", "c"}),
        ("(?:^|b)c", {"c", "bc"}),
        ("(?:a|)b", {"ab", "b"}),
        ("每(?:隔)?[0-9]{1,3}分钟", {"每隔", "每"}),
        ("(?:户名|收款人)(?:写|填)", {"户名写", "户名填", "收款人写", "收款人填"}),
        ("联系(?<!你联系)家人|通知(?<!你通知)家人", {"联系家人", "通知家人"}),
        ("(?:^|(?<=[，。]))交钱", {"交钱"}),
        ("[甲乙]元", {"甲元", "乙元"}),
        ("a+b", {"a"}),
        ("(a)\\1", {"a"}),
    ],
)
def test_prefixes_of_known_shapes(pattern: str, expected: set[str]) -> None:
    assert literal_prefixes(pattern) == expected


@pytest.mark.parametrize(
    "pattern",
    ["(?:a|b)*c", "[一-龥]某", "[0-2]元", r"\d+元", "x*y", "(?i)abc", ".打", "[^你]打", "(?:a|)", "a?", ""],
)
def test_no_prefixes_where_a_match_may_start_anywhere(pattern: str) -> None:
    assert literal_prefixes(pattern) is None


def test_required_literals_per_alternative() -> None:
    reqs = required_literals("每(?:隔)?(?:一|两)?个?(?:小时|分钟)[^。]{0,10}?(?:打|拨|电话)|晚上打")
    assert reqs == [[{"每"}, {"小时", "分钟"}, {"打", "拨", "电话"}], [{"晚上打"}]]
    assert required_literals("(?:a|b)?c+d") == [[{"c"}, {"d"}]]
    assert required_literals("(?i)abc") is None


def _check_sound(pattern: str, text: str) -> None:
    rx = re.compile(pattern)
    prefixes = literal_prefixes(pattern)
    alternatives = required_literals(pattern)
    for m in rx.finditer(text):
        if m.end() == m.start():
            continue
        if prefixes is not None:
            assert any(text.startswith(p, m.start()) for p in prefixes), (pattern, text, m)
        if alternatives is not None:
            assert any(all(any(w in text for w in words) for words in sets) for sets in alternatives), (
                pattern, text, m)


_PATTERNS = [
    "(?:一|半)个?小时(?:一次|一个)",
    "每(?:隔)?(?:[0-9]{1,2})?分钟[^。]{0,4}?(?:打|发)",
    "(?:给|跟)(?:你的?)?(?:(?![不没])[^，。]){0,4}?(?:家人|同事)(?:的)?电话",
    "(?:^|(?<=[，。]))交(?:个)?[0-9]+元",
    "(?:户名|收款人)(?:为|是)?[一-龥]某",
    "打(?!扰)你",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(list("一半个小时次每隔0129分钟打发给跟你的家人同事电话，。交元户名收款人为是张某扰不没")),
                max_size=24).map("".join))
def test_analysis_is_sound_on_random_text(text: str) -> None:
    for pattern in _PATTERNS:
        _check_sound(pattern, text)


def test_trigger_scan_finds_exactly_what_finditer_finds_on_pack_examples() -> None:
    """For every rule with trigger literals, matching only at the triggers gives finditer's matches."""
    import ahocorasick_rs

    from rules.normalize import normalize

    engine = get_engine()
    texts = [ex for _, rule in engine.rules() for ex in (*rule.examples.positive, *rule.examples.negative)]
    norms = [normalize(t).norm for t in texts]
    checked = 0
    for compiled in engine.compiled:
        if compiled.free is None:
            continue
        triggers = sorted(compiled.triggers or ())
        automaton = ahocorasick_rs.AhoCorasick(triggers) if triggers else None
        for norm in norms:
            expected = [(m.start(), m.end()) for m in compiled.free.finditer(norm)]
            if expected:
                _check_sound(compiled.free.pattern, norm)
            if automaton is None:
                continue
            got, resume = [], 0
            for pos in sorted({s for _, s, _ in automaton.find_matches_as_indexes(norm, overlapping=True)}):
                if pos >= resume:
                    m = compiled.free.match(norm, pos)
                    if m:
                        got.append((m.start(), m.end()))
                        resume = m.end()
            assert got == expected, (compiled.rule.id, norm)
            checked += 1
    assert checked > 1000


def _dedupe_reference(findings):
    """The plain quadratic definition of the engine's de-duplication."""
    ordered = sorted(findings, key=lambda f: (f.label, -f.confidence, -(f.end - f.start), f.start))
    kept = []
    for f in ordered:
        if not any(k.label == f.label and k.start < f.end and f.start < k.end for k in kept):
            kept.append(f)
    return sorted(kept, key=lambda f: (f.start, f.label))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["threat_violence", "insult_abuse"]), st.integers(0, 60),
                          st.integers(1, 12), st.sampled_from([0.6, 0.8, 0.95])), max_size=40))
def test_dedupe_matches_its_definition(spans: list[tuple[str, int, int, float]]) -> None:
    from rules.engine import _dedupe
    from rules.findings import Finding

    def make():
        return [Finding(label, s, s + n, "x" * n, "rule", f"r{i}", c) for i, (label, s, n, c) in enumerate(spans)]

    assert [f.rule_id for f in _dedupe(make())] == [f.rule_id for f in _dedupe_reference(make())]


def test_veto_lookup_by_position_on_long_texts() -> None:
    """A long text with many veto phrases vetoes exactly as a short one does (sorted, bisected lookup)."""
    engine = get_engine()
    lawful = [ex for _, rule in engine.rules() for ex in rule.examples.negative
              if any(v["reason"].startswith("lawful exception") for v in engine.scan(ex, debug=True).vetoed)]
    assert len(lawful) > 20
    unit = "。".join(lawful[:20]) + "。再不还就弄死你。"
    single = engine.scan(unit, debug=True)
    many = engine.scan(unit * 10, debug=True)
    assert len(single.vetoed) >= 20
    assert len(many.findings) == 10 * len(single.findings)
    def vetoes(result, n: int) -> list[tuple]:  # order-free: (position within the unit, rule, reason)
        return sorted((v["start"] % len(unit), v["rule_id"], v["reason"]) for v in result.vetoed) * n

    assert vetoes(many, 1) == sorted(vetoes(single, 10))


def test_engine_shortcuts_change_no_result() -> None:
    """The engine with its trigger and gate shortcuts finds exactly what it finds without them."""
    from rules.engine import RuleEngine, load_packs

    fast = get_engine()
    plain = RuleEngine(*load_packs(), shortcuts=False)
    assert any(c.triggers for c in fast.compiled) and any(c.free_gate for c in fast.compiled)
    assert all(c.triggers is None and c.free_gate is None for c in plain.compiled)
    texts = [ex for _, rule in fast.rules() for ex in (*rule.examples.positive, *rule.examples.negative)]
    texts += [t + "，" + u for t, u in zip(texts, reversed(texts), strict=True)]  # longer texts with several matches
    for text in texts:
        a, b = fast.scan(text, debug=True), plain.scan(text, debug=True)
        assert [f.to_dict() for f in a.findings] == [f.to_dict() for f in b.findings], text
        assert a.vetoed == b.vetoed, text
