"""POST /v1/transcripts: analyse an uploaded call transcript (CONTRACT §2)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, HTTPException, UploadFile

from service.api.deps import SettingsDep
from service.api.schemas import ErrorOut, TranscriptResult
from service.api.uploads import read_upload

router = APIRouter(prefix="/v1", tags=["transcripts"])

TranscriptFormat = Literal["auto", "txt", "srt", "vtt", "json"]


def run_transcript(data: bytes, fmt: str, collector: str | None, use_model: bool) -> dict[str, Any]:
    """`analyze_transcript`, with unreadable input turned into 422."""
    from service.transcript import analyze_transcript

    try:
        return analyze_transcript(data, fmt, collector or None, use_model=use_model)
    except ValueError as exc:  # TranscriptError, DecodeError and UnicodeDecodeError are ValueErrors
        raise HTTPException(422, f"cannot read the transcript: {exc}") from None


@router.post("/transcripts", response_model=TranscriptResult, response_model_exclude_unset=True,
             responses={413: {"model": ErrorOut}, 422: {"model": ErrorOut}})
def analyze_transcript_upload(
    settings: SettingsDep,
    file: Annotated[UploadFile, File(description="transcript: txt / srt / vtt / json, UTF-8 or GB18030/GBK")],
    format: Annotated[TranscriptFormat, Form(description="file format; auto detects it")] = "auto",
    collector: Annotated[str | None, Form(description="the collector's speaker label, if known")] = None,
) -> dict[str, Any]:
    """Analyse a call transcript: turns with speaker, role and findings; labels from the collector's turns."""
    return run_transcript(read_upload(file, settings), format, collector, settings.use_model)
