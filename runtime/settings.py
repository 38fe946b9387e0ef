"""Settings from the environment: real servers when their URLs are given, embedded ones otherwise."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

import platformdirs
from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_data_dir() -> Path:
    """The per-user data directory (~/.local/share/migration-platform on Linux, or under $XDG_DATA_HOME):
    the same from every working directory, so every command reaches the one embedded stack."""
    return platformdirs.user_data_path("migration-platform")


class Settings(BaseSettings):
    """Process configuration. Unset server URLs select the embedded default."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    database_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("DATABASE_URL"),
        description="Application-role connection URL (row-level security applies to it).",
    )
    database_owner_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("DATABASE_OWNER_URL"),
        description="Owner-role URL used only to apply schema migrations.",
    )
    temporal_address: str | None = Field(default=None, validation_alias=AliasChoices("TEMPORAL_ADDRESS"))
    temporal_namespace: str = Field(default="default", validation_alias=AliasChoices("TEMPORAL_NAMESPACE"))
    task_queue: str = Field(default="migration-platform", validation_alias=AliasChoices("MIGRATION_TASK_QUEUE"))
    data_dir: Path = Field(
        default_factory=default_data_dir,
        validate_default=True,
        validation_alias=AliasChoices("MIGRATION_DATA_DIR"),
        description="Embedded services' data; a relative path is taken against the directory the process started in.",
    )
    embedded_pg_port: int = Field(default=55432, validation_alias=AliasChoices("MIGRATION_PG_PORT"))
    embedded_temporal_port: int = Field(default=7233, validation_alias=AliasChoices("MIGRATION_TEMPORAL_PORT"))
    embedded_temporal_ui_port: int = Field(default=8233, validation_alias=AliasChoices("MIGRATION_TEMPORAL_UI_PORT"))
    log_format: Literal["console", "json"] = Field(default="console", validation_alias=AliasChoices("LOG_FORMAT"))
    log_level: str = Field(default="INFO", validation_alias=AliasChoices("LOG_LEVEL"))
    embedder: str | None = Field(
        default=None,
        validation_alias=AliasChoices("MIGRATION_EMBEDDER"),
        description="Embedding model for learned field mappings; unset: the offline hashed n-gram embedder.",
    )
    metrics_port: int | None = Field(default=None, validation_alias=AliasChoices("MIGRATION_METRICS_PORT"))
    price_table: Path | None = Field(
        default=None,
        validation_alias=AliasChoices("MIGRATION_PRICE_TABLE"),
        description="Price table JSON file (domain.assessment.price_table format) for cost projections; unset: the bundled one.",
    )
    comfort_factor: float | None = Field(
        default=None,
        ge=1,
        validation_alias=AliasChoices("MIGRATION_COMFORT_FACTOR"),
        description="Headroom over p95 utilisation when right-sizing; unset: domain.assessment.cost_model.COMFORT_FACTOR.",
    )

    @field_validator("data_dir", mode="before")
    @classmethod
    def _absolute_data_dir(cls, value: object) -> object:
        """Resolve the data directory once, at start: an empty MIGRATION_DATA_DIR means the default."""
        if value == "":
            value = default_data_dir()
        return Path(value).expanduser().resolve() if isinstance(value, (str, Path)) else value

    @property
    def data_path(self) -> Path:
        """The embedded services' data directory, absolute."""
        return self.data_dir


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
