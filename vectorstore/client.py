"""The one place that builds a Chroma client: embedded `PersistentClient` or a server's `HttpClient`.

Only one process may write to an embedded store at a time (two writers can leave it unreadable),
so writers hold `write_lock(settings)`; a Chroma server takes concurrent writers itself.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
from pathlib import Path
from urllib.parse import urlparse

from bot.errors import SettingsError, StoreBusyError, StoreError, StoreMissingError

log = logging.getLogger(__name__)
LOCK_FILE = ".verbatim-write.lock"


def make_client(settings, create: bool = False):
    """A Chroma client for `settings`; for an embedded store that does not exist yet, `create`
    decides between making it and raising `StoreMissingError`."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=True)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise SettingsError(f"VERBATIM_CHROMA_URL={settings.chroma_url!r}: expected http://HOST:PORT")
        try:
            return chromadb.HttpClient(
                host=url.hostname, port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https", settings=chroma_settings,
            )
        except Exception as exc:  # chromadb raises ValueError/ConnectionError variants
            raise StoreError(f"cannot reach the Chroma server at {settings.chroma_url}: is `chroma run` started? ({exc})") from None
    path = Path(settings.store_dir)
    if not create and not (path / "chroma.sqlite3").exists():
        raise StoreMissingError(
            f"no store at {path}: ingest a transcript first with `python -m ingest FILE` "
            f"(the bundled interview: `make run`, or `python -m ingest data/interviews/*.txt`)"
        )
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


@contextlib.contextmanager
def write_lock(settings, wait: bool = False):
    """Hold the store's write lock (embedded stores only); `StoreBusyError` if another holds it."""
    if settings.chroma_url:
        yield
        return
    path = Path(settings.store_dir)
    path.mkdir(parents=True, exist_ok=True)
    with open(path / LOCK_FILE, "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            raise StoreBusyError(
                f"another process is writing to {path}: wait for it to finish, or use a Chroma server (VERBATIM_CHROMA_URL)"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
