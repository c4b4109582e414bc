"""PDF rendering with reportlab's built-in CJK CID font (STSong-Light): Chinese renders with no font download.

The font is not embedded; every PDF reader ships or substitutes the Adobe-GB1 song face, and text extraction
(pypdf, pdftotext) returns the original characters.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from functools import lru_cache
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from service.reports.model import Report

FONT = "STSong-Light"
PAGE_WIDTH = A4[0] - 36 * mm


@lru_cache(maxsize=1)
def _styles() -> dict[str, ParagraphStyle]:
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    base = ParagraphStyle("base", fontName=FONT, fontSize=10.5, leading=16, wordWrap="CJK")
    return {
        "base": base,
        "title": ParagraphStyle("title", parent=base, fontSize=17, leading=24, alignment=TA_CENTER, spaceAfter=8),
        "h2": ParagraphStyle("h2", parent=base, fontSize=13, leading=20, spaceBefore=10, spaceAfter=4, keepWithNext=1,
                             textColor=colors.HexColor("#8b1a1a")),
        "meta": ParagraphStyle("meta", parent=base, fontSize=9, leading=13, textColor=colors.HexColor("#555555")),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8.5, leading=12),
        "head": ParagraphStyle("head", parent=base, fontSize=8.5, leading=12, textColor=colors.white),
        "hash": ParagraphStyle("hash", parent=base, fontName="Courier", fontSize=7, leading=9),
        "letter": ParagraphStyle("letter", parent=base, fontSize=11.5, leading=20),
    }


def _p(text: object, style: str = "base") -> Paragraph:
    return Paragraph(escape("" if text is None else str(text)).replace("\n", "<br/>"), _styles()[style])


def _table(header: list[str], rows: Iterable[list[object]], widths: list[float],
           hash_cols: tuple[int, ...] = ()) -> Table:
    data = [[_p(h, "head") for h in header]]
    for row in rows:
        data.append([_p(v, "hash" if i in hash_cols else "cell") for i, v in enumerate(row)])
    total = sum(widths)
    table = Table(data, colWidths=[w / total * PAGE_WIDTH for w in widths], repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#999999")),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#444444")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]))
    return table


def _footer(label: str):
    def draw(canvas, doc) -> None:  # noqa: ANN001 - reportlab callback signature
        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.drawCentredString(A4[0] / 2, 10 * mm, f"{label}　第 {doc.page} 页")
        canvas.restoreState()
    return draw


def _build(story: list[Flowable], title: str, footer: str) -> bytes:
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm,
                            bottomMargin=18 * mm, title=title, author="cuishou-guard 催收合规卫士", lang="zh-CN")
    doc.build(story, onFirstPage=_footer(footer), onLaterPages=_footer(footer))
    return buf.getvalue()


def _hits(hits: list) -> str:
    return "；".join(f"{h.value}（附件{'、'.join(map(str, h.sources))}）" for h in hits) or "—"


def render_pdf(report: Report) -> bytes:
    """The evidence report as PDF bytes."""
    r = report
    f = r.facts
    story: list[Flowable] = [_p(r.title, "title"),
                             _p(f"案件编号：{r.case_id}　生成时间：{r.generated_at}（{r.timezone}）"
                                + (f"　涉及期间：{r.period}" if r.period else ""), "meta"), Spacer(1, 4)]
    story.append(_p("一、案件基本情况", "h2"))
    lender = (f.lender or "未注明") + (f"（{f.lender_type_zh}）" if f.lender_type_zh else "")
    facts_rows: list[list[object]] = [["借款平台", f.platform or "未注明"], ["放贷机构", lender]]
    facts_rows += [[k, v] for k, v in f.loan] + [[f"借款人{k}", v] for k, v in f.borrower]
    if f.region:
        facts_rows.append(["所在地区", f.region])
    facts_rows += [["催收方使用的号码", _hits(f.phones)], ["出现的机构/律所名称", _hits(f.organisations)],
                   ["对方自称的身份", _hits(f.identities)], ["提及的金额", _hits(f.amounts)],
                   ["提及的日期", _hits(f.dates)]]
    story.append(_table(["项目", "内容"], facts_rows, [1, 3]))
    story.append(_p("二、违规情况汇总", "h2"))
    if r.label_counts:
        story.append(_table(["违规类别", "次数"], [[f"{zh}（{label}）", n] for label, zh, n in r.label_counts], [3, 1]))
    else:
        story.append(_p("未发现违规内容。"))
    story.append(_p("三、时间线", "h2"))
    story.append(_table(["时间", "类型/渠道", "发送方", "内容摘要", "违规类别", "附件"],
                        [[t.time, f"{t.kind}/{t.channel}", t.speaker, t.summary, "、".join(t.labels), t.evidence_no]
                         for t in r.timeline], [2.2, 1.6, 1.8, 5, 2, 0.8]))
    story.append(_p("四、违规内容明细", "h2"))
    if r.findings:
        story.append(_table(
            ["序号", "时间/渠道/说话人", "原文", "类别", "识别方式/置信度", "法律依据", "附件"],
            [[x.no, f"{x.when}\n{x.channel}\n{x.speaker}", f"“{x.quote}”", x.label_zh,
              f"{x.detector}\n{x.confidence:.2f}",
              "\n".join(c.short + ("（待核实）" if c.verify else "") for c in x.legal_basis), x.evidence_no]
             for x in r.findings], [0.7, 2.4, 3.6, 1.6, 2.2, 3.6, 0.8]))
    else:
        story.append(_p("无。"))
    story.append(_p("五、联系频次统计", "h2"))
    for s in r.contact_stats:
        story.append(_p(f"附件{s.evidence_no}（夜间指当地时间 {s.quiet_window}{'，时区 ' + s.tz if s.tz else ''}）："))
        story.append(_table(["指标", "数值"], [[zh, v] for _, zh, v in s.figures], [3, 1]))
        if s.per_day:
            story.append(Spacer(1, 4))
            story.append(_table(s.per_day_header, s.per_day, [2.2] + [1] * (len(s.per_day_header) - 1)))
        if s.rules:
            story.append(_p("适用规则：" + "；".join(s.rules), "meta"))
    if not r.contact_stats:
        story.append(_p("本案未提交通话/短信记录。"))
    story.append(_p("六、引用的法律法规", "h2"))
    for c in r.legal or []:
        story.append(_p(f"● {c.citation}{'（条款编号待核实）' if c.verify else ''}：{c.summary}", "cell"))
    if not r.legal:
        story.append(_p("无。"))
    story.append(_p("七、证据清单与完整性校验（SHA-256）", "h2"))
    story.append(_table(["附件", "类型/说明", "文件名", "大小", "接收时间", "SHA-256"],
                        [[e.no, f"{e.kind_zh}：{e.description}", e.filename, e.size, e.received_at, e.sha256]
                         for e in r.evidence], [0.6, 3, 2, 0.9, 2, 3.6], hash_cols=(5,)))
    story.append(_p(f"清单摘要（SHA256SUMS 文件的 SHA-256）：{r.manifest_sha256}", "meta"))
    story.append(_p("校验方法：将证据包中的原始文件与上表的 SHA-256 对照（如 sha256sum -c SHA256SUMS），"
                    "一致即说明文件自提交后未被改动。", "meta"))
    if r.notes:
        story.append(_p("备注", "h2"))
        story += [_p(f"● {n}", "cell") for n in r.notes]
    return _build(story, r.title, f"催收违规行为证据报告　案件 {r.case_id}")


def render_text_pdf(title: str, text: str, footer: str = "") -> bytes:
    """A letter-style PDF of (possibly user-edited) plain text: title centred, paragraphs as written."""
    story: list[Flowable] = [_p(title, "title"), Spacer(1, 6)]
    for para in text.split("\n"):
        story.append(_letter_paragraph(para) if para.strip() else Spacer(1, 8))
    return _build(story, title, footer or title)


def _letter_paragraph(line: str) -> Paragraph:
    """One line of a letter; leading full-width spaces (the customary two-character indent) become an indent,
    since reportlab drops leading whitespace."""
    body = line.lstrip("\u3000 \t")
    indent = sum(2 if ch == "\u3000" else 1 for ch in line[: len(line) - len(body)])
    base = _styles()["letter"]
    style = ParagraphStyle(f"letter-indent-{indent}", parent=base, firstLineIndent=indent * base.fontSize / 2)
    return Paragraph(escape(body), style)
