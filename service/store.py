"""The case store: cases and their evidence items in SQLite (default) or any SQLAlchemy database.

Each evidence item keeps its original bytes, their SHA-256 and the time the server received them, so a
report can list hashes that a recipient checks against the files. Writes happen in one transaction per
request: a crash mid-request leaves the case as it was before the request.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, LargeBinary, String, Text, create_engine, event, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship, sessionmaker
from sqlalchemy.types import TypeDecorator

EVIDENCE_KINDS: tuple[str, ...] = ("message", "transcript", "contacts", "screenshot")


class Base(DeclarativeBase):
    """Declarative base of the store's tables."""


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware (SQLite keeps no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the case store; use an aware UTC time")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def utcnow() -> datetime:
    """Timezone-aware current UTC time."""
    return datetime.now(timezone.utc)


def sha256_hex(data: bytes) -> str:
    """Hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


class Case(Base):
    """One complaint case: facts the user gave plus evidence items. Only a hash of its key is kept."""

    __tablename__ = "cases"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    platform: Mapped[str | None] = mapped_column(String(200))
    facts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, nullable=False)
    items: Mapped[list[EvidenceItem]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="EvidenceItem.seq", lazy="selectin")

    def key_matches(self, key: str) -> bool:
        """Constant-time check of a presented key against the stored hash."""
        return hmac.compare_digest(self.key_hash, hash_key(key))


class EvidenceItem(Base):
    """One piece of evidence exactly as received: a message, a transcript file, a contact log, a screenshot."""

    __tablename__ = "evidence_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True, nullable=False)
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    filename: Mapped[str | None] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(100), nullable=False, default="application/octet-stream")
    content: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, nullable=False)
    note: Mapped[str | None] = mapped_column(Text)
    case: Mapped[Case] = relationship(back_populates="items")


def hash_key(key: str) -> str:
    """What the store keeps of a case key (the key itself is 256 random bits, so a plain SHA-256 suffices)."""
    return sha256_hex(key.encode("utf-8"))


def new_case(session: Session, *, platform: str | None = None, facts: dict[str, Any] | None = None) -> tuple[Case, str]:
    """Add a case with an unguessable id and a fresh secret key; returns (case, key). The key is shown once."""
    key = secrets.token_urlsafe(32)
    case = Case(id=secrets.token_urlsafe(16), key_hash=hash_key(key), platform=platform, facts=dict(facts or {}))
    session.add(case)
    return case, key


def add_item(session: Session, case: Case, *, kind: str, content: bytes, media_type: str,
             filename: str | None = None, meta: dict[str, Any] | None = None) -> EvidenceItem:
    """Attach one evidence item to ``case`` with its SHA-256 and received time (committed by the caller)."""
    if kind not in EVIDENCE_KINDS:
        raise ValueError(f"unknown evidence kind {kind!r}; expected one of {EVIDENCE_KINDS}")
    now = utcnow()
    item = EvidenceItem(kind=kind, content=content, sha256=sha256_hex(content), size=len(content),
                        media_type=media_type, filename=filename, meta=dict(meta or {}), received_at=now,
                        seq=len(case.items) + 1)
    case.items.append(item)
    case.updated_at = now
    return item


def get_case(session: Session, case_id: str) -> Case | None:
    """The case with this id, or None."""
    return session.execute(select(Case).where(Case.id == case_id)).scalar_one_or_none()


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite files get their folder created and WAL + full sync for crash safety."""
    kwargs: dict[str, Any] = {"pool_pre_ping": True}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        path = url.split(":///", 1)[-1]
        if path and path != ":memory:" and not path.startswith("file:"):
            Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, **kwargs)
    if url.startswith("sqlite"):
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


class Store:
    """Engine plus session factory; tables are created on first use."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        Base.metadata.create_all(self.engine)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session inside one transaction: committed on success, rolled back on any exception."""
        with self.sessions() as session, session.begin():
            yield session

    def dispose(self) -> None:
        """Close pooled connections."""
        self.engine.dispose()
