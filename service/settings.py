"""Service settings: one object read from the environment (prefix ``CUISHOU_``), built lazily."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_data_dir() -> Path:
    return Path.home() / ".local" / "share" / "cuishou-guard"


class Settings(BaseSettings):
    """Everything the API, the case store and the documents can be configured with.

    Every field can be set as ``CUISHOU_<FIELD>`` (for example ``CUISHOU_DATABASE_URL``).
    """

    model_config = SettingsConfigDict(env_prefix="CUISHOU_", env_file=None, extra="ignore")

    host: str = Field("127.0.0.1", description="address `cuishou serve` binds to")
    port: int = Field(8000, ge=1, le=65535, description="port `cuishou serve` listens on")
    data_dir: Path = Field(default_factory=_default_data_dir, description="where the default SQLite case store lives")
    database_url: str | None = Field(None, description="SQLAlchemy URL; default sqlite:///<data_dir>/cases.db "
                                                       "(postgresql+psycopg://… works too)")
    api_key: SecretStr | None = Field(None, description="server API key (header X-API-Key) that opens every case; "
                                                        "unset = only each case's own key works")
    max_upload_bytes: int = Field(10 * 1024 * 1024, ge=1024, description="largest request body accepted (413 above)")
    max_text_chars: int = Field(200_000, ge=1, description="longest text /v1/analyze accepts (413 above)")
    max_case_items: int = Field(5_000, ge=1, description="most evidence items one case may hold")
    timezone: str = Field("Asia/Shanghai", description="local time zone for days, night hours and the documents")
    use_model: bool = Field(True, description="use the classifier when an artifact is installed (else rules only)")
    docs_enabled: bool = Field(True, description="serve OpenAPI docs at /docs")
    log_level: str = Field("info", description="uvicorn / service log level")

    @property
    def resolved_database_url(self) -> str:
        """The database URL, defaulting to a SQLite file in ``data_dir``."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'cases.db').as_posix()}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read from the environment on first use."""
    return Settings()
