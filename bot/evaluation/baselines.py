"""Baselines for `bot eval`, scored exactly like the bot: each cites the spans it retrieves.

- `bm25-top3` / `bm25-top1`: BM25 over the blank-line paragraphs of the transcript;
- `dense-top3` / `dense-top1`: the same paragraphs, ranked by the bot's embedding model;
- `rcts-chroma-top4`: the tutorial recipe, LangChain's `RecursiveCharacterTextSplitter(chunk_size=1000,
  chunk_overlap=200)` into a Chroma collection, top 4 chunks.

They never abstain and cite whole paragraphs or chunks, which is what makes them baselines.
"""

from __future__ import annotations

import uuid

import numpy as np

from ingest.spans import paragraph_spans
from vectorstore.lexical import LexicalIndex, terms

Span = tuple[str, int, int]  # (source, start, end)
BASELINES = ("bm25-top3", "bm25-top1", "dense-top3", "dense-top1", "rcts-chroma-top4")


class ParagraphBaseline:
    """Paragraphs of every transcript, ranked by BM25 or by embeddings."""

    def __init__(self, texts: dict[str, str], embeddings):
        self.spans: list[Span] = [(src, s, e) for src, text in texts.items() for s, e in paragraph_spans(text)]
        documents = [texts[src][s:e] for src, s, e in self.spans]
        self.index = LexicalIndex([terms(d) for d in documents])
        self.vectors = np.asarray(embeddings.embed_documents(documents), dtype=np.float32)
        self.embeddings = embeddings

    def _top(self, scores: np.ndarray, k: int, sources: list[str] | None) -> list[Span]:
        order = [i for i in np.argsort(-scores, kind="stable") if not sources or self.spans[i][0] in sources]
        return [self.spans[i] for i in order[:k]]

    def bm25(self, question: str, k: int, sources: list[str] | None) -> list[Span]:
        return self._top(self.index.scores(terms(question)), k, sources)

    def dense(self, question: str, k: int, sources: list[str] | None) -> list[Span]:
        vector = np.asarray(self.embeddings.embed_query(question), dtype=np.float32)
        return self._top(self.vectors @ vector, k, sources)


BATCH = 5000


class RecursiveSplitterBaseline:
    """`RecursiveCharacterTextSplitter(1000, 200)` chunks in an in-memory Chroma collection."""

    def __init__(self, texts: dict[str, str], embeddings):
        import chromadb
        from chromadb.config import Settings as ChromaSettings
        from langchain_chroma import Chroma
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200, add_start_index=True)
        documents = splitter.create_documents(list(texts.values()), metadatas=[{"source": s} for s in texts])
        client = chromadb.EphemeralClient(settings=ChromaSettings(anonymized_telemetry=False))
        self.db = Chroma(collection_name=f"rcts-{uuid.uuid4().hex[:12]}", embedding_function=embeddings, client=client,
                         collection_metadata={"hnsw:space": "cosine"})
        for i in range(0, len(documents), BATCH):  # Chroma refuses larger batches (5,461 here)
            self.db.add_documents(documents[i : i + BATCH])

    def search(self, question: str, k: int, sources: list[str] | None) -> list[Span]:
        where = None if not sources else {"source": sources[0]} if len(sources) == 1 else {"source": {"$in": sources}}
        found = self.db.similarity_search(question, k=k, filter=where)
        return [(d.metadata["source"], d.metadata["start_index"], d.metadata["start_index"] + len(d.page_content))
                for d in found]

    def close(self) -> None:
        self.db.delete_collection()


def make_baselines(names: list[str], texts: dict[str, str], embeddings) -> dict[str, callable]:
    """Search functions `(question, sources) -> spans` for the named baselines."""
    systems = {}
    paragraphs = ParagraphBaseline(texts, embeddings) if any(n.startswith(("bm25", "dense")) for n in names) else None
    for name in names:
        match name:
            case "bm25-top3" | "bm25-top1":
                systems[name] = lambda q, src, k=int(name[-1]): paragraphs.bm25(q, k, src)
            case "dense-top3" | "dense-top1":
                systems[name] = lambda q, src, k=int(name[-1]): paragraphs.dense(q, k, src)
            case "rcts-chroma-top4":
                rcts = RecursiveSplitterBaseline(texts, embeddings)
                systems[name] = lambda q, src: rcts.search(q, 4, src)
            case _:
                raise ValueError(f"unknown baseline {name!r}: choose from {', '.join(BASELINES)}")
    return systems
