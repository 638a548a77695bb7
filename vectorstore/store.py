"""`Store(client, embeddings)`: passages and transcripts in Chroma; `corpus()` gives what a search
reads (`vectorstore.corpus`), from a lexicon kept beside the store (`vectorstore.lexicon`) that is
brought up to date one changed transcript at a time.

Two collections per store (`vectorstore.records`): `<name>` holds one record per passage (its
embedding, and its offsets and speaker as metadata; id = the passage's stable id) and
`<name>-sources` one record per transcript (its exact text and metadata, with the ids of its
passages), so that citations can be checked and transcripts shown without the original files.

Re-ingesting an edited file is atomic for readers: the new version's passages are written first,
then the transcript's record is switched to the new text and passage ids in one write, then the
old passages are deleted. Readers take a transcript's passages from its record, so a process
killed at any moment leaves each file wholly old or wholly new (and the next ingest tidies up).
The lexicon follows the transcripts' records: a transcript whose record names another version
than the lexicon holds is read again from Chroma (so a lexicon deleted, or kept on another
machine than a Chroma server, is rebuilt). The passages collection records the embedding model
and dimension that built it; a store built with one model refuses to be searched or extended
with another.
"""

from __future__ import annotations

import functools
import json
import logging
import secrets
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from ingest.speakers import Speaker, check_labels, merged, speakers_json, speakers_of_json
from ingest.transcript import Passage, Transcript, text_sha256
from vectorstore.errors import EmbeddingMismatchError, StoreError, StoreMissingError
from vectorstore.corpus import Corpus, SourceInfo
from vectorstore.lexicon import Lexicon
from vectorstore.records import (PAGE, is_current, lexicon_key, passage_of, passage_record, read_all, source_infos,
                                  source_record, version_of)

log = logging.getLogger(__name__)
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class IngestResult:
    added: int
    removed: int
    kept: int
    seconds: float
    reused: int = 0  # new passages whose vector came from the old version's identical text
    dropped: tuple[Speaker, ...] = ()  # names and roles of speakers the new version no longer has


def _missing_errors() -> tuple[type[BaseException], ...]:
    from chromadb.errors import NotFoundError

    return NotFoundError, ValueError  # ValueError: what older releases raised for a missing collection


_MISSING = _missing_errors()


def _reachable(method):
    """A store method whose lost connection (a Chroma server stopped, a network gone) is one
    `StoreError` line, not a traceback, and not mistaken for an empty store. Chroma's own internal
    error (seen once in many reads right after a writer was killed mid-write, while it replays its
    log) gets one retry on a fresh client, then is one line too."""
    import httpx
    from chromadb.errors import InternalError

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            try:
                return method(self, *args, **kwargs)
            except InternalError as exc:
                if not self.reopen:
                    raise
                log.warning("Chroma failed (%s): reading again with a fresh client", exc)
                with self._lock:
                    self._reopen()
                    self._forget()
                return method(self, *args, **kwargs)
        except (httpx.TransportError, ConnectionError) as exc:
            raise StoreError(f"lost the connection to the Chroma server ({exc}): is `chroma run` still running? "
                             f"(an ingest cut short is finished by running it again)") from None
        except InternalError as exc:
            raise StoreError(f"Chroma could not read {self.where} ({exc}): if an ingest was cut short, run it "
                             f"again; if this stays, move the store away and ingest the transcripts again") from None

    return wrapper


EXACT_MAX = 4000  # a search scoped to this many passages or fewer compares their vectors itself: Chroma's
# filtered search took 116 ms over one interview of 1,000, reading that interview's vectors 6 ms

STAMP = "verbatim_stamp"  # sources-collection metadata: a new random value after every write


