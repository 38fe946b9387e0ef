"""The operator's executor configuration, read from the environment when the worker starts.

- `MIGRATION_EXECUTOR_COMMANDS`: the directory whose programs the `command` executor may run, by file name
  (unset: the command executor is not available).
- `MIGRATION_EXECUTORS_FILE`: a YAML file naming the HTTP endpoints the `http` executor may call, and the worker
  environment variables passed on to commands:

      endpoints:
        replication:
          url: https://factory.example/api
          headers: {Authorization: "Bearer ${env:FACTORY_TOKEN}", X-Api-Key: "${file:/run/secrets/key}"}
          timeout_seconds: 30          # one request
          status_url_field: status_url # optional: poll the URL in this field of the JSON answer
          poll_interval_seconds: 10
          retry_initial_seconds: 1     # back-off after a connection error, a timeout or a 5xx
          retry_max_seconds: 60
      command_environment: [AWS_PROFILE]

Secrets are references (`${env:NAME}`, `${file:/path}`) resolved at each call, so they are never stored in the
database, a template or this configuration's loaded form. Every mistake is one line: `BadExecutorConfig`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

COMMANDS_VARIABLE = "MIGRATION_EXECUTOR_COMMANDS"
FILE_VARIABLE = "MIGRATION_EXECUTORS_FILE"
CONFIG_FILE_LIMIT = 1 << 20  # bytes of the configuration file
SECRET_FILE_LIMIT = 64 << 10  # bytes of one secrets file
_SECRET = re.compile(r"\$\{(env|file):([^{}]+)\}")
_ANY_REFERENCE = re.compile(r"\$\{[^{}]*\}")
_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class BadExecutorConfig(ValueError):
    """The call cannot run as the operator configured it (or as its step's parameters say): retrying cannot
    help; the message is one line and holds no secret."""


class Endpoint(BaseModel):
    """An HTTP endpoint the `http` executor may call, by name."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    url: str
    headers: dict[str, str] = Field(default_factory=dict)
    timeout_seconds: Annotated[float, Field(gt=0, le=3600)] = 30.0
    status_url_field: str | None = None
    poll_interval_seconds: Annotated[float, Field(gt=0, le=86400)] = 10.0
    retry_initial_seconds: Annotated[float, Field(gt=0, le=3600)] = 1.0
    retry_max_seconds: Annotated[float, Field(gt=0, le=86400)] = 60.0

    @field_validator("url")
    @classmethod
    def _url(cls, url: str) -> str:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("must be an http:// or https:// URL with a host")
        if parts.query or parts.fragment or any(ch.isspace() for ch in url):
            raise ValueError("must have no query, no fragment and no spaces (a step's path adds a query)")
        return url

    @field_validator("headers")
    @classmethod
    def _headers(cls, headers: dict[str, str]) -> dict[str, str]:
        for name, value in headers.items():
            if not _HEADER_NAME.match(name):
                raise ValueError(f"{name!r} is not a header name")
            if name.lower() == "idempotency-key":
                raise ValueError("Idempotency-Key is set by each call, not configured")
            if any(ch in value for ch in "\r\n\x00"):
                raise ValueError(f"header {name} holds a line break")
            for reference in _ANY_REFERENCE.findall(value):
                secret = _SECRET.fullmatch(reference)
                if not secret or (secret[1] == "env" and not _ENV_NAME.match(secret[2])) or (
                        secret[1] == "file" and not secret[2].startswith("/")):
                    raise ValueError(f"header {name}: {reference} is neither ${{env:NAME}} nor ${{file:/path}}")
        return headers

    def resolved_headers(self) -> tuple[dict[str, str], list[str]]:
        """The headers with their secret references read now, and the secrets read (to keep them out of any
        output)."""
        secrets: list[str] = []

        def read(match: re.Match[str]) -> str:
            kind, name = match.group(1), match.group(2)
            if kind == "env":
                value = os.environ.get(name)
                if value is None:
                    raise BadExecutorConfig(f"the environment variable {name} of a configured header is not set")
            else:
                value = _read_secret_file(Path(name))
            secrets.append(value)
            return value

        headers = {name: _SECRET.sub(read, value) for name, value in self.headers.items()}
        for name, value in headers.items():
            if any(ch in value for ch in "\r\n\x00"):
                raise BadExecutorConfig(f"the secret of header {name} holds a line break")
        return headers, [secret for secret in secrets if secret]


class _File(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    endpoints: dict[str, Endpoint] = Field(default_factory=dict)
    command_environment: list[Annotated[str, Field(pattern=_ENV_NAME.pattern)]] = Field(default_factory=list)


@dataclass(frozen=True)
class ExecutorConfig:
    """What the executors may use: the commands directory, the endpoints, the variables commands get."""

    commands_dir: Path | None = None
    endpoints: dict[str, Endpoint] = field(default_factory=dict)
    command_environment: tuple[str, ...] = ()

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> ExecutorConfig:
        """Read and check the configuration; raises `BadExecutorConfig` (one line) for a missing directory or
        an unreadable or invalid file."""
        commands_dir = None
        if directory := environ.get(COMMANDS_VARIABLE):
            commands_dir = Path(directory).expanduser()
            if not commands_dir.is_absolute():
                raise BadExecutorConfig(f"{COMMANDS_VARIABLE} must be an absolute path, not {directory}")
            if not commands_dir.is_dir():
                raise BadExecutorConfig(f"{COMMANDS_VARIABLE} {directory} is not a directory")
            commands_dir = commands_dir.resolve()
        parsed = _File()
        if path := environ.get(FILE_VARIABLE):
            parsed = _load(Path(path))
        return cls(commands_dir, dict(parsed.endpoints), tuple(parsed.command_environment))

    def endpoint(self, name: str) -> Endpoint:
        if name not in self.endpoints:
            known = ", ".join(sorted(self.endpoints)) or f"none: set {FILE_VARIABLE}"
            raise BadExecutorConfig(f"no HTTP endpoint named {name!r} is configured (configured: {known})")
        return self.endpoints[name]


def _load(path: Path) -> _File:
    where = f"{FILE_VARIABLE} {path}"
    try:
        with path.open("rb") as handle:
            data = handle.read(CONFIG_FILE_LIMIT + 1)
    except OSError as error:
        raise BadExecutorConfig(f"{where}: cannot be read ({error.strerror or error})") from None
    if len(data) > CONFIG_FILE_LIMIT:
        raise BadExecutorConfig(f"{where}: larger than {CONFIG_FILE_LIMIT} bytes")
    try:
        document = yaml.safe_load(data.decode("utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError) as error:
        mark = getattr(error, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark is not None else ""
        raise BadExecutorConfig(f"{where}: not valid UTF-8 YAML{at}") from None
    if document is None:
        document = {}
    try:
        return _File.model_validate(document)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in problem['loc']) or 'the document'}: {problem['msg']}"
            for problem in error.errors()[:5])
        raise BadExecutorConfig(f"{where}: {problems}") from None


def _read_secret_file(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            data = handle.read(SECRET_FILE_LIMIT + 1)
    except OSError as error:
        raise BadExecutorConfig(f"the secrets file {path} of a configured header cannot be read "
                                f"({error.strerror or error})") from None
    if len(data) > SECRET_FILE_LIMIT:
        raise BadExecutorConfig(f"the secrets file {path} is larger than {SECRET_FILE_LIMIT} bytes")
    try:
        return data.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise BadExecutorConfig(f"the secrets file {path} is not UTF-8 text") from None
