"""Where the agents' model is and what it may spend: the environment's settings, and an engagement's budget.

Agents are configured when a model and an OpenAI-compatible base URL are set (a customer's Ollama, vLLM or
LM Studio, or a hosted model); otherwise every phase runs on its rules alone and says "agents: not configured".
The key comes from the environment only and is never logged or stored.
"""

from __future__ import annotations

import importlib.util
import os
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from pydantic import AliasChoices, BaseModel, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

NOT_CONFIGURED = "not configured"
# crewai's and OpenTelemetry's telemetry, off unless the operator turns it on in the environment.
TELEMETRY_OFF = {"CREWAI_DISABLE_TELEMETRY": "true", "CREWAI_DISABLE_TRACKING": "true",
                 "CREWAI_TRACING_ENABLED": "false", "OTEL_SDK_DISABLED": "true"}


class AgentSettings(BaseSettings):
    """The model endpoint, its prices, the per-call limits and the default budget of an engagement."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    base_url: str | None = Field(default=None, validation_alias=AliasChoices("MIGRATION_LLM_BASE_URL"),
                                 description="OpenAI-compatible API root, e.g. http://localhost:11434/v1 (Ollama).")
    model: str | None = Field(default=None, max_length=200, validation_alias=AliasChoices("MIGRATION_LLM_MODEL"),
                              description="Model name the endpoint serves, e.g. qwen2.5:7b-instruct.")
    api_key: SecretStr | None = Field(default=None, validation_alias=AliasChoices("MIGRATION_LLM_API_KEY"),
                                      description="Bearer key; local servers usually need none.")
    price_input_per_mtok: float = Field(default=0.0, ge=0, le=10_000,
                                        validation_alias=AliasChoices("MIGRATION_LLM_PRICE_INPUT_PER_MTOK"),
                                        description="USD per million prompt tokens (0: a local model).")
    price_cached_per_mtok: float | None = Field(default=None, ge=0, le=10_000,
                                                validation_alias=AliasChoices("MIGRATION_LLM_PRICE_CACHED_PER_MTOK"),
                                                description="USD per million cached prompt tokens; unset: the input price.")
    price_output_per_mtok: float = Field(default=0.0, ge=0, le=10_000,
                                         validation_alias=AliasChoices("MIGRATION_LLM_PRICE_OUTPUT_PER_MTOK"),
                                         description="USD per million completion tokens.")
    timeout_seconds: float = Field(default=120.0, gt=0, le=3600,
                                   validation_alias=AliasChoices("MIGRATION_LLM_TIMEOUT_SECONDS"))
    max_output_tokens: int = Field(default=2000, ge=100, le=100_000,
                                   validation_alias=AliasChoices("MIGRATION_LLM_MAX_OUTPUT_TOKENS"))
    budget_tokens: int = Field(default=2_000_000, ge=0, le=10**12,
                               validation_alias=AliasChoices("MIGRATION_AGENT_BUDGET_TOKENS"),
                               description="Default budget of an engagement: prompt + completion tokens.")
    budget_calls: int = Field(default=2_000, ge=0, le=10**9,
                              validation_alias=AliasChoices("MIGRATION_AGENT_BUDGET_CALLS"),
                              description="Default budget of an engagement: model calls.")
    max_subjects: int = Field(default=200, ge=1, le=100_000,
                              validation_alias=AliasChoices("MIGRATION_AGENT_MAX_SUBJECTS"),
                              description="Columns, assets or applications one crew looks at per phase run.")

    @field_validator("base_url", "model", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("not an http(s) URL; expected e.g. http://localhost:11434/v1")
        if parts.username or parts.password or parts.query or parts.fragment:
            raise ValueError("holds credentials or a query; give the key in MIGRATION_LLM_API_KEY instead")
        try:
            parts.port
        except ValueError:
            raise ValueError("its port is not a number between 0 and 65535") from None
        return value.rstrip("/")

    @property
    def configured(self) -> bool:
        return self.base_url is not None and self.model is not None


class Prices(BaseModel):
    """USD per million tokens."""

    input: float
    cached: float
    output: float


def prices_of(settings: AgentSettings) -> Prices:
    cached = settings.price_input_per_mtok if settings.price_cached_per_mtok is None else settings.price_cached_per_mtok
    return Prices(input=settings.price_input_per_mtok, cached=cached, output=settings.price_output_per_mtok)


class AgentSettingsError(ValueError):
    """The environment's agent settings are invalid; the message names each variable and fault."""


@lru_cache(maxsize=1)
def agent_settings() -> AgentSettings:
    """The agent settings of this process, read once; AgentSettingsError names what is wrong."""
    try:
        return AgentSettings()
    except ValidationError as error:
        faults = "; ".join(f"{_variable(e['loc'])}: {e['msg']}" for e in error.errors())
        raise AgentSettingsError(f"agent settings are not valid: {faults}") from None


def _variable(loc: tuple[Any, ...]) -> str:
    field = AgentSettings.model_fields.get(str(loc[0])) if loc else None
    alias = field.validation_alias if field else None
    return alias.choices[0] if isinstance(alias, AliasChoices) else ".".join(map(str, loc))


def crewai_installed() -> bool:
    return importlib.util.find_spec("crewai") is not None


def unavailable_reason(settings: AgentSettings) -> str | None:
    """Why agents cannot run here (None: they can): not configured, or the `agents` extra is missing."""
    if not settings.configured:
        return NOT_CONFIGURED
    if not crewai_installed():
        return "configured, but crewai is not installed (install the `agents` extra: make setup AGENTS=1)"
    return None


def telemetry_off() -> None:
    """Turn crewai's telemetry and tracing off before it is imported, unless the environment chose."""
    for name, value in TELEMETRY_OFF.items():
        os.environ.setdefault(name, value)
