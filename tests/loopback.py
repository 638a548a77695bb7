"""A loopback HTTP listener that records every request it gets: what a planted image, script or
link would fetch. Used by the browser test of the Markdown export and by `make reliability`.

    with Listener() as listener:
        ...  # render something that names listener.url
    assert listener.hits == []
"""

from __future__ import annotations

import http.server
import threading


class Listener:
    def __init__(self):
        self.hits: list[str] = []
        hits = self.hits

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                hits.append(self.path)
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):  # keep output clean
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> Listener:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
