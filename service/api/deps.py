"""Dependencies: settings, a database session per request, and case access by key."""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Path, Request, status
from sqlalchemy.orm import Session

from service.settings import Settings
from service.store import Case, Store, get_case

NOT_FOUND = "case not found"


async def get_app_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    return request.app.state.settings


async def get_store(request: Request) -> Store:
    """The app's case store."""
    return request.app.state.store


def get_db(store: Annotated[Store, Depends(get_store)]) -> Iterator[Session]:
    """A session for this request. Endpoints commit explicitly before answering; anything else is rolled back."""
    session = store.sessions()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
DbDep = Annotated[Session, Depends(get_db)]


def _api_key_ok(settings: Settings, presented: str | None) -> bool:
    if not presented or settings.api_key is None:
        return False
    return hmac.compare_digest(presented.encode(), settings.api_key.get_secret_value().encode())


def require_case(
    db: DbDep,
    settings: SettingsDep,
    case_id: Annotated[str, Path(max_length=64, description="the case id returned by POST /v1/cases")],
    x_case_key: Annotated[str | None, Header(description="the case's secret key")] = None,
    x_api_key: Annotated[str | None, Header(description="server API key (deployments)")] = None,
) -> Case:
    """The case, for the holder of its key (or of the server API key).

    No key → 401; unknown case or wrong key → the same 404, so a caller learns nothing about which ids exist.
    """
    if not x_case_key and not x_api_key:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "send the case key in the X-Case-Key header",
                            headers={"WWW-Authenticate": "X-Case-Key"})
    if x_api_key and not _api_key_ok(settings, x_api_key):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "invalid API key",
                            headers={"WWW-Authenticate": "X-API-Key"})
    case = get_case(db, case_id)
    if case is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, NOT_FOUND)
    if x_api_key:
        return case
    if not case.key_matches(x_case_key or ""):
        raise HTTPException(status.HTTP_404_NOT_FOUND, NOT_FOUND)
    return case


CaseDep = Annotated[Case, Depends(require_case)]