class Store:
    """Chroma collections for passages and sources; the passage list and lexical index are cached."""

    def __init__(self, client, embeddings, name: str = "verbatim", reopen: Callable[[], object] | None = None,
                 where: str = "this store", lexicon: Path | None = None):
        """`reopen` makes a fresh client for the same store: an embedded client keeps the vectors it
        loaded, so when another process has written, the store reopens to see them. `lexicon` is
        the SQLite file of the lexicon (None: one in memory, built again by each process)."""
        self.client, self.embeddings, self.name, self.reopen = client, embeddings, name, reopen
        self.lexicon_path = lexicon
        self._lexicon: Lexicon | None = None
        self.where = where  # "the store at ./store": named in errors, so a user sees where we looked
        self._cache: tuple[tuple, Corpus] | None = None
        self._texts: dict[str, str] = {}
        self._seen: tuple | None = None  # the store's version as of our last read or write
        self._stamp_seen: str | None = None
        self._own_stamp: str | None = None  # the stamp our last write left
        self._handle: tuple | None = None  # the passages collection and its size, for searches
        self._scoped: dict[tuple, tuple[list[str], np.ndarray]] = {}  # a few transcripts' ids and vectors
        self._lock = threading.RLock()  # a reopen never pulls the client from under a search

    # -- collections ------------------------------------------------------------------------
    def _collection(self, create: bool):
        dimension = getattr(self.embeddings, "dimension", None)
        if create:
            meta = {"hnsw:space": "cosine", "embedding_model": self.embeddings.name}
            if dimension:
                meta["embedding_dim"] = dimension
            collection = self.client.get_or_create_collection(self.name, embedding_function=None, metadata=meta)
        else:
            try:
                collection = self.client.get_collection(self.name, embedding_function=None)
            except _MISSING:
                raise self._missing() from None
        built_with = (collection.metadata or {}).get("embedding_model")
        if built_with and built_with != self.embeddings.name:
            raise EmbeddingMismatchError(
                f"this store was built with the embedding model {built_with!r}, but {self.embeddings.name!r} is "
                f"configured: set VERBATIM_EMBEDDINGS to match, or re-ingest with --reset"
            )
        return collection

    def _sources(self, create: bool):
        name = f"{self.name}-sources"
        if create:
            return self.client.get_or_create_collection(name, embedding_function=None)
        try:
            return self.client.get_collection(name, embedding_function=None)
        except _MISSING:
            raise self._missing() from None

    def _missing(self) -> StoreMissingError:
        """Nothing ingested where we looked: say where, what is there instead, and how to look elsewhere."""
        try:
            others = sorted({c.name.removesuffix("-sources") for c in self.client.list_collections()} - {self.name})
        except Exception:  # the line is said all the same, only less precisely
            others = []
        if others:
            names = ", ".join(repr(name) for name in others)
            return StoreMissingError(
                f"{self.where} holds no collection {self.name!r}, only {names}: set VERBATIM_COLLECTION to one of "
                f"those, or ingest into {self.name!r} with `python -m ingest FILE`")
        return StoreMissingError(
            f"nothing ingested yet in {self.where}: ingest a transcript first with `python -m ingest FILE` (the "
            f"bundled interview: `python -m ingest data/interviews/*.txt`) using the same --store, VERBATIM_STORE, "
            f"VERBATIM_CHROMA_URL and VERBATIM_COLLECTION ({self.name!r}) as this command")

    # -- writing ----------------------------------------------------------------------------
    @_reachable
    def add(self, transcript: Transcript, progress: Progress | None = None, batch: int = 128,
            speakers: tuple[Speaker, ...] = ()) -> IngestResult:
        """Upsert a transcript: new passages are embedded, unchanged ones kept, stale ones removed.
        Who its speakers are is kept from the stored version, `speakers` replacing it label by label
        (a `SpeakerError` before anything is written if the transcript has no such label)."""
        check_labels(speakers, transcript.speakers, transcript.source)
        started = time.perf_counter()
        collection, sources = self._collection(create=True), self._sources(create=True)
        held = read_all(collection, ["documents", "embeddings", "metadatas"], where={"source": transcript.source})
        existing = set(held["ids"])
        # An edit moves the offsets (and so the ids) of every later passage: their text, and so
        # their vector, is unchanged, and is taken from the old record instead of the model.
        known = {text: vector for text, vector in zip(self._stored_texts(sources, transcript.source, held),
                                                      held["embeddings"]) if text is not None}
        wanted = {p.id: p for p in transcript.passages}
        new = [p for pid, p in wanted.items() if pid not in existing]
        stale = sorted(existing - wanted.keys())
        reused = sum(p.text in known for p in new)
        # Chroma writes one batch while the model embeds the next (onnxruntime releases the GIL).
        with ThreadPoolExecutor(max_workers=1) as writer:
            pending = None
            for i in range(0, len(new), batch):
                chunk = new[i : i + batch]
                vectors = self._vectors([p.text for p in chunk], known)
                if pending:
                    pending.result()
                pending = writer.submit(collection.upsert, ids=[p.id for p in chunk], embeddings=vectors,
                                        metadatas=[passage_record(p, transcript.text) for p in chunk])
                if progress:
                    progress(i + len(chunk), len(new))
            if pending:
                pending.result()
        record = sources.get(ids=[self._source_id(transcript.source)], include=["metadatas"])["metadatas"]
        people, dropped = merged(speakers_of_json(record[0].get("people")) if record else (), speakers,
                                 transcript.speakers)
        meta = source_record(transcript, people)
        if changed := not record or record[0].get("sha256") != meta["sha256"] or \
                record[0].get("passage_ids") != meta["passage_ids"]:
            # the switch: from here on readers see the new version (its passages are all written)
            sources.upsert(ids=[self._source_id(transcript.source)], embeddings=[[1.0]], documents=[transcript.text],
                           metadatas=[meta])
        elif record[0].get("people", "[]") != meta["people"]:  # the same text, its speakers newly described
            sources.update(ids=[self._source_id(transcript.source)], metadatas=[record[0] | {"people": meta["people"]}])
        current = meta if changed else record[0]
        self._index(collection).put(transcript.source, lexicon_key(current), transcript.passages)
        for i in range(0, len(stale), PAGE):  # only now the old version's passages go
            collection.delete(ids=stale[i : i + PAGE])
        self._forget(wrote=True)
        return IngestResult(len(new), len(stale), len(wanted) - len(new), time.perf_counter() - started, reused,
                            dropped)

    def _stored_texts(self, sources, source: str, held: dict) -> list[str | None]:
        """The words of each stored passage of `source` (None for a passage of no recorded version:
        left by an ingest cut short, its offsets belong to a text the store does not hold)."""
        if all(document is not None for document in held["documents"]):
            return held["documents"]  # a store written before passages left their words out
        got = sources.get(ids=[self._source_id(source)], include=["documents", "metadatas"])
        if not got["ids"]:
            return [None] * len(held["ids"])
        text, meta = got["documents"][0], got["metadatas"][0]
        recorded = set(json.loads(meta.get("passage_ids", "[]")))
        return [document if document is not None else text[m["start"] : m["end"]] if pid in recorded else None
                for pid, document, m in zip(held["ids"], held["documents"], held["metadatas"])]

    def _vectors(self, texts: list[str], known: dict) -> list:
        """Vectors for `texts`: those in `known` as they are, the others from the model."""
        missing = [t for t in dict.fromkeys(texts) if t not in known]
        fresh = dict(zip(missing, self.embeddings.embed_documents(missing))) if missing else {}
        return [list(map(float, known[t])) if t in known else fresh[t] for t in texts]

    @_reachable
    def remove(self, source: str) -> int:
        """Delete one transcript (its record first: readers stop seeing it at once; then its
        passages); the number of passages removed."""
        sources = self._sources(create=False)
        collection = self._collection(create=False)
        ids = read_all(collection, [], where={"source": source})["ids"]
        if not sources.get(ids=[self._source_id(source)], include=[])["ids"]:
            if not ids:
                raise StoreError(f"no transcript {source!r} in this store: `python -m ingest --list` shows what it holds")
        else:
            sources.delete(ids=[self._source_id(source)])
        self._index(collection).drop(source)
        for i in range(0, len(ids), PAGE):  # left over by a removal that was killed, too
            collection.delete(ids=ids[i : i + PAGE])
        self._forget(wrote=True)
        return len(ids)

    @_reachable
    def retitle(self, source: str, title: str) -> str:
        """Give one transcript a new title (its record's `title` only: text, passages and offsets stay);
        the old title."""
        title = " ".join(title.split())
        if not title:
            raise StoreError("a title cannot be empty: give the interview a name")
        sources = self._sources(create=False)
        got = sources.get(ids=[self._source_id(source)], include=["metadatas"])
        if not got["ids"]:
            raise StoreError(f"no transcript {source!r} in this store: `python -m ingest --list` shows what it holds")
        meta = dict(got["metadatas"][0])
        old, meta["title"] = meta["title"], title
        sources.update(ids=got["ids"], metadatas=[meta])  # the whole record's metadata, so no key is lost
        self._forget(wrote=True)
        return old

    @_reachable
    def describe(self, source: str, speakers: tuple[Speaker, ...]) -> SourceInfo:
        """Say who some speakers of one transcript are (each `Speaker` replaces what was known of its
        label; text, passages and offsets stay); the transcript as the store now knows it. A label the
        transcript does not have is a `SpeakerError`, and nothing is written."""
        sources = self._sources(create=False)
        got = sources.get(ids=[self._source_id(source)], include=["metadatas"])
        if not got["ids"]:
            raise StoreError(f"no transcript {source!r} in this store: `python -m ingest --list` shows what it holds")
        meta = dict(got["metadatas"][0])
        labels = json.loads(meta["speakers"])
        check_labels(speakers, labels, source)
        meta["people"] = speakers_json(merged(speakers_of_json(meta.get("people")), speakers, labels)[0])
        sources.update(ids=got["ids"], metadatas=[meta])  # the whole record's metadata, so no key is lost
        self._forget(wrote=True)
        return source_infos([meta])[0]

    @_reachable
    def reset(self) -> None:
        """Drop both collections (all transcripts)."""
        for name in (self.name, f"{self.name}-sources"):
            try:
                self.client.delete_collection(name)
            except Exception:  # not there: nothing to drop
                pass
        self._forget()
        self._seen = None
        if self._lexicon is not None:
            self._lexicon.close()
            self._lexicon = None
        if self.lexicon_path is not None:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.lexicon_path}{suffix}").unlink(missing_ok=True)

    def _forget(self, wrote: bool = False) -> None:
        """Drop what is cached; after our own write, leave a new stamp (a later stamp is then another
        process's, and makes us reopen). Costs no read: ingesting many files stays linear."""
        self._cache, self._texts, self._stamp_seen, self._handle, self._scoped = None, {}, None, None, {}
        if wrote:
            # a new stamp tells every reader to look again; while it is still ours, nobody else wrote
            self._own_stamp = secrets.token_hex(8)
            self._sources(create=False).modify(metadata={STAMP: self._own_stamp})

    def _index(self, collection) -> Lexicon:
        """The lexicon, opened on first use (and emptied if it belonged to an earlier collection of this name)."""
        if self._lexicon is not None and self._lexicon.collection != str(collection.id):
            self._lexicon.close()  # the store was dropped and made again (perhaps by another process)
            self._lexicon = None
        if self._lexicon is None:
            if self.lexicon_path is not None:
                self.lexicon_path.parent.mkdir(parents=True, exist_ok=True)
            self._lexicon = Lexicon(self.lexicon_path or ":memory:", str(collection.id))
        return self._lexicon

    @staticmethod
    def _source_id(source: str) -> str:
        return "s-" + text_sha256(source)[:24]

    # -- reading ----------------------------------------------------------------------------
    @_reachable
    def is_empty(self) -> bool:
        try:
            return self._collection(create=False).count() == 0
        except StoreMissingError:
            return True

    @_reachable
    def sources(self) -> list[SourceInfo]:
        """What the store knows of each transcript (from the last read while the stamp is unchanged)."""
        if self._cache is not None and self._stamp_seen is not None and self._stamp() == self._stamp_seen:
            return list(self._cache[1].sources)
        return source_infos(read_all(self._sources(create=False), ["metadatas"])["metadatas"])

    @_reachable
    def source_text(self, source: str) -> str:
        """The exact text of an ingested transcript (cached until the store changes)."""
        if source not in self._texts:
            got = self._sources(create=False).get(ids=[self._source_id(source)], include=["documents"])
            if not got["ids"]:
                raise StoreError(f"{source} is not in this store: ingest it with `python -m ingest {source}`")
            self._texts[source] = got["documents"][0]
        return self._texts[source]

    @_reachable
    def corpus(self) -> Corpus:
        """What a search reads. A question costs one small read (the store's stamp) while nothing
        changed; after a change, the lexicon reads only the changed transcripts' passages (another
        process may have ingested, removed or renamed since, or built the lexicon already)."""
        stamp = self._stamp()
        if self._cache is not None and stamp is not None and stamp == self._stamp_seen:
            return self._cache[1]
        metas = read_all(self._sources(create=False), ["metadatas"])["metadatas"]
        version = version_of(metas)
        others_wrote = stamp != self._own_stamp if stamp is not None and self._own_stamp else version != self._seen
        if self._seen is not None and others_wrote and self.reopen:
            with self._lock:
                self._reopen()  # another process wrote: our client's vectors are out of date
        self._seen, self._stamp_seen, self._texts, self._handle = version, stamp, {}, None
        infos = tuple(source_infos(metas))
        if self._cache is not None and self._cache[0] == version:
            if self._cache[1].sources != infos:  # a title changed: the passages did not
                self._cache = (version, self._cache[1].retitled(infos))
            return self._cache[1]
        if not metas:
            raise StoreMissingError("the store is empty: ingest a transcript first with `python -m ingest FILE`")
        lexicon = self._sync(metas)
        spans, rows = lexicon.rows()
        self._cache = (version, Corpus(lexicon, infos, tuple(spans), rows))
        return self._cache[1]

    def _sync(self, metas: list[dict]) -> Lexicon:
        """Bring the lexicon up to date with the transcripts' records: read the passages of each
        transcript it does not hold in that version; forget removed ones."""
        collection = self._collection(create=False)
        lexicon = self._index(collection)
        keys = {m["source"]: lexicon_key(m) for m in metas}
        sha256 = {m["source"]: m["sha256"] for m in metas}
        held = lexicon.keys()
        for source in held.keys() - keys.keys():
            lexicon.drop(source)
        changed = sorted(source for source in keys if held.get(source) != keys[source])
        if changed:
            log.info("indexing %d transcript(s) for search", len(changed))
        for i in range(0, len(changed), 100):  # a bounded `$in` per read
            group = changed[i : i + 100]
            got = read_all(collection, ["documents", "metadatas"],
                           where={"source": group[0]} if len(group) == 1 else {"source": {"$in": group}})
            current = {m["source"]: set(json.loads(m["passage_ids"])) if "passage_ids" in m else None
                       for m in metas if m["source"] in group}
            by_source: dict[str, list[Passage]] = {source: [] for source in group}
            texts: dict[str, str | None] = {}
            for pid, document, meta in zip(got["ids"], got["documents"], got["metadatas"]):
                source = meta["source"]
                if not is_current(pid, source, current):
                    continue
                if source not in texts:  # the words of the version whose passages these are
                    texts[source] = self._text_of(source, sha256[source])
                if texts[source] is None:
                    continue
                by_source[source].append(passage_of(pid, document, meta, texts[source]))
            for source, passages in by_source.items():
                if texts.get(source, "") is None or current[source] is not None and len(passages) != len(current[source]):
                    continue  # rewritten while we read: the next question reads it again
                lexicon.put(source, keys[source], passages)
        return lexicon

    def _text_of(self, source: str, sha256: str) -> str | None:
        """The transcript's text if it is still the version `sha256` names (None: rewritten since)."""
        got = self._sources(create=False).get(ids=[self._source_id(source)], include=["documents"])
        text = got["documents"][0] if got["ids"] else None
        return text if text is not None and text_sha256(text) == sha256 else None

    def _stamp(self) -> str | None:
        """The stamp every write leaves on the sources collection (None: no stamp, or no store)."""
        try:
            return (self.client.get_collection(f"{self.name}-sources", embedding_function=None).metadata or {}).get(STAMP)
        except _MISSING:  # no collection: the full read says so in words
            return None

    def _reopen(self) -> None:
        close = getattr(self.client, "close", None)
        if close:
            close()  # first: chromadb shares one system per folder until its last client closes
        self.client = self.reopen()

    def _exact_search(self, collection, vector: np.ndarray, k: int, spans: list, speakers: list[str] | None) -> dict[str, float]:
        """The `k` nearest passages of a few transcripts (`spans`, by `speakers`), compared here."""
        ids, matrices = [], []
        for source, first, count, _ in spans:
            own, matrix = self._scope_vectors(collection, source, first, count)
            if speakers:
                chosen = set(self._index(collection).ids_between(first, first + count - 1, speakers))
                keep = [i for i, pid in enumerate(own) if pid in chosen]
                own, matrix = [own[i] for i in keep], matrix[keep]
            ids += own
            matrices.append(matrix)
        if not ids:
            return {}
        similarity = np.concatenate(matrices) @ (vector / np.linalg.norm(vector)).astype(np.float32)
        best = np.argsort(-similarity, kind="stable")[:k]
        return {ids[i]: float(similarity[i]) for i in best}

    def _scope_vectors(self, collection, source: str, first: int, count: int) -> tuple[list[str], np.ndarray]:
        """One transcript's passage ids and unit vectors (rows first..first+count-1), kept for 16 transcripts."""
        key = (source, first, count)  # rows are new whenever a transcript is written again
        if key not in self._scoped:
            wanted = self._index(collection).ids_between(first, first + count - 1)
            held: dict[str, list[float]] = {}
            for i in range(0, len(wanted), PAGE):
                got = collection.get(ids=wanted[i : i + PAGE], include=["embeddings"])
                held.update(zip(got["ids"], got["embeddings"]))
            own = [pid for pid in wanted if pid in held]
            matrix = np.asarray([held[pid] for pid in own], dtype=np.float32).reshape(len(own), -1)
            matrix /= np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)
            if len(self._scoped) >= 16:
                self._scoped.pop(next(iter(self._scoped)))
            self._scoped[key] = (own, matrix)
        return self._scoped[key]

    @_reachable
    def dense_search(self, vector: np.ndarray, k: int, sources: list[str] | None = None,
                     speakers: list[str] | None = None) -> dict[str, float]:
        """Cosine similarity of the `k` nearest passages (of `sources`, by `speakers`), by passage id."""
        with self._lock:
            return self._dense_search(vector, k, sources, speakers)

    def _dense_search(self, vector: np.ndarray, k: int, sources: list[str] | None,
                      speakers: list[str] | None) -> dict[str, float]:
        if self._handle is None:  # kept until the store changes: a question costs no extra reads
            collection = self._collection(create=False)
            self._handle = (collection, collection.count())
        collection, count = self._handle
        if sources and self._cache is not None:
            spans = [span for span in self._cache[1].spans if span[0] in sources]
            if sum(count for _, _, count, _ in spans) <= EXACT_MAX:
                return self._exact_search(collection, vector, k, spans, speakers)
        clauses = [{field: values[0]} if len(values) == 1 else {field: {"$in": list(values)}}
                   for field, values in (("source", sources), ("speaker", speakers)) if values]
        where = None if not clauses else clauses[0] if len(clauses) == 1 else {"$and": clauses}
        n = min(k, count)
        if n == 0:
            return {}
        got = collection.query(query_embeddings=[list(map(float, vector))], n_results=n, where=where, include=["distances"])
        return {pid: 1.0 - dist for pid, dist in zip(got["ids"][0], got["distances"][0])}
