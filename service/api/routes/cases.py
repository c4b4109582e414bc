"""Cases: create one, add evidence (messages, transcripts, contact logs, screenshots), download documents.

Every endpoint except creation needs the case's key in ``X-Case-Key`` (or the server API key in
``X-API-Key``). Each write is one transaction, committed before the answer is sent.
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, File, Form, HTTPException, Query, Response, UploadFile, status
from sqlalchemy.orm import Session

from service.api.deps import CaseDep, DbDep, SettingsDep
from service.api.schemas import (
    CaseCreate,
    CaseCreated,
    CaseFactsIn,
    CaseOut,
    ContactIn,
    ContactLogIn,
    ContactsAdded,
    DocumentIn,
    ErrorOut,
    EvidenceOut,
    ItemsAdded,
    MessageIn,
    TranscriptAdded,
)
from service.api.uploads import read_upload, safe_filename
from service.case_analysis import ItemAnalysis, analyze_case, analyze_item, case_attributes
from service.settings import Settings
from service.store import Case, EvidenceItem, add_item, new_case, utcnow

router = APIRouter(prefix="/v1/cases", tags=["cases"])

AUTH_ERRORS: dict[int | str, dict[str, Any]] = {401: {"model": ErrorOut, "description": "no key"},
                                                404: {"model": ErrorOut, "description": "unknown case or wrong key"}}
ReportFormat = Literal["json", "md", "html", "pdf"]
LetterFormat = Literal["json", "txt", "md", "html", "pdf"]
TranscriptFormat = Literal["auto", "txt", "srt", "vtt", "json"]
MEDIA = {"json": "application/json", "md": "text/markdown; charset=utf-8", "html": "text/html; charset=utf-8",
         "pdf": "application/pdf", "txt": "text/plain; charset=utf-8"}


# ------------------------------------------------------------------ helpers


def _canonical(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def _evidence_out(item: EvidenceItem, labels: list[str] | None = None) -> EvidenceOut:
    meta = {k: v for k, v in (item.meta or {}).items() if k not in ("text", "numbers")}
    return EvidenceOut(no=item.seq, kind=item.kind, filename=item.filename, media_type=item.media_type,
                       size=item.size, sha256=item.sha256, received_at=item.received_at, meta=meta, labels=labels)


def _check_room(case: Case, settings: Settings, adding: int) -> None:
    if len(case.items) + adding > settings.max_case_items:
        raise HTTPException(413,
                            f"a case holds at most {settings.max_case_items} evidence items (CUISHOU_MAX_CASE_ITEMS)")


def _analyse_new(item: EvidenceItem, case: Case, settings: Settings, strict: bool = True) -> ItemAnalysis:
    result = analyze_item(item, ZoneInfo(settings.timezone), case_attributes(case), settings.use_model)
    if strict and result.error:
        raise HTTPException(422, f"cannot read the {item.kind}: {result.error}")
    return result


def _add_message(db: Session, case: Case, msg: MessageIn) -> EvidenceItem:
    record = msg.model_dump(mode="json", by_alias=True, exclude_none=True)
    note = record.pop("note", None)
    meta = {k: v for k, v in record.items() if k != "text"}
    if note:
        meta["note"] = note
    return add_item(db, case, kind="message", content=_canonical(record), media_type="application/json", meta=meta)


def _add_contacts(db: Session, case: Case, contacts: list[ContactIn]) -> EvidenceItem:
    rows = [c.model_dump(mode="json", by_alias=True, exclude_none=True) for c in contacts]
    numbers = sorted({r["from"] for r in rows if r.get("from")})
    return add_item(db, case, kind="contacts", content=_canonical({"contacts": rows}), media_type="application/json",
                    meta={"count": len(rows), "numbers": numbers})


def _links(case_id: str) -> dict[str, str]:
    base = f"/v1/cases/{case_id}"
    return {"self": base, "report": f"{base}/report", "complaint": f"{base}/complaint",
            "police_report": f"{base}/police-report", "evidence": f"{base}/evidence"}


def _report(case: Case, settings: Settings):  # noqa: ANN202 - returns service.reports.model.Report
    from service.reports.model import build_report

    return build_report(analyze_case(case, settings.timezone, settings.use_model))


def _download(body: bytes | str, fmt: str, stem: str) -> Response:
    data = body.encode("utf-8") if isinstance(body, str) else body
    headers = {}
    if fmt != "json":
        disposition = "attachment" if fmt in ("pdf", "md", "txt") else "inline"
        headers["Content-Disposition"] = f'{disposition}; filename="{stem}.{fmt}"'
    return Response(content=data, media_type=MEDIA[fmt], headers=headers)


# ------------------------------------------------------------------ the case itself


@router.post("", status_code=status.HTTP_201_CREATED, response_model=CaseCreated,
             responses={413: {"model": ErrorOut}, 422: {"model": ErrorOut}})
def create_case(body: CaseCreate, db: DbDep, settings: SettingsDep) -> CaseCreated:
    """Open a case, optionally with messages and a contact log. Keep the returned ``key``: it is shown once."""
    facts = body.model_dump(mode="json", exclude_none=True, exclude={"platform", "messages", "contacts"})
    case, key = new_case(db, platform=body.platform, facts=facts)
    _check_room(case, settings, len(body.messages) + (1 if body.contacts else 0))
    out: list[EvidenceOut] = []
    for msg in body.messages:
        item = _add_message(db, case, msg)
        out.append(_evidence_out(item, _analyse_new(item, case, settings).labels))
    if body.contacts:
        item = _add_contacts(db, case, body.contacts)
        out.append(_evidence_out(item, _analyse_new(item, case, settings).labels))
    db.commit()
    return CaseCreated(id=case.id, key=key, items=out, links=_links(case.id))


@router.get("/{case_id}", response_model=CaseOut, responses=AUTH_ERRORS)
def read_case(case: CaseDep) -> CaseOut:
    """The case's facts and evidence list (hashes included, contents not)."""
    return CaseOut(id=case.id, platform=case.platform, facts=case.facts or {}, created_at=case.created_at,
                   updated_at=case.updated_at, items=[_evidence_out(it) for it in case.items])


