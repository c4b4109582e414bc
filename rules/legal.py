"""The legal catalog (`legal.yaml`) as typed data, and the resolution of what a finding cites."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import yaml

LEGAL_PATH = Path(__file__).parent / "legal.yaml"
PSL_PLACEHOLDER = "psl_harassment"
PSL_REVISION_DATE = date(2026, 1, 1)


@dataclass(frozen=True)
class LegalBasis:
    """One article of one instrument, described in plain words."""

    id: str
    instrument: str
    article: str
    title: str
    summary: str
    severity: str
    labels: tuple[str, ...]
    verify: bool = False
    requires_case_attribute: str | None = None
    valid_from: date | None = None
    valid_until: date | None = None

    def in_force(self, when: date | None) -> bool:
        """Whether the instrument applies to conduct on ``when`` (unknown dates: yes)."""
        if when is None:
            return True
        return not ((self.valid_from and when < self.valid_from) or (self.valid_until and when > self.valid_until))

    @property
    def citation(self) -> str:
        """Short citation such as ``中华人民共和国刑法 第二百九十三条（寻衅滋事罪）``."""
        return f"{self.instrument} {self.article}（{self.title}）"


@dataclass(frozen=True)
class LegalCatalog:
    """All instruments plus the default citations per label."""

    instruments: dict[str, LegalBasis]
    label_defaults: dict[str, tuple[str, ...]]

    def get(self, basis_id: str) -> LegalBasis:
        """Look up one instrument; raises KeyError with the known ids."""
        try:
            return self.instruments[basis_id]
        except KeyError as exc:
            raise KeyError(f"unknown legal basis {basis_id!r}; known: {sorted(self.instruments)}") from exc

    def resolve(self, ids: list[str] | tuple[str, ...], when: date | None = None,
                case_attributes: frozenset[str] = frozenset()) -> list[str]:
        """Turn placeholders into concrete ids for the date of the conduct; drop case-conditional ids."""
        out: list[str] = []
        for basis_id in ids:
            if basis_id == PSL_PLACEHOLDER:
                basis_id = "psl_2012_42" if when is not None and when < PSL_REVISION_DATE else "psl_2025_50"
            basis = self.instruments.get(basis_id)
            if basis and basis.requires_case_attribute and basis.requires_case_attribute not in case_attributes:
                continue
            if basis and not basis.in_force(when):
                continue
            if basis_id not in out:
                out.append(basis_id)
        return out

    def for_label(self, label: str, when: date | None = None,
                  case_attributes: frozenset[str] = frozenset()) -> list[str]:
        """Default citations for a label."""
        return self.resolve(self.label_defaults.get(label, ()), when, case_attributes)


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


@lru_cache(maxsize=1)
def load_catalog(path: Path = LEGAL_PATH) -> LegalCatalog:
    """Load and validate the catalog; every id used by a default must exist."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    instruments = {}
    for basis_id, item in raw["instruments"].items():
        instruments[basis_id] = LegalBasis(
            id=basis_id,
            instrument=item["instrument"],
            article=item["article"],
            title=item["title"],
            summary=item["summary"],
            severity=item["severity"],
            labels=tuple(item["labels"]),
            verify=bool(item.get("verify", False)),
            requires_case_attribute=item.get("requires_case_attribute"),
            valid_from=_date(item.get("valid_from")),
            valid_until=_date(item.get("valid_until")),
        )
    defaults = {label: tuple(ids) for label, ids in raw["label_defaults"].items()}
    for label, ids in defaults.items():
        for basis_id in ids:
            if basis_id != PSL_PLACEHOLDER and basis_id not in instruments:
                raise ValueError(f"legal.yaml: label_defaults[{label}] names unknown id {basis_id!r}")
    return LegalCatalog(instruments, defaults)
