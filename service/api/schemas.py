"""Request and response models of the API (pydantic), with the examples shown in the OpenAPI docs."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

Channel = Literal["sms", "wechat", "call_utterance"]
LenderType = Literal["bank", "credit_card", "consumer_finance", "microloan", "online_platform", "other"]

THREAT = "再不还钱就打断你的腿"


def _blank_to_none(value: Any) -> Any:
    return None if value == "" else value


OptionalChannel = Annotated[Channel | None, BeforeValidator(_blank_to_none)]


class AnalyzeRequest(BaseModel):
    """One message to classify (other fields, such as ``id``, are ignored)."""

    model_config = ConfigDict(extra="ignore", json_schema_extra={
        "examples": [{"text": THREAT, "channel": "sms"}]})

    text: str = Field(..., description="the message text")
    channel: OptionalChannel = Field(None, description="sms | wechat | call_utterance")


class FindingOut(BaseModel):
    """One violation located in the text (CONTRACT §1); extra fields (severity, explanation…) may follow."""

    model_config = ConfigDict(extra="allow")

    label: str
    start: int
    end: int
    quote: str
    source: str
    rule_id: str
    confidence: float
    legal_basis: list[str] = []


class ClassifyResult(BaseModel):
    """The classify object of CONTRACT §1 (without ``id``)."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [{
        "labels": ["threat_violence"], "scores": {"threat_violence": 0.97},
        "findings": [{"label": "threat_violence", "start": 5, "end": 10, "quote": "打断你的腿", "source": "rule",
                      "rule_id": "threat_violence.bodily_harm", "confidence": 0.95,
                      "legal_basis": ["psl_2025_50", "cl_293"]}]}]})

    labels: list[str]
    scores: dict[str, float]
    findings: list[FindingOut]


class TurnOut(BaseModel):
    """One transcript turn (CONTRACT §2)."""

    model_config = ConfigDict(extra="allow")

    index: int
    speaker: str
    role: str
    start: float | None = None
    text: str
    labels: list[str]
    findings: list[FindingOut]


class TranscriptResult(BaseModel):
    """The transcript object of CONTRACT §2."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [{
        "turns": [{"index": 0, "speaker": "催收员", "role": "collector", "start": 3.0, "text": "你等着，弄死你",
                   "labels": ["threat_violence"], "findings": []},
                  {"index": 1, "speaker": "客户", "role": "debtor", "start": 6.0, "text": "我没钱",
                   "labels": ["compliant"], "findings": []}],
        "labels": ["threat_violence"]}]})

    turns: list[TurnOut]
    labels: list[str]


class MessageIn(BaseModel):
    """A collector's message as evidence: its exact text, channel, time and sender."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True, json_schema_extra={"examples": [{
        "text": THREAT, "channel": "sms", "time": "2026-05-03T22:41:00+08:00", "from": "13812345678"}]})

    text: str = Field(..., min_length=1, description="the message, exactly as received")
    channel: OptionalChannel = None
    time: datetime | None = Field(None, description="ISO-8601; without an offset it is read as local time")
    from_: str | None = Field(None, alias="from", max_length=200, description="sender number or account")
    note: str | None = Field(None, max_length=2000, description="the user's own note (not analysed)")


class ContactIn(BaseModel):
    """One call or SMS from a contact log (CONTRACT §3)."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, json_schema_extra={"examples": [{
        "time": "2026-05-03T23:15:42+08:00", "channel": "call", "direction": "inbound", "from": "13812345678",
        "duration_s": 64}]})

    time: datetime
    channel: str = Field("call", max_length=20, description="call | sms")
    direction: str = Field("inbound", max_length=20)
    from_: str | None = Field(None, alias="from", max_length=200)
    duration_s: float = Field(0, ge=0)


class ContactLogIn(BaseModel):
    """A contact log as JSON."""

    model_config = ConfigDict(extra="forbid")

    contacts: list[ContactIn] = Field(..., min_length=1)


class LoanInfo(BaseModel):
    """What the borrower knows about the loan (all optional)."""

    model_config = ConfigDict(extra="forbid")

    contract_no: str | None = Field(None, max_length=200)
    amount: str | None = Field(None, max_length=100, description="as written, e.g. 8000元")
    date: str | None = Field(None, max_length=100)
    due_date: str | None = Field(None, max_length=100)
    outstanding: str | None = Field(None, max_length=100)
    product: str | None = Field(None, max_length=200)


class BorrowerInfo(BaseModel):
    """The complainant (all optional; left blank in the documents when not given)."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, max_length=100)
    phone: str | None = Field(None, max_length=50)
    id_number: str | None = Field(None, max_length=50)
    address: str | None = Field(None, max_length=500)