@router.patch("/{case_id}", response_model=CaseOut, responses=AUTH_ERRORS)
def update_case(body: CaseFactsIn, case: CaseDep, db: DbDep) -> CaseOut:
    """Change the case's facts (only the fields sent; ``null`` clears one)."""
    changes = body.model_dump(mode="json", exclude_unset=True)
    if "platform" in changes:
        case.platform = changes.pop("platform")
    facts = dict(case.facts or {})
    for k, v in changes.items():
        if v is None:
            facts.pop(k, None)
        else:
            facts[k] = v
    case.facts = facts
    case.updated_at = utcnow()
    db.commit()
    return read_case(case)


@router.delete("/{case_id}", status_code=status.HTTP_204_NO_CONTENT, responses=AUTH_ERRORS)
def delete_case(case: CaseDep, db: DbDep) -> Response:
    """Delete the case and all its evidence."""
    db.delete(case)
    db.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# ------------------------------------------------------------------ evidence


@router.post("/{case_id}/messages", status_code=status.HTTP_201_CREATED, response_model=ItemsAdded,
             responses=AUTH_ERRORS)
def add_messages(body: MessageIn | list[MessageIn], case: CaseDep, db: DbDep, settings: SettingsDep) -> ItemsAdded:
    """Add one message or a list of messages (all or none are stored)."""
    messages = body if isinstance(body, list) else [body]
    if not messages:
        raise HTTPException(422, "no messages given")
    _check_room(case, settings, len(messages))
    out = []
    for msg in messages:
        item = _add_message(db, case, msg)
        out.append(_evidence_out(item, _analyse_new(item, case, settings).labels))
    db.commit()
    return ItemsAdded(items=out)


@router.post("/{case_id}/transcripts", status_code=status.HTTP_201_CREATED, response_model=TranscriptAdded,
             response_model_exclude_unset=True, responses={**AUTH_ERRORS, 413: {"model": ErrorOut}})
def add_transcript(
    case: CaseDep, db: DbDep, settings: SettingsDep,
    file: Annotated[UploadFile, File(description="transcript file (txt / srt / vtt / json; UTF-8 or GBK)")],
    format: Annotated[TranscriptFormat, Form()] = "auto",
    collector: Annotated[str | None, Form(description="the collector's speaker label")] = None,
    time: Annotated[str | None, Form(description="when the call took place (ISO-8601)")] = None,
    from_: Annotated[str | None, Form(alias="from", description="the calling number")] = None,
) -> TranscriptAdded:
    """Add a call transcript file; it is stored byte for byte and analysed."""
    data = read_upload(file, settings)
    _check_room(case, settings, 1)
    meta = {k: v for k, v in {"format": format, "collector": collector, "time": _iso(time), "from": from_}.items()
            if v}
    item = add_item(db, case, kind="transcript", content=data, media_type=file.content_type or "text/plain",
                    filename=safe_filename(file.filename), meta=meta)
    result = _analyse_new(item, case, settings)
    db.commit()
    return TranscriptAdded(items=[_evidence_out(item, result.labels)], analysis=result.detail)


