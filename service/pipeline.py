"""The text-in → analysis-out path shared by the CLI, the API and the reports."""

from __future__ import annotations

from datetime import date
from typing import Any

from rules.engine import get_engine
from rules.findings import CHANNELS, Finding
from rules.normalize import normalize
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


def analyze_findings(text: str, channel: str | None = None, *, use_model: bool = True,
                     when: date | None = None, debug: bool = False) -> dict[str, Any]:
    """Analyse one text; returns labels, scores, `Finding` objects and (debug) vetoed candidates."""
    if not isinstance(text, str):
        raise InputError("`text` must be a string")
    if channel is not None and channel not in CHANNELS:
        raise InputError(f"unknown channel {channel!r}; expected one of {', '.join(CHANNELS)}")
    if len(text) > MAX_TEXT_CHARS:
        raise InputError(f"text too long: {len(text)} characters (limit {MAX_TEXT_CHARS})")
    nt = normalize(text)
    scan = get_engine().scan(text, debug=debug, normalized=nt, when=when)
    rule_findings = scan.findings
    predictor = _model() if use_model and text.strip() else None
    scores: dict[str, float] = {}
    model_findings: dict[str, Finding] = {}
    policy = None
    if predictor is not None:
        scores = predictor.scores(text)
        policy = predictor.policy
        model_findings = predictor.localize(text, scores, when=when,
                                            skip=frozenset(f.label for f in rule_findings))
    labels, findings = fuse(rule_findings, scores, model_findings, policy)
    return {"labels": labels, "scores": scores, "findings": findings, "vetoed": scan.vetoed}


def analyze(text: str, channel: str | None = None, *, use_model: bool = True,
            verbose: bool = False) -> dict[str, Any]:
    """The CONTRACT §1 classify object for one text (without ``id``)."""
    result = analyze_findings(text, channel, use_model=use_model, debug=verbose)
    out = {
        "labels": result["labels"],
        "scores": {k: round(v, 4) for k, v in result["scores"].items()},
        "findings": [f.to_dict(verbose=verbose) for f in result["findings"]],
    }
    if verbose:
        out["vetoed"] = result["vetoed"]
    return out
