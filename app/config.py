"""Settings, read from ADVISOR_* environment variables. Nothing is built at import time."""

import os
import secrets
from functools import cached_property
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.db import PG_MAX_OVERFLOW, PG_POOL_RECYCLE_SECONDS, PG_POOL_SIZE, PG_POOL_TIMEOUT_SECONDS
from app.links import ServerSecret

# A secret shorter than this is refused: HMAC-derived share links are only as strong as the key.
MIN_SECRET_LENGTH = 32


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ADVISOR_", extra="ignore")

    database_url: str = Field(
        default="sqlite:///advisor.db",
        description="SQLAlchemy URL; a relative SQLite path is relative to the working directory.",
    )
    secret_key: SecretStr | None = Field(
        default=None,
        description="Signs CSRF tokens and derives share links. Generated into secret_key_file when unset.",
    )
    secret_key_fallbacks: list[SecretStr] = Field(
        default_factory=list,
        description="Secrets used before ADVISOR_SECRET_KEY (JSON list, newest first): links made under them "
        "keep working and are shown correctly until renewed; forms opened before a rotation still post.",
    )
    secret_key_file: Path = Field(
        default=Path("advisor-secret.key"),
        description="Where a generated secret is kept across restarts (mode 0600).",
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    base_url: str = Field(
        default="",
        description="Public origin used in share links, e.g. https://advisor.example.com. "
        "Defaults to http://HOST:PORT.",
    )
    allowed_hosts: list[str] = Field(
        default_factory=list,
        description="Host headers accepted; defaults to the base URL's host plus localhost.",
    )
    https: bool = Field(default=False, description="Served over HTTPS: Secure cookies and HSTS.")
    docs_enabled: bool = Field(default=True, description="Serve /docs and /openapi.json.")
    workers: int = Field(default=1, ge=1, le=64, description="uvicorn worker processes for `advisor serve`.")
    forwarded_allow_ips: str = Field(
        default="127.0.0.1", description="Proxies whose X-Forwarded-* headers are trusted (uvicorn)."
    )
    max_body_bytes: int = Field(default=64 * 1024, ge=1024, description="Largest request body accepted.")
    body_timeout_seconds: float = Field(
        default=10.0, gt=0, le=300,
        description="Seconds a request body may take to arrive in full; slower ones get 408 (issue 17).",
    )
    header_timeout_seconds: float = Field(
        default=10.0, gt=0, le=300,
        description="Seconds `advisor serve` gives a connection to send its request headers, then closes it.",
    )
    keep_alive_seconds: int = Field(
        default=5, ge=1, le=300, description="Seconds `advisor serve` keeps an idle connection open.",
    )
    limit_concurrency: int = Field(
        default=1000, ge=10,
        description="Connections (and running requests) a worker of `advisor serve` takes; beyond, 503.",
    )
    data_check_max_bytes: int = Field(
        default=20 * 1024 * 1024, ge=1024,
        description="Largest training-data sample the data checker reads (its upload routes only).",
    )
    data_check_max_concurrency: int = Field(
        default=2, ge=1, description="Data checks run at once per process; more are asked to retry.")
    rate_limit_create_per_minute: int = Field(default=30, ge=1)
    rate_limit_token_misses_per_minute: int = Field(default=30, ge=1)
    rate_limit_pdf_per_minute: int = Field(default=10, ge=1)
    rate_limit_storage: Literal["auto", "memory", "database"] = Field(
        default="auto",
        description="Where rate-limit counts are kept: auto is the database with several workers or on "
        "PostgreSQL (so all count together), else this process's memory.",
    )
    pdf_timeout_seconds: float = Field(default=30.0, gt=0)
    pdf_max_concurrency: int = Field(default=2, ge=1)
    pdf_max_waiting: int = Field(
        default=4, ge=0, description="PDF requests that may wait for a rendering slot; more get 503 at once.",
    )
    page_size: int = Field(default=20, ge=5, le=200, description="Assessments per workspace page.")
    db_wait_seconds: float = Field(
        default=30.0, ge=0, le=3600,
        description="Seconds `advisor serve`, `db upgrade` and `purge` wait for PostgreSQL to answer at "
        "start (retrying with backoff), then stop with one line; 0 tries once.",
    )
    db_pool_size: int = Field(
        default=PG_POOL_SIZE, ge=1, le=200,
        description="PostgreSQL connections each worker process keeps open (SQLite keeps its own pool).",
    )
    db_max_overflow: int = Field(
        default=PG_MAX_OVERFLOW, ge=0, le=200,
        description="PostgreSQL connections a worker may open beyond the pool under a burst, closed after.",
    )
    db_pool_timeout_seconds: float = Field(
        default=PG_POOL_TIMEOUT_SECONDS, gt=0, le=300,
        description="Seconds a request waits for a free PostgreSQL connection before it is answered 503.",
    )
    db_pool_recycle_seconds: int = Field(
        default=PG_POOL_RECYCLE_SECONDS, ge=-1,
        description="Reopen PostgreSQL connections older than this (-1: never).",
    )
    db_max_connections: int | None = Field(
        default=None, ge=1,
        description="The server's max_connections minus its reserve, if known: `check --deploy` warns when "
        "instances x workers x (pool + overflow + 1 for the event loop) exceed it.",
    )
    db_instances: int = Field(
        default=1, ge=1,
        description="Instances sharing the database (for `check --deploy`'s connection arithmetic only).",
    )
    metrics: bool = Field(default=False, description="Serve Prometheus metrics at /metrics (off by default).")
    metrics_token: SecretStr | None = Field(
        default=None,
        description="Bearer token /metrics requires; with metrics on and no token, /metrics is 404.",
    )
    telemetry: bool = Field(
        default=False, description="Trace requests with OpenTelemetry (packages installed by the operator); "
        "link tokens are replaced in span names and attributes.",
    )
    retention_days: int = Field(
        default=30, ge=0, le=36500,
        description="Days `advisor purge` keeps deleted assessments and revoked or expired links.",
    )
    log_format: Literal["text", "json"] = Field(
        default="text", description="Log lines as text or as JSON objects, each with time and request id.")

    @field_validator("database_url")
    @classmethod
    def _normalise_database_url(cls, url: str) -> str:
        url = url.strip()
        # Both spellings reach PostgreSQL through psycopg 3, the driver we install.
        for prefix in ("postgres://", "postgresql://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url[len(prefix) :]
        if not (url.startswith("sqlite") or url.startswith("postgresql+psycopg://")):
            raise ValueError("ADVISOR_DATABASE_URL must be a sqlite:/// or postgresql:// URL")
        return url

    @field_validator("base_url")
    @classmethod
    def _normalise_base_url(cls, url: str) -> str:
        url = url.strip().rstrip("/")
        if url and urlsplit(url).scheme not in ("http", "https"):
            raise ValueError("ADVISOR_BASE_URL must start with http:// or https://")
        return url

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def shared_rate_limits(self) -> bool:
        """Rate limits counted in the database, across workers and instances."""
        if self.rate_limit_storage == "auto":
            return self.workers > 1 or not self.is_sqlite
        return self.rate_limit_storage == "database"

    @property
    def public_base_url(self) -> str:
        return self.base_url or f"http://{self.host}:{self.port}"

    @property
    def trusted_hosts(self) -> list[str]:
        if self.allowed_hosts:
            return self.allowed_hosts
        public_host = urlsplit(self.public_base_url).hostname or "localhost"
        # Only the public host and loopback: "testserver" (Starlette's test client) was accepted in
        # production too (R12). Tests set base_url to http://testserver instead.
        return sorted({public_host, "localhost", "127.0.0.1"})

    @cached_property
    def secret(self) -> bytes:
        """The server secret: the configured one, else one generated once and kept in a file."""
        if self.secret_key is not None:
            value = self.secret_key.get_secret_value()
        elif self.secret_key_file.exists():
            value = self.secret_key_file.read_text().strip()
        else:
            value = _create_secret_file(self.secret_key_file)
        if len(value) < MIN_SECRET_LENGTH:
            raise ValueError(f"ADVISOR_SECRET_KEY must be at least {MIN_SECRET_LENGTH} characters")
        previous = tuple(old.get_secret_value().encode() for old in self.secret_key_fallbacks)
        return ServerSecret(value.encode(), previous)


def _create_secret_file(path: Path) -> str:
    """Write a new secret with O_EXCL so two workers starting at once agree on one key."""
    value = secrets.token_urlsafe(48)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(value + "\n")
    return value
