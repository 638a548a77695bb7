"""A fake OpenAI-compatible server over real HTTP on 127.0.0.1, scripted per test.

    server.enqueue(content="The official says “…” [1]")   # next chat completion
    server.enqueue(status=429)                              # next call fails with 429
    server.enqueue(hang=5)                                  # next call hangs (longer than the timeout)
    server.enqueue(content=lambda body: "...")              # a reply built from the request

Chat completions (plain and streamed as server-sent events) take the next scripted reply; an
unscripted call gets HTTP 500 so a test notices. Embeddings are deterministic bag-of-words vectors.
Every request body is kept in `server.requests`.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeOpenAI:
    def __init__(self):
        self.replies: deque[dict] = deque()
        self.requests: list[dict] = []
        self.release = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def enqueue(self, content=None, status: int = 200, hang: float = 0.0, finish: str = "stop",
                retry_after: float | None = None, trickle: float = 0.0) -> None:
        """Script the next reply: its content (or a function of the request body), an HTTP status
        (with a `Retry-After` of `retry_after` seconds), seconds to hang first, the finish reason
        ("length": the model ran out of tokens), and seconds between bytes (a trickling server)."""
        self.replies.append({"content": content, "status": status, "hang": hang, "finish": finish,
                             "retry_after": retry_after, "trickle": trickle})

    def start(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.release.set()
        self._server.shutdown()
        self._server.server_close()

    def chat_requests(self) -> list[dict]:
        return [r for r in self.requests if "messages" in r]

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output clean
                pass

            def _json(self, status: int, body: dict, headers: dict | None = None, trickle: float = 0.0) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                try:
                    self._write(data, trickle)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a deadline): nothing to report

            def _write(self, data: bytes, trickle: float) -> None:
                if not trickle:
                    self.wfile.write(data)
                    return
                for i in range(len(data)):  # one byte at a time: every read is quick, the whole is not
                    if fake.release.wait(trickle):
                        return
                    self.wfile.write(data[i : i + 1])
                    self.wfile.flush()

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                fake.requests.append(body)
                if self.path.endswith("/embeddings"):
                    inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
                    data = [{"object": "embedding", "index": i, "embedding": bag_of_words(str(t))} for i, t in enumerate(inputs)]
                    return self._json(200, {"object": "list", "data": data, "model": body.get("model"),
                                            "usage": {"prompt_tokens": 1, "total_tokens": 1}})
                if not fake.replies:
                    return self._json(500, {"error": {"message": "unscripted call", "type": "server_error"}})
                reply = fake.replies.popleft()
                if reply["hang"]:
                    fake.release.wait(reply["hang"])
                if reply["status"] != 200:
                    wait = {"retry-after": f"{reply['retry_after']:g}"} if reply["retry_after"] else {"retry-after-ms": "10"}
                    return self._json(reply["status"], {"error": {"message": f"scripted {reply['status']}", "type": "rate_limit"}},
                                      wait)
                content = reply["content"](body) if callable(reply["content"]) else (reply["content"] or "")
                if body.get("stream"):
                    return self._stream(body, content, reply["finish"])
                return self._json(200, {
                    "id": "chatcmpl-fake", "object": "chat.completion", "created": int(time.time()),
                    "model": body.get("model"),
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                                 "finish_reason": reply["finish"]}],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                }, trickle=reply["trickle"])

            def _stream(self, body: dict, content: str, finish: str = "stop") -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                pieces = [content[i : i + 7] for i in range(0, len(content), 7)] or [""]
                for i, piece in enumerate(pieces + [None]):
                    delta = {"content": piece} if piece is not None else {}
                    chunk = {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": int(time.time()),
                             "model": body.get("model"),
                             "choices": [{"index": 0, "delta": delta, "finish_reason": None if piece is not None else finish}]}
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                    self.wfile.flush()
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()

        return Handler


def bag_of_words(text: str, dimension: int = 64) -> list[float]:
    """A deterministic embedding: hashed word counts, unit length."""
    vector = [0.0] * dimension
    for word in text.lower().split():
        vector[int(hashlib.md5(word.encode()).hexdigest(), 16) % dimension] += 1.0
    norm = sum(v * v for v in vector) ** 0.5 or 1.0
    return [v / norm for v in vector]