class CaseFactsIn(BaseModel):
    """Facts about the case the user states; used by the report and to address the complaint."""

    model_config = ConfigDict(extra="forbid")

    platform: str | None = Field(None, max_length=200, description="the lending app or platform")
    lender: str | None = Field(None, max_length=200, description="the licensed lender behind it")
    lender_type: LenderType | None = Field(None, description="decides which regulator the complaint goes to")
    nifa_member: bool | None = Field(None, description="the platform is a member of 中国互联网金融协会")
    region: str | None = Field(None, max_length=100,
                               description="province/city, for the local regulator and police")
    illegal_debt: bool | None = Field(
        None, description="the debt itself is illegal (e.g. usury): cites 刑法第293条之一")
    loan: LoanInfo | None = None
    borrower: BorrowerInfo | None = None
    harm: str | None = Field(None, max_length=5000, description="the harm caused, in the user's words")
    requests: str | None = Field(None, max_length=5000, description="what the user asks for, in their words")


class CaseCreate(CaseFactsIn):
    """A new case; every field is optional (CONTRACT §4); unknown fields are ignored."""

    model_config = ConfigDict(extra="ignore", json_schema_extra={"examples": [{
        "platform": "某某借款App", "lender_type": "consumer_finance",
        "messages": [{"text": THREAT, "channel": "sms", "time": "2026-05-03T22:41:00+08:00", "from": "13812345678"}],
        "contacts": [{"time": "2026-05-03T23:15:42+08:00", "channel": "call", "direction": "inbound",
                      "from": "13812345678", "duration_s": 64}]}]})

    messages: list[MessageIn] = Field(default_factory=list)
    contacts: list[ContactIn] = Field(default_factory=list)


class EvidenceOut(BaseModel):
    """One stored evidence item (its content is downloaded separately)."""

    no: int = Field(..., description="attachment number in the documents")
    kind: str
    filename: str | None = None
    media_type: str
    size: int
    sha256: str
    received_at: datetime
    meta: dict[str, Any] = {}
    labels: list[str] | None = Field(None, description="labels found in this item when it was added")


class CaseCreated(BaseModel):
    """The new case's id and secret key; the key is shown only once and the server keeps only its hash."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": "Xq3v9Jc0bS1m2TtYk8a4Zw", "key": "kQ2…(43 characters)…",
        "items": [], "links": {"report": "/v1/cases/Xq3v9Jc0bS1m2TtYk8a4Zw/report"}}]})

    id: str
    key: str
    items: list[EvidenceOut] = []
    links: dict[str, str] = {}


class CaseOut(BaseModel):
    """A case with its facts and the list of evidence items."""

    id: str
    platform: str | None
    facts: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    items: list[EvidenceOut]
    labels: list[str] | None = None


class ItemsAdded(BaseModel):
    """Evidence items just added to a case."""

    items: list[EvidenceOut]


class TranscriptAdded(ItemsAdded):
    """A transcript added to a case, with its analysis."""

    analysis: TranscriptResult


class ContactsAdded(ItemsAdded):
    """A contact log added to a case, with its frequency analysis (CONTRACT §3)."""

    analysis: dict[str, Any]


class DocumentIn(BaseModel):
    """A (possibly user-edited) document text to render for download."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "title": "投诉信", "text": "国家金融监督管理总局：\n　　投诉人……", "format": "pdf"}]})

    title: str = Field(..., min_length=1, max_length=200)
    text: str = Field(..., min_length=1, max_length=200_000)
    format: Literal["pdf", "txt", "md", "html"] = "pdf"


class ErrorOut(BaseModel):
    """An error: ``detail`` says what to fix."""

    detail: Any
