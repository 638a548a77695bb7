"""Settings, read once from the environment (and a `.env` file, if present), then passed down.

| variable               | default      | meaning                                                        |
|------------------------|--------------|----------------------------------------------------------------|
| VERBATIM_STORE         | store        | folder of the embedded Chroma store                            |
| VERBATIM_CHROMA_URL    | (none)       | a Chroma server (`http://127.0.0.1:8000`) instead of the folder |
| VERBATIM_COLLECTION    | verbatim     | Chroma collection name (3+ characters)                          |
| VERBATIM_EMBEDDINGS    | minilm       | `minilm` (offline, packaged) or `openai[:MODEL]`                |
| VERBATIM_ANSWERER      | auto         | `extractive`, `llm`, or `auto` (llm when a model is configured) |
| OPENAI_API_KEY         | (none)       | key for the OpenAI-compatible server                           |
| OPENAI_BASE_URL        | (none)       | its URL (Ollama, vLLM, llama.cpp, Azure's OpenAI endpoint ...) |
| VERBATIM_CHAT_MODEL    | gpt-4o-mini  | the chat model's name on that server                           |
| VERBATIM_LLM_TIMEOUT   | 20           | seconds a question may spend on the model: all calls and retries |
| VERBATIM_LLM_RETRIES   | 1            | retries after a failed call (429, 5xx), within that time         |
| VERBATIM_MAX_CITATIONS | 3            | most citations in one answer                                   |
| VERBATIM_CONVERSATIONS | STORE/conversations.sqlite3 | the app's saved conversations (SQLite)          |

The conversations file sits in the store folder by default. With a Chroma server
(`VERBATIM_CHROMA_URL`) the server keeps the passages but not the conversations: they stay on the
machine running the app, in the store folder all the same (`VERBATIM_STORE`, default `store`),
unless `VERBATIM_CONVERSATIONS` names another file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping
from urllib.parse import urlparse

from bot.errors import SettingsError

ANSWERERS = ("auto", "extractive", "llm")


def read_dotenv(path: Path) -> dict[str, str]:
    """`KEY=VALUE` lines of a .env file; `#` comments and surrounding quotes are dropped."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.removeprefix("export ").split("=", 1)
        values[key.strip()] = value.strip().strip("'\"")
    return values


def _number(env: Mapping[str, str], key: str, default: float, kind: type = float, low: float = 0) -> float:
    raw = env.get(key, "").strip()
    if not raw:
        return kind(default)
    try:
        value = kind(raw)
    except ValueError:
        raise SettingsError(f"{key}={raw!r} is not a number") from None
    if value < low:
        raise SettingsError(f"{key}={raw!r} must be at least {low}")
    return value


def _is_http_url(url: str) -> bool:
    parsed = urlparse(url)
    return parsed.scheme in ("http", "https") and bool(parsed.hostname)


@dataclass(frozen=True)
class Settings:
    """Everything configurable; build it with `Settings.from_env()` (tests pass their own)."""

    store_dir: Path = Path("store")
    chroma_url: str | None = None
    collection: str = "verbatim"
    embeddings: str = "minilm"
    answerer: str = "auto"
    openai_api_key: str | None = None
    openai_base_url: str | None = None
    chat_model: str = "gpt-4o-mini"
    llm_timeout: float = 20.0
    llm_retries: int = 1
    max_citations: int = 3
    conversations: Path | None = None  # None: `conversations.sqlite3` in `store_dir` (see `conversations_path`)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, dotenv: Path | None = Path(".env")) -> Settings:
        env = dict(read_dotenv(dotenv)) if dotenv else {}
        env.update(os.environ if environ is None else environ)
        answerer = env.get("VERBATIM_ANSWERER", "auto").strip().lower() or "auto"
        if answerer not in ANSWERERS:
            raise SettingsError(f"VERBATIM_ANSWERER={answerer!r}: choose one of {', '.join(ANSWERERS)}")
        collection = env.get("VERBATIM_COLLECTION", "verbatim").strip() or "verbatim"
        chroma_url = env.get("VERBATIM_CHROMA_URL", "").strip() or None
        if chroma_url and not _is_http_url(chroma_url):
            raise SettingsError(f"VERBATIM_CHROMA_URL={chroma_url!r}: expected http://HOST:PORT")
        if len(collection) < 3:
            raise SettingsError(f"VERBATIM_COLLECTION={collection!r}: a collection name needs 3+ characters")
        return cls(
            store_dir=Path(env.get("VERBATIM_STORE", "").strip() or "store"),
            chroma_url=chroma_url,
            collection=collection,
            embeddings=env.get("VERBATIM_EMBEDDINGS", "").strip() or "minilm",
            answerer=answerer,
            openai_api_key=env.get("OPENAI_API_KEY", "").strip() or None,
            openai_base_url=env.get("OPENAI_BASE_URL", "").strip() or None,
            chat_model=env.get("VERBATIM_CHAT_MODEL", "").strip() or "gpt-4o-mini",
            llm_timeout=_number(env, "VERBATIM_LLM_TIMEOUT", 20.0, float, 0.1),
            llm_retries=int(_number(env, "VERBATIM_LLM_RETRIES", 1, int, 0)),
            max_citations=int(_number(env, "VERBATIM_MAX_CITATIONS", 3, int, 1)),
            conversations=Path(raw) if (raw := env.get("VERBATIM_CONVERSATIONS", "").strip()) else None,
        )

    @property
    def conversations_path(self) -> Path:
        """The SQLite file of saved conversations: the setting, or `conversations.sqlite3` in the store folder
        (also with a Chroma server: the conversations stay on the machine that runs the app)."""
        return self.conversations or self.store_dir / "conversations.sqlite3"

    @property
    def model_configured(self) -> bool:
        """A chat model is reachable in principle: a key, or a local server's URL."""
        return bool(self.openai_api_key or self.openai_base_url)

    @property
    def uses_llm(self) -> bool:
        return self.answerer == "llm" or (self.answerer == "auto" and self.model_configured)