@router.post("/{case_id}/contacts", status_code=status.HTTP_201_CREATED, response_model=ContactsAdded,
             responses=AUTH_ERRORS)
def add_contact_log(body: ContactLogIn, case: CaseDep, db: DbDep, settings: SettingsDep) -> ContactsAdded:
    """Add a contact log as JSON (CONTRACT §3 shape); returns its frequency analysis."""
    _check_room(case, settings, 1)
    item = _add_contacts(db, case, body.contacts)
    result = _analyse_new(item, case, settings)
    db.commit()
    return ContactsAdded(items=[_evidence_out(item, result.labels)], analysis=result.detail)


@router.post("/{case_id}/contacts/file", status_code=status.HTTP_201_CREATED, response_model=ContactsAdded,
             responses={**AUTH_ERRORS, 413: {"model": ErrorOut}})
def add_contact_file(case: CaseDep, db: DbDep, settings: SettingsDep,
                     file: Annotated[UploadFile, File(description="contact log: JSON (CONTRACT §3) or a call-log CSV")],
                     ) -> ContactsAdded:
    """Add a contact-log file as uploaded (JSON or CSV export); stored byte for byte."""
    data = read_upload(file, settings)
    _check_room(case, settings, 1)
    item = add_item(db, case, kind="contacts", content=data, media_type=file.content_type or "application/json",
                    filename=safe_filename(file.filename), meta={})
    result = _analyse_new(item, case, settings)
    numbers = result.detail.get("numbers")
    if isinstance(numbers, list):
        item.meta = {**item.meta, "numbers": [str(n) for n in numbers]}
    db.commit()
    return ContactsAdded(items=[_evidence_out(item, result.labels)], analysis=result.detail)


@router.post("/{case_id}/screenshots", status_code=status.HTTP_201_CREATED, response_model=ItemsAdded,
             responses={**AUTH_ERRORS, 413: {"model": ErrorOut}})
def add_screenshot(
    case: CaseDep, db: DbDep, settings: SettingsDep,
    text: Annotated[str, Form(min_length=1, description="the text shown in the screenshot, typed or OCR'd")],
    image: Annotated[UploadFile | None, File(description="the screenshot itself (optional; stored and hashed)")] = None,
    channel: Annotated[Literal["sms", "wechat", "call_utterance"] | None, Form()] = None,
    time: Annotated[str | None, Form(description="when the message was received (ISO-8601)")] = None,
    from_: Annotated[str | None, Form(alias="from", description="sender number or account")] = None,
) -> ItemsAdded:
    """Add a screenshot's text (and optionally the image): the image's SHA-256 is what the report lists."""
    _check_room(case, settings, 1)
    if len(text) > settings.max_text_chars:
        raise HTTPException(413, "text too long (CUISHOU_MAX_TEXT_CHARS)")
    from service.store import sha256_hex

    meta: dict[str, Any] = {k: v for k, v in {"channel": channel, "time": _iso(time), "from": from_}.items() if v}
    meta["text"] = text
    meta["text_sha256"] = sha256_hex(text.encode("utf-8"))
    if image is not None and image.filename:
        content = read_upload(image, settings)
        if not (image.content_type or "").startswith("image/"):
            raise HTTPException(422, "the screenshot must be an image file")
        item = add_item(db, case, kind="screenshot", content=content, media_type=image.content_type or "image/png",
                        filename=safe_filename(image.filename), meta=meta)
    else:
        item = add_item(db, case, kind="screenshot", content=text.encode("utf-8"),
                        media_type="text/plain; charset=utf-8", meta=meta)
    result = _analyse_new(item, case, settings)
    db.commit()
    return ItemsAdded(items=[_evidence_out(item, result.labels)])


def _iso(value: str | None) -> str | None:
    """Validate an ISO-8601 time given as a form field (422 when unreadable)."""
    if not value:
        return None
    from datetime import datetime

    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise HTTPException(422, f"time is not ISO-8601: {value[:40]!r}") from None
    return value


@router.get("/{case_id}/evidence", response_model=list[EvidenceOut], responses=AUTH_ERRORS)
def list_evidence(case: CaseDep) -> list[EvidenceOut]:
    """Every evidence item with its SHA-256 and received time."""
    return [_evidence_out(it) for it in case.items]


