"""The one place that builds a Chroma client: embedded `PersistentClient` or a server's `HttpClient`.

    client = make_client(Path("store"), create=True)          # an embedded store in ./store
    client = make_client(None, "http://127.0.0.1:8000")       # a `chroma run` server

Only one process may write to an embedded store at a time (two writers can leave it unreadable),
so writers hold `write_lock(store_dir)`; a Chroma server takes concurrent writers itself.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
from pathlib import Path
from urllib.parse import urlparse

from vectorstore.errors import StoreBusyError, StoreError, StoreMissingError

log = logging.getLogger(__name__)
LOCK_FILE = ".verbatim-write.lock"


def server_address(url: str) -> tuple[str, int, bool]:
    """(host, port, ssl) of a Chroma server URL; `StoreError` if it is not http(s)://HOST[:PORT].

    >>> server_address("http://127.0.0.1:8123")
    ('127.0.0.1', 8123, False)
    """
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise StoreError(f"Chroma server URL {url!r}: expected http://HOST:PORT")
    return parsed.hostname, parsed.port or (443 if parsed.scheme == "https" else 8000), parsed.scheme == "https"


def make_client(store_dir: Path | str | None, chroma_url: str | None = None, create: bool = False):
    """A Chroma client: the server at `chroma_url` if given, else the embedded store in `store_dir`;
    for an embedded store that does not exist yet, `create` decides between making it and raising
    `StoreMissingError`."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=True)
    if chroma_url:
        host, port, ssl = server_address(chroma_url)
        try:
            return chromadb.HttpClient(host=host, port=port, ssl=ssl, settings=chroma_settings)
        except Exception as exc:  # chromadb raises ValueError/ConnectionError variants
            raise StoreError(f"cannot reach the Chroma server at {chroma_url}: is `chroma run` started? ({exc})") from None
    path = store_folder(store_dir, create)
    if not create and not (path / "chroma.sqlite3").exists():
        raise StoreMissingError(
            f"no store at {shown(path)} (--store or VERBATIM_STORE chooses another folder): ingest a transcript first "
            f"with `python -m ingest FILE` (the bundled interview: `python -m ingest data/interviews/*.txt`, or `make run`)"
        )
    try:
        return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
    except Exception as exc:  # chromadb's InternalError for a damaged or foreign database, OSError, ...
        raise StoreError(f"cannot open the store at {path} ({exc}): if it is damaged, move it away and ingest "
                         f"the transcripts again") from None


def shown(path: Path | str) -> str:
    """A folder as a user would type it.

    >>> shown("store"), shown("./data/store"), shown("/srv/store")
    ('./store', './data/store', '/srv/store')
    """
    path = str(path)
    return path if path.startswith(("/", ".")) else f"./{path}"


def store_folder(store_dir: Path | str | None, create: bool) -> Path:
    """The store's folder, made if `create` (and allowed); `StoreError` if it is a file or cannot be made."""
    path = Path(store_dir or "store")
    if path.exists() and not path.is_dir():
        raise StoreError(f"{path} is a file, not a store folder: give --store (or VERBATIM_STORE) a folder")
    if create:
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot make the store folder {path} ({exc.strerror}): choose another --store") from None
    return path


@contextlib.contextmanager
def write_lock(store_dir: Path | str | None, chroma_url: str | None = None, wait: bool = False):
    """Hold the write lock of the embedded store in `store_dir` (nothing to hold for a server);
    `StoreBusyError` if another process holds it."""
    if chroma_url:
        yield
        return
    path = store_folder(store_dir, create=True)
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
