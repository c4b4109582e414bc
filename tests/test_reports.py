"""Documents built from a case: the report model, PDF text (Chinese quotes must survive), letters, facts."""

from __future__ import annotations

import io
import json
import re
from datetime import datetime, timezone
from pathlib import Path

import pypdf
import pytest

from service.case_analysis import analyze_case
from service.extract import extract_amounts, extract_dates, extract_identities, extract_organisations, extract_phones
from service.reports.complaint import build_complaint
from service.reports.html import render_html
from service.reports.json_report import render_json
from service.reports.letter import render_letter
from service.reports.markdown import render_markdown
from service.reports.model import build_report, evidence_filename, formal_citation
from service.reports.pdf import render_pdf, render_text_pdf
from service.reports.police import build_police_report
from service.reports.recipients import default_recipient, infer_lender_type
from service.store import Store, add_item, get_case, new_case

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 6, 10, 12, 0, tzinfo=timezone.utc)
MESSAGES = [
    ("【某某金融】我是北京正义律师事务所的张律师，再不还钱就打断你的腿", "2025-12-20T22:41:00+08:00", "13812345678"),
    ("你这个老赖，你等着，弄死你", "2026-05-03T23:00:00+08:00", "17098765432"),
]


def pdf_text(data: bytes) -> str:
    """All text of a PDF with whitespace removed (table cells may wrap anywhere)."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))


def _add_message(session, case, text: str, time: str | None, sender: str | None, channel: str = "sms") -> None:
    record = {k: v for k, v in {"text": text, "channel": channel, "time": time, "from": sender}.items() if v}
    add_item(session, case, kind="message", content=json.dumps(record, ensure_ascii=False, sort_keys=True).encode(),
             media_type="application/json", meta={k: v for k, v in record.items() if k != "text"})


@pytest.fixture()
def store(tmp_path: Path) -> Store:
    s = Store(f"sqlite:///{tmp_path}/cases.db")
    yield s
    s.dispose()


def make_case(store: Store, facts: dict | None = None, platform: str = "某某借款App", contacts: bool = True) -> str:
    with store.transaction() as session:
        case, _ = new_case(session, platform=platform, facts=facts if facts is not None else {
            "lender": "某某消费金融有限公司", "lender_type": "consumer_finance", "region": "广东省深圳市",
            "borrower": {"name": "李四", "phone": "13900000000"}, "loan": {"amount": "8000元"}})
        for text, time, sender in MESSAGES:
            _add_message(session, case, text, time, sender)
        add_item(session, case, kind="transcript", content="催收员：你等着，弄死你\n客户：我没钱\n".encode("gbk"),
                 media_type="text/plain", filename="通话录音.txt", meta={"time": "2026-05-04T10:00:00+08:00"})
        if contacts:
            add_item(session, case, kind="contacts",
                     content=(ROOT / "datasets/authored/contacts/c22_bad_week_mixed.json").read_bytes(),
                     media_type="application/json", filename="log.json", meta={})
        return case.id


def report_for(store: Store, case_id: str):
    with store.transaction() as session:
        return build_report(analyze_case(get_case(session, case_id), use_model=False), now=NOW)


# ---------------------------------------------------------------- the report model


def test_report_model(store: Store) -> None:
    report = report_for(store, make_case(store))
    quotes = [f.quote for f in report.findings]
    assert "打断你的腿" in quotes and "老赖" in quotes and "弄死你" in quotes
    first = report.findings[0]
    assert first.time == "2025-12-20 22:41" and first.channel == "短信" and first.speaker == "13812345678"
    assert first.label_zh == "暴力威胁/恐吓" and first.evidence_no == 1
    times = [f.time for f in report.findings if f.time != "未注明"]
    assert times == sorted(times)
    assert [e.no for e in report.evidence] == [1, 2, 3, 4] and all(len(e.sha256) == 64 for e in report.evidence)
    assert report.manifest.count("\n") == 4
    phones = [h.value for h in report.facts.phones]
    assert "13812345678" in phones and "17098765432" in phones
    assert [h.value for h in report.facts.organisations][:2] == ["某某金融", "北京正义律师事务所"]
    assert report.contact_stats and dict((k, v) for k, _, v in report.contact_stats[0].figures)["night_contacts"] == 10
    assert report.contact_stats[0].per_day and report.contact_stats[0].rules
    assert report.period == "2025年12月20日至2026年6月6日"
    assert [t.time for t in report.timeline][:2] == ["2025-12-20 22:41", "2026-05-03 23:00"]


def test_law_follows_the_date_of_the_conduct(store: Store) -> None:
    report = report_for(store, make_case(store, contacts=False))
    by_quote = {f.quote: [c.id for c in f.legal_basis] for f in report.findings if f.evidence_no in (1, 2)}
    assert "psl_2012_42" in by_quote["打断你的腿"] and "psl_2025_50" not in by_quote["打断你的腿"]
    assert "psl_2025_50" in by_quote["弄死你"]


def test_illegal_debt_cites_article_293_1(store: Store) -> None:
    plain = report_for(store, make_case(store, contacts=False))
    assert "cl_293_1" not in [c.id for c in plain.legal]
    illegal = report_for(store, make_case(store, facts={"illegal_debt": True}, contacts=False))
    assert "cl_293_1" in [c.id for c in illegal.legal]


# ---------------------------------------------------------------- renderers


def test_pdf_report_contains_the_chinese_quotes(store: Store) -> None:
    report = report_for(store, make_case(store))
    data = render_pdf(report)
    assert data.startswith(b"%PDF")
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert len(reader.pages) >= 2
    text = pdf_text(data)
    for quote in ("打断你的腿", "老赖", "弄死你", "暴力威胁/恐吓", "催收违规行为证据报告（某某借款App）"):
        assert quote in text, quote
    for e in report.evidence:
        assert e.sha256 in text
    assert "STSong-Light" in data.decode("latin-1")


def test_markdown_html_json(store: Store) -> None:
    report = report_for(store, make_case(store))
    md = render_markdown(report)
    assert "“打断你的腿”" in md and "| 序号 | 时间 |" in md and report.evidence[0].sha256 in md
    html = render_html(report)
    assert "打断你的腿" in html and "<script" not in html and "http" not in html
    data = json.loads(render_json(report))
    assert data["findings"][0]["quote"] == "打断你的腿" and data["manifest_sha256"] == report.manifest_sha256


def test_complaint_letter(store: Store) -> None:
    report = report_for(store, make_case(store))
    letter = build_complaint(report, today=NOW)
    assert letter.recipient.name == "国家金融监督管理总局广东省深圳市监管局"
    text = letter.text
    assert text.startswith("国家金融监督管理总局广东省深圳市监管局：")
    for part in ("投诉人：李四", "一、违规事实", "二、投诉依据", "三、投诉请求", "四、证据材料清单", "此致", "敬礼！",
                 "2025年12月20日22时41分，号码13812345678通过短信称：“打断你的腿”（见附件1）",
                 "《中华人民共和国治安管理处罚法》（2012年修正）第四十二条", "日期：2026年6月10日"):
        assert part in text, part
    for e in report.evidence:
        assert e.sha256 in text
    body, media = render_letter(letter, "pdf")
    assert media == "application/pdf"
    pdf = pdf_text(body)
    assert "打断你的腿" in pdf and "投诉人：李四" in pdf


def test_police_report(store: Store) -> None:
    report = report_for(store, make_case(store))
    doc = build_police_report(report, today=NOW)
    assert doc.title == "报案材料" and doc.recipient.name == "广东省深圳市公安局（派出所）"
    text = doc.text
    assert "案由：涉嫌寻衅滋事罪" in text and "违反治安管理的行为" in text
    assert "“打断你的腿”" in text and "报案人保证以上所述内容真实" in text
    laws = text.split("四、涉嫌违反的法律规定")[1].split("五、报案请求")[0]
    assert "刑法" in laws and "民法典" not in laws and "GB/T" not in laws
    pdf = pdf_text(render_letter(doc, "pdf")[0])
    assert "报案材料" in pdf and "弄死你" in pdf


def test_letters_without_facts_leave_blanks(store: Store) -> None:
    report = report_for(store, make_case(store, facts={}, platform="", contacts=False))
    letter = build_complaint(report, today=NOW)
    assert letter.recipient.id == "lender" and "投诉人：＿＿＿＿" in letter.text
    assert "＿＿＿＿派出所" in build_police_report(report, today=NOW).text


def test_text_pdf_keeps_user_edits() -> None:
    data = render_text_pdf("投诉信", "国家金融监督管理总局：\n\n　　我补充的一句话：请依法处理。<b>不是标签</b>")
    text = pdf_text(data)
    assert "我补充的一句话：请依法处理。<b>不是标签</b>" in text


# ---------------------------------------------------------------- helpers


@pytest.mark.parametrize(("lender", "platform", "kind", "recipient"), [
    ("招商银行信用卡中心", "", "credit_card", "nfra"), ("某某银行", "", "bank", "nfra"),
    ("某某消费金融有限公司", "", "consumer_finance", "nfra"),
    ("某某小额贷款有限公司", "", "microloan", "local_regulator"),
    ("", "某某App", "other", "lender"),
])
def test_recipient_selection(store: Store, lender: str, platform: str, kind: str, recipient: str) -> None:
    report = report_for(store, make_case(store, facts={"lender": lender}, platform=platform, contacts=False))
    assert infer_lender_type(report.facts) == kind
    assert default_recipient(report.facts).id == recipient


def test_formal_citation() -> None:
    assert formal_citation("中华人民共和国刑法", "第二百九十三条", "寻衅滋事罪") == \
        "《中华人民共和国刑法》第二百九十三条（寻衅滋事罪）"
    assert formal_citation("中华人民共和国治安管理处罚法（2012年修正）", "第四十二条", "x") == \
        "《中华人民共和国治安管理处罚法》（2012年修正）第四十二条（x）"
    assert formal_citation("中国互联网金融协会《公约》（2018）", "催收行为规范", "自律要求") == \
        "中国互联网金融协会《公约》（2018）关于自律要求的规定"


def test_evidence_filename_is_safe(store: Store) -> None:
    with store.transaction() as session:
        case, _ = new_case(session)
        item = add_item(session, case, kind="transcript", content=b"x", media_type="text/plain",
                        filename='../..\\evil:"name".txt')
        plain = add_item(session, case, kind="message", content=b"{}", media_type="application/json")
        assert "/" not in evidence_filename(item) and "\\" not in evidence_filename(item)
        assert evidence_filename(plain) == "002-message.json"


def test_extract_facts() -> None:
    text = ("【某某金融】我是北京正义律师事务所的张律师，你欠款5,000元，逾期费¥300，两万块，2026年5月3日前还清，"
            "联系13812345678或+86 139-0000-1111或0755-12345678或400-123-4567，5月6日上门。这里是朝阳区人民法院。")
    assert [p for p, _ in extract_phones(text)] == ["13812345678", "13900001111", "0755-12345678", "4001234567"]
    assert extract_phones("欠款95000元，客服95555") == [("95555", "short")]
    assert extract_organisations(text) == ["某某金融", "北京正义律师事务所", "朝阳区人民法院"]
    assert "北京正义律师事务所的张律师" in extract_identities(text)
    assert extract_amounts(text) == ["5,000元", "¥300", "两万块"]
    assert extract_dates(text) == ["2026-05-03", "05-06"]
