"""Strictly validated rule-pack model: unknown keys are rejected with a "did you mean" hint."""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from rules.findings import SEVERITIES, VIOLATION_LABELS


class PackError(ValueError):
    """A rule pack that cannot be loaded; the message names the file and the problem."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Examples(_Strict):
    """Sentences that must (positive) or must not (negative) make the rule fire."""

    positive: list[str] = Field(default_factory=list)
    negative: list[str] = Field(default_factory=list)


class Requirement(_Strict):
    """Context words of which at least one must occur near the match (same sentence)."""

    words: list[str]
    window: int = 12


class Rule(_Strict):
    """One detection rule; see rules/packs/README.md for the meaning of each field."""

    id: str
    description: str
    severity: str = "medium"
    confidence: float = 0.85
    legal_basis: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    homophone_keywords: list[str] = Field(default_factory=list)
    patterns: list[str] = Field(default_factory=list)
    anchors: list[str] = Field(default_factory=list)
    gaps: list[list[list[str]]] = Field(default_factory=list)
    max_gap: int = 6
    requires: Requirement | None = None
    negation: bool = True
    negation_window: int = 3
    vetoes: list[str] = Field(default_factory=list)
    word_boundary: bool = False
    also_labels: list[str] = Field(default_factory=list)
    examples: Examples = Field(default_factory=Examples)

    @field_validator("severity")
    @classmethod
    def _severity(cls, v: str) -> str:
        if v not in SEVERITIES:
            raise ValueError(f"severity must be one of {SEVERITIES}")
        return v

    @field_validator("confidence")
    @classmethod
    def _confidence(cls, v: float) -> float:
        if not 0.0 <= v <= 1.0:
            raise ValueError("confidence must be within 0..1")
        return v

    @field_validator("also_labels")
    @classmethod
    def _labels(cls, v: list[str]) -> list[str]:
        for label in v:
            if label not in VIOLATION_LABELS:
                raise ValueError(f"unknown label {label!r}{_hint(label, VIOLATION_LABELS)}")
        return v

    @field_validator("homophone_keywords")
    @classmethod
    def _homophones(cls, v: list[str]) -> list[str]:
        for kw in v:
            if len(kw) < 2:
                raise ValueError(f"homophone keyword {kw!r} must have at least 2 characters")
        return v

    @field_validator("patterns")
    @classmethod
    def _patterns(cls, v: list[str]) -> list[str]:
        for p in v:
            try:
                re.compile(p)
            except re.error as exc:
                raise ValueError(f"bad regex {p!r}: {exc}") from exc
        return v

    @model_validator(mode="after")
    def _consistent(self) -> Rule:
        if self.patterns and not self.anchors:
            raise ValueError("rules with `patterns` need `anchors` (literals that must occur for the regex to run)")
        if not (self.keywords or self.homophone_keywords or self.patterns or self.gaps):
            raise ValueError("a rule needs at least one of keywords, homophone_keywords, patterns, gaps")
        for gap in self.gaps:
            if len(gap) < 2 or any(not part for part in gap):
                raise ValueError("each gap needs two or more non-empty parts")
        return self


class RulePack(_Strict):
    """All rules of one label."""

    label: str
    description: str = ""
    rules: list[Rule]

    @field_validator("label")
    @classmethod
    def _label(cls, v: str) -> str:
        if v not in VIOLATION_LABELS:
            raise ValueError(f"unknown label {v!r}{_hint(v, VIOLATION_LABELS)}")
        return v

    @model_validator(mode="after")
    def _ids(self) -> RulePack:
        for rule in self.rules:
            if not rule.id.startswith(self.label + "."):
                raise ValueError(f"rule id {rule.id!r} must start with '{self.label}.'")
        return self


class ContextPack(_Strict):
    """Global context words: negation cues and the phrases that cancel or flip them."""

    negation_cues: list[str]
    pseudo_negations: list[str] = Field(default_factory=list)
    flip_cues: list[str] = Field(default_factory=list)


def _hint(word: str, choices: Any) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _format_error(path: Path, exc: ValidationError, model: type[BaseModel]) -> str:
    lines = [f"{path}: invalid rule pack"]
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"])
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            key = str(err["loc"][-1])
            fields = Rule.model_fields if "rules" in err["loc"] else model.model_fields
            msg = f"unknown key {key!r}{_hint(key, fields)}"
        lines.append(f"  {loc}: {msg}")
    return "\n".join(lines)


def load_yaml_model(path: Path, model: type[BaseModel]) -> Any:
    """Read a YAML file into ``model``; raise `PackError` with readable messages."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise PackError(f"{path}: cannot read YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise PackError(f"{path}: expected a mapping at the top level")
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise PackError(_format_error(path, exc, model)) from exc
