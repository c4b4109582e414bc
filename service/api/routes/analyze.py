"""POST /v1/analyze: classify one message; GET /v1/legal: the legal catalog and label names for clients."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from starlette.concurrency import run_in_threadpool

from rules.findings import LABEL_ZH
from rules.legal import load_catalog
from service.api.deps import SettingsDep
from service.api.schemas import AnalyzeRequest, ClassifyResult, ErrorOut

router = APIRouter(prefix="/v1", tags=["analyze"])
# Texts up to this length are analysed on the event loop (well under a millisecond of rule matching, no
# thread hop); longer ones go to the thread pool so they cannot stall other requests.
INLINE_MAX_CHARS = 2_000


@router.post("/analyze", response_model=ClassifyResult, response_model_exclude_unset=True,
             responses={413: {"model": ErrorOut}, 422: {"model": ErrorOut}})
async def analyze_message(
    body: AnalyzeRequest, settings: SettingsDep,
    verbose: Annotated[bool, Query(description="add explanations, severity and vetoed candidates")] = False,
) -> dict[str, Any]:
    """Classify one message: the CONTRACT §1 classify object for ``text``."""
    from service.pipeline import InputError, analyze

    if len(body.text) > settings.max_text_chars:
        raise HTTPException(413, f"text longer than {settings.max_text_chars} characters (CUISHOU_MAX_TEXT_CHARS)")
    inline = len(body.text) <= INLINE_MAX_CHARS and not settings.use_model
    try:
        if inline:
            return analyze(body.text, body.channel, use_model=False, verbose=verbose)
        return await run_in_threadpool(analyze, body.text, body.channel, use_model=settings.use_model,
                                       verbose=verbose)
    except InputError as exc:
        raise HTTPException(422, str(exc)) from None


@router.get("/legal")
def legal_catalog() -> dict[str, Any]:
    """Label names in Chinese and every legal basis a finding can cite (id → citation, summary)."""
    catalog = load_catalog()
    return {
        "labels": LABEL_ZH,
        "legal": {b.id: {"citation": b.citation, "summary": b.summary, "verify": b.verify, "severity": b.severity}
                  for b in catalog.instruments.values()},
    }