@router.get("/{case_id}/evidence.zip", responses={**AUTH_ERRORS, 200: {"content": {"application/zip": {}}}})
def evidence_package(case: CaseDep, settings: SettingsDep) -> Response:
    """All original files plus ``SHA256SUMS`` and the report (JSON), to hand over with the documents."""
    from service.reports.json_report import render_json
    from service.reports.model import evidence_filename, manifest_text

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for it in case.items:
            zf.writestr(evidence_filename(it), it.content)
        zf.writestr("SHA256SUMS", manifest_text(list(case.items)))
        zf.writestr("report.json", render_json(_report(case, settings)))
    return Response(buf.getvalue(), media_type="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="evidence-{case.id}.zip"'})


@router.get("/{case_id}/evidence/{no}", responses=AUTH_ERRORS)
def evidence_file(case: CaseDep, no: int) -> Response:
    """One evidence item's original bytes."""
    from service.reports.model import evidence_filename

    for it in case.items:
        if it.seq == no:
            name = evidence_filename(it).encode("ascii", "ignore").decode() or f"item-{no}"
            return Response(it.content, media_type=it.media_type,
                            headers={"Content-Disposition": f'attachment; filename="{name}"',
                                     "X-Content-SHA256": it.sha256})
    raise HTTPException(status.HTTP_404_NOT_FOUND, "no such evidence item")


# ------------------------------------------------------------------ documents


@router.get("/{case_id}/report", responses={**AUTH_ERRORS, 200: {"content": {m: {} for m in MEDIA.values()}}})
def case_report(case: CaseDep, settings: SettingsDep,
                format: Annotated[ReportFormat, Query(description="json | md | html | pdf")] = "json") -> Response:
    """The evidence report: facts, timeline, findings with legal basis, contact figures, evidence hashes."""
    report = _report(case, settings)
    if format == "json":
        from service.reports.json_report import render_json

        return _download(render_json(report), "json", f"report-{case.id}")
    if format == "md":
        from service.reports.markdown import render_markdown

        return _download(render_markdown(report), "md", f"report-{case.id}")
    if format == "html":
        from service.reports.html import render_html

        return _download(render_html(report), "html", f"report-{case.id}")
    from service.reports.pdf import render_pdf

    return _download(render_pdf(report), "pdf", f"report-{case.id}")


@router.get("/{case_id}/complaint", responses={**AUTH_ERRORS, 200: {"content": {m: {} for m in MEDIA.values()}}})
def complaint_letter(
    case: CaseDep, settings: SettingsDep,
    format: Annotated[LetterFormat, Query(description="json | txt | md | html | pdf")] = "json",
    to: Annotated[Literal["lender", "nfra", "local_regulator", "nifa"] | None, Query(
        description="addressee; default: the lender's regulator (else the lender's customer service)")] = None,
) -> Response:
    """The complaint letter (投诉信), addressed by lender type; ``json`` also lists every recommended body."""
    from service.reports.complaint import build_complaint
    from service.reports.letter import render_letter

    letter = build_complaint(_report(case, settings), to, nifa_member=bool((case.facts or {}).get("nifa_member")))
    body, media = render_letter(letter, format)
    return _download(body, format, f"complaint-{case.id}") if format != "json" else Response(body, media_type=media)


@router.get("/{case_id}/police-report", responses={**AUTH_ERRORS, 200: {"content": {m: {} for m in MEDIA.values()}}})
def police_report(
    case: CaseDep, settings: SettingsDep,
    format: Annotated[LetterFormat, Query(description="json | txt | md | html | pdf")] = "json",
    station: Annotated[str | None, Query(max_length=100, description="the police station addressed, e.g. XX派出所")
                       ] = None,
) -> Response:
    """The police-report evidence summary (报案材料) for 110 or the local 派出所."""
    from service.reports.letter import render_letter
    from service.reports.police import build_police_report

    letter = build_police_report(_report(case, settings), station=station)
    body, media = render_letter(letter, format)
    return _download(body, format, f"police-report-{case.id}") if format != "json" else Response(body, media_type=media)


@router.post("/{case_id}/documents", responses={**AUTH_ERRORS, 200: {"content": {m: {} for m in MEDIA.values()}}})
def render_document(body: DocumentIn, case: CaseDep) -> Response:
    """Render a document the user edited (the complaint or police text) as PDF, text, Markdown or HTML."""
    from service.reports.letter import Letter, Recipient, render_letter

    letter = Letter(kind="edited", title=body.title, recipient=Recipient("", "", "", ""), text=body.text,
                    attachments=[], case_id=case.id)
    data, _ = render_letter(letter, body.format)
    return _download(data, body.format, f"document-{case.id}")
