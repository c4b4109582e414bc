"""Reading uploaded files within the configured size limit."""

from __future__ import annotations

from fastapi import HTTPException, UploadFile

from service.settings import Settings

CHUNK = 1 << 16


def read_upload(upload: UploadFile, settings: Settings) -> bytes:
    """The uploaded file's bytes; 413 when it is larger than ``max_upload_bytes``, 422 when empty."""
    data = bytearray()
    while True:
        chunk = upload.file.read(CHUNK)
        if not chunk:
            break
        data += chunk
        if len(data) > settings.max_upload_bytes:
            raise HTTPException(413,
                                f"file larger than {settings.max_upload_bytes} bytes (CUISHOU_MAX_UPLOAD_BYTES)")
    if not data:
        raise HTTPException(422, "empty file")
    return bytes(data)


def safe_filename(name: str | None) -> str | None:
    """A file name without directories or control characters, at most 200 characters."""
    if not name:
        return None
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in base if ch.isprintable()).strip()
    return cleaned[:200] or None
