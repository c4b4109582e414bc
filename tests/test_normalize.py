"""Normalization keeps a faithful map back to the original text, whatever evasions are mixed in."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from rules.engine import get_engine
from rules.normalize import normalize

EVASIONS = ["打 断/你.的*腿", "弄😀死你", "nong si ni", "老\u200b赖", "ＳＢ", "傻 b", "後果自負", "沙比",
            "！！！！", "…", "\ufeff"]
PIECES = st.one_of(
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=8),
    st.sampled_from(EVASIONS),
    st.sampled_from(["再不还钱", "我们", "你等着", "，", "。", " ", "联系你家人", "征信"]),
)


@given(st.lists(PIECES, max_size=12).map("".join))
@settings(max_examples=400, deadline=None)
def test_norm_map_points_into_original(text: str) -> None:
    nt = normalize(text)
    assert len(nt.folded) == len(text)
    if nt.norm_map is not None:
        assert len(nt.norm_map) == len(nt.norm)
        assert list(nt.norm_map) == sorted(set(nt.norm_map))
        for i, j in enumerate(nt.norm_map):
            assert nt.folded[j] == nt.norm[i]
    if nt.hom_map is not None:
        assert nt.hom_map[-1][1] <= len(nt.norm)


@given(st.lists(PIECES, max_size=12).map("".join))
@settings(max_examples=400, deadline=None)
def test_every_finding_quotes_the_original(text: str) -> None:
    for f in get_engine().scan(text).findings:
        assert 0 <= f.start < f.end <= len(text)
        assert f.quote == text[f.start:f.end]


def test_separator_evasion_is_mapped_back() -> None:
    text = "再不还，打 断/你.的*腿！"
    nt = normalize(text)
    i = nt.norm.index("打断你的腿")
    s, e = nt.norm_to_original(i, i + 5)
    assert text[s:e] == "打 断/你.的*腿"


def test_traditional_and_fullwidth_fold_one_to_one() -> None:
    nt = normalize("後果自負ＳＢ")
    assert nt.folded == "后果自负sb"


def test_pinyin_run_becomes_homophones() -> None:
    nt = normalize("nong si ni")
    assert nt.hom == normalize("弄死你").hom


def test_digits_keep_their_dots() -> None:
    assert normalize("逾期费用3.5元").norm == "逾期费用3.5元"
