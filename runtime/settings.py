"""Settings from the environment: real servers when their URLs are given, embedded ones otherwise."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

import platformdirs
from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_data_dir() -> Path:
    """The per-user data directory (~/.local/share/migration-platform on Linux, or under $XDG_DATA_HOME):
    the same from every working directory, so every command reaches the one embedded stack."""
    return platformdirs.user_data_path("migration-platform")


# A TCP port a server can listen on or be reached at (0 would mean "any free port" to the servers).
Port = Annotated[int, Field(ge=1, le=65535)]
POSTGRES_URL_SCHEMES = ("postgresql", "postgres")
# A five-field cron spec (minute hour day-of-month month day-of-week), as Temporal Schedules read it, in UTC.
CronSpec = Annotated[str, Field(pattern=r"^\s*\S+(\s+\S+){4}\s*$")]


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
    database_replica_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("DATABASE_REPLICA_URL"),
        description="A read-only (streaming) replica of the application database: reports, exports and listings "
                    "read there; every write stays on DATABASE_URL.",
    )
    temporal_address: str | None = Field(default=None, validation_alias=AliasChoices("TEMPORAL_ADDRESS"))
    temporal_namespace: str = Field(default="default", validation_alias=AliasChoices("TEMPORAL_NAMESPACE"))
    temporal_tls_ca: Path | None = Field(
        default=None, validation_alias=AliasChoices("TEMPORAL_TLS_CA"),
        description="PEM file of the CA that signed Temporal's certificate: the client speaks TLS and checks it.")
    temporal_tls_cert: Path | None = Field(
        default=None, validation_alias=AliasChoices("TEMPORAL_TLS_CERT"),
        description="PEM client certificate for Temporal's mTLS (with TEMPORAL_TLS_KEY).")
    temporal_tls_key: Path | None = Field(
        default=None, validation_alias=AliasChoices("TEMPORAL_TLS_KEY"),
        description="PEM private key of TEMPORAL_TLS_CERT.")
    temporal_tls_server_name: str | None = Field(
        default=None, validation_alias=AliasChoices("TEMPORAL_TLS_SERVER_NAME"),
        description="The name Temporal's certificate is checked against, when not the address's host.")
    task_queue: str = Field(default="migration-platform", validation_alias=AliasChoices("MIGRATION_TASK_QUEUE"))
    worker_role: Literal["all", "workflows", "activities"] = Field(
        default="all", validation_alias=AliasChoices("MIGRATION_WORKER_ROLE"),
        description="What a worker runs: all, workflows only or activities only (--workflows-only and "
                    "--activities-only win over it).")
    worker_deployment: str = Field(
        default="migration-platform", min_length=1, validation_alias=AliasChoices("MIGRATION_WORKER_DEPLOYMENT"),
        description="Worker Deployment name for worker versioning (used only with MIGRATION_WORKER_BUILD_ID).")
    worker_build_id: str | None = Field(
        default=None, min_length=1, validation_alias=AliasChoices("MIGRATION_WORKER_BUILD_ID"),
        description="This worker's build id: set, the worker is versioned and engagements stay pinned to the build "
                    "they started on; unset, unversioned.")
    db_pool_size: int = Field(
        default=10, ge=1, le=1000, validation_alias=AliasChoices("MIGRATION_DB_POOL_SIZE"),
        description="Database connections a worker keeps at most (docs/operations.md, Scaling workers).")
    db_statement_cache_size: int = Field(
        default=100, ge=0, le=10000, validation_alias=AliasChoices("MIGRATION_DB_STATEMENT_CACHE_SIZE"),
        description="Prepared statements asyncpg keeps per connection; 0 behind pgbouncer in transaction mode "
                    "(docs/operations.md, PostgreSQL connection pooling).")
    data_dir: Path = Field(
        default_factory=default_data_dir,
        validate_default=True,
        validation_alias=AliasChoices("MIGRATION_DATA_DIR"),
        description="Embedded services' data; a relative path is taken against the directory the process started in.",
    )
    embedded_pg_port: Port = Field(default=55432, validation_alias=AliasChoices("MIGRATION_PG_PORT"))
    embedded_temporal_port: Port = Field(default=7233, validation_alias=AliasChoices("MIGRATION_TEMPORAL_PORT"))
    embedded_temporal_ui_port: Port = Field(default=8233, validation_alias=AliasChoices("MIGRATION_TEMPORAL_UI_PORT"))
    log_format: Literal["console", "json"] = Field(default="console", validation_alias=AliasChoices("LOG_FORMAT"))
    log_level: str = Field(default="INFO", validation_alias=AliasChoices("LOG_LEVEL"))
    embedder: str | None = Field(
        default=None,
        validation_alias=AliasChoices("MIGRATION_EMBEDDER"),
        description="Embedding model for learned field mappings; unset: the offline hashed n-gram embedder.",
    )
    metrics_port: Port | None = Field(default=None, validation_alias=AliasChoices("MIGRATION_METRICS_PORT"))
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
    schedule_partitions: CronSpec = Field(
        default="15 1 * * *", validation_alias=AliasChoices("MIGRATION_SCHEDULE_PARTITIONS"),
        description="Cron spec (UTC) of the log partitions run (docs/operations.md, Scheduled maintenance).")
    schedule_retention: CronSpec = Field(
        default="45 2 * * *", validation_alias=AliasChoices("MIGRATION_SCHEDULE_RETENTION"),
        description="Cron spec (UTC) of the log retention run.")
    schedule_archive: CronSpec = Field(
        default="30 3 * * *", validation_alias=AliasChoices("MIGRATION_SCHEDULE_ARCHIVE"),
        description="Cron spec (UTC) of the engagement archive run.")
    partition_months_ahead: int = Field(default=3, ge=1, le=60,
                                        validation_alias=AliasChoices("MIGRATION_PARTITION_MONTHS_AHEAD"))
    partition_weeks_ahead: int = Field(default=8, ge=1, le=260,
                                       validation_alias=AliasChoices("MIGRATION_PARTITION_WEEKS_AHEAD"))
    retention_llm_usage_days: int = Field(default=400, ge=30, le=36500,
                                          validation_alias=AliasChoices("MIGRATION_RETENTION_LLM_USAGE_DAYS"))
    retention_agent_tasks_days: int = Field(default=180, ge=30, le=36500,
                                            validation_alias=AliasChoices("MIGRATION_RETENTION_AGENT_TASKS_DAYS"))
    retention_audit_days: int = Field(default=2557, ge=30, le=36500,
                                      validation_alias=AliasChoices("MIGRATION_RETENTION_AUDIT_DAYS"))
    retention_export_dir: Path | None = Field(
        default=None, validation_alias=AliasChoices("MIGRATION_RETENTION_EXPORT_DIR"),
        description="Folder (on the worker) a log partition is exported to, as gzip JSON Lines, before it is dropped; "
                    "unset: partitions are dropped without an export.")
    archive_after_days: int = Field(default=90, ge=1, le=36500,
                                    validation_alias=AliasChoices("MIGRATION_ARCHIVE_AFTER_DAYS"))

    @field_validator("database_url", "database_owner_url", "database_replica_url", "temporal_address",
                     "worker_build_id", "retention_export_dir", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        """`export DATABASE_URL=` means the embedded default, as if it were unset."""
        return None if value == "" else value

    @field_validator("database_url", "database_owner_url", "database_replica_url")
    @classmethod
    def _postgres_url(cls, value: str | None) -> str | None:
        """A connection URL must at least look like one (the message never repeats it: it holds a password)."""
        if value is not None and urlsplit(value).scheme not in POSTGRES_URL_SCHEMES:
            raise ValueError("not a PostgreSQL URL; expected postgresql://USER:PASSWORD@HOST:PORT/DATABASE")
        return value

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
