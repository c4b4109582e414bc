"""The text-in → analysis-out path shared by the CLI, the API and the reports."""

from __future__ import annotations

from datetime import date
from typing import Any

from rules.engine import get_engine
from rules.findings import CHANNELS, Finding
from rules.normalize import NormalizedText, normalize
from service.fuse import fuse

MAX_TEXT_CHARS = 2_000_000


class InputError(ValueError):
    """Input that cannot be analysed; the message tells the user what to fix."""


def _model():
    """The committed classifier, or None when no artifact is installed (rules only)."""
    try:
        from classifier.predict import get_predictor
    except ImportError:
        return None
    return get_predictor()


def validate_input(text: Any, channel: str | None) -> None:
    """Raise `InputError` for a non-string text, an unknown channel or a text over the length limit."""
    if not isinstance(text, str):
        raise InputError("`text` must be a string")
    if channel is not None and channel not in CHANNELS:
        raise InputError(f"unknown channel {channel!r}; expected one of {', '.join(CHANNELS)}")
    if len(text) > MAX_TEXT_CHARS:
        raise InputError(f"text too long: {len(text)} characters (limit {MAX_TEXT_CHARS})")


def _combine(text: str, nt: NormalizedText, predictor, scores: dict[str, float], *, when: date | None,
             debug: bool, model_adds_labels: bool = True) -> dict[str, Any]:
    scan = get_engine().scan(text, debug=debug, normalized=nt, when=when)
    model_findings: dict[str, Finding] = {}
    policy = None
    if predictor is not None and scores:
        policy = predictor.policy
    if predictor is not None and scores and model_adds_labels:
        model_findings = predictor.localize(text, scores, when=when,
                                            skip=frozenset(f.label for f in scan.findings))
    labels, findings = fuse(scan.findings, scores, model_findings, policy)
    return {"labels": labels, "scores": scores, "findings": findings, "vetoed": scan.vetoed}


def analyze_findings(text: str, channel: str | None = None, *, use_model: bool = True,
                     when: date | None = None, debug: bool = False) -> dict[str, Any]:
    """Analyse one text; returns labels, scores, `Finding` objects and (debug) vetoed candidates."""
    validate_input(text, channel)
    return analyze_many_findings([text], use_model=use_model, when=when, debug=debug)[0]


def analyze_many_findings(texts: list[str], *, use_model: bool = True, when: date | None = None,
                          debug: bool = False, model_adds_labels: bool = True) -> list[dict[str, Any]]:
    """Like `analyze_findings` for many texts, scoring them with the model in length-sorted batches.

    ``model_adds_labels=False`` keeps the model to confirming rule findings (scores and ``rule+model``
    sources) without adding labels of its own — used for call transcripts, where dozens of turns per call
    multiply the chance of a model-only false positive."""
    for text in texts:
        validate_input(text, None)
    nts = [normalize(t) for t in texts]  # once per text: the rules and the model share this view
    predictor = _model() if use_model else None
    if predictor is None:
        return [_combine(t, nt, None, {}, when=when, debug=debug) for t, nt in zip(texts, nts, strict=True)]
    views = [predictor.tokenizer.from_norm(nt.norm) for nt in nts]
    short = [i for i, t in enumerate(texts) if t.strip() and predictor.fits_one_window(views[i])]
    probs = predictor.probs_batched([views[i] for i in short], prepared=True)
    scores: list[dict[str, float]] = [{} for _ in texts]
    for i, row in zip(short, probs, strict=True):
        scores[i] = {lab: float(p) for lab, p in zip(predictor.labels, row, strict=True)}
    for i, t in enumerate(texts):
        if t.strip() and not scores[i]:
            scores[i] = predictor.scores(t)
    return [_combine(t, nt, predictor, sc, when=when, debug=debug, model_adds_labels=model_adds_labels)
            for t, nt, sc in zip(texts, nts, scores, strict=True)]


def to_contract(result: dict[str, Any], verbose: bool = False) -> dict[str, Any]:
    """The CONTRACT §1 classify object (without ``id``) from an analysis with `Finding` objects."""
    out = {
        "labels": result["labels"],
        "scores": {k: round(v, 4) for k, v in result["scores"].items()},
        "findings": [f.to_dict(verbose=verbose) for f in result["findings"]],
    }
    if verbose:
        out["vetoed"] = result["vetoed"]
    return out


def analyze(text: str, channel: str | None = None, *, use_model: bool = True,
            verbose: bool = False) -> dict[str, Any]:
    """The CONTRACT §1 classify object for one text (without ``id``)."""
    return to_contract(analyze_findings(text, channel, use_model=use_model, debug=verbose), verbose)
