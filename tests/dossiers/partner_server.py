"""A partner's HTTP endpoint on loopback, run as its own process by the outbox tests.

    python tests/dossiers/partner_server.py STATE_DIR [--token T] [--port P]

It keeps one effect per ``Idempotency-Key`` (as a tax office's system should), in files of
``STATE_DIR`` that survive a restart:

* ``received.log`` — one line per request received (its key), written before anything else;
* ``accepted.log`` — one line per *effect*: a key the first time it is accepted;
* ``port``         — the port it listens on (written once listening);
* ``mode``         — read at each request: ``ok`` (default), ``fail`` (HTTP 503), ``slow:S`` (apply the
  effect, then wait S seconds before answering: a dispatcher killed meanwhile never hears back),
  ``hang:S`` (wait S seconds, no effect: the sender times out).
"""

from __future__ import annotations

import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

STATE = Path(sys.argv[1])
TOKEN = sys.argv[sys.argv.index("--token") + 1] if "--token" in sys.argv else None
PORT = int(sys.argv[sys.argv.index("--port") + 1]) if "--port" in sys.argv else 0  # 0: any free port
LOCK = threading.Lock()


def _lines(name: str) -> list[str]:
    path = STATE / name
    return path.read_text().split() if path.exists() else []


def _append(name: str, line: str) -> None:
    with (STATE / name).open("a") as f:
        f.write(line + "\n")
        f.flush()


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:  # quiet
        pass

    def _answer(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        key = self.headers.get("Idempotency-Key")
        with LOCK:
            _append("received.log", key or "-")
        if TOKEN and self.headers.get("Authorization") != f"Bearer {TOKEN}":
            return self._answer(401, {"error": "unauthorized"})
        envelope = json.loads(body)
        if not key or key != envelope.get("idempotency_key"):
            return self._answer(400, {"error": "Idempotency-Key missing or not the envelope's"})
        mode = (STATE / "mode").read_text().strip() if (STATE / "mode").exists() else "ok"
        if mode == "fail":
            return self._answer(503, {"error": "tạm ngừng phục vụ"})
        if mode.startswith("hang:"):
            time.sleep(float(mode[5:]))
            return self._answer(503, {"error": "too late"})
        with LOCK:
            new = key not in _lines("accepted.log")
            if new:
                _append("accepted.log", key)
        if mode.startswith("slow:"):
            time.sleep(float(mode[5:]))
        self._answer(201 if new else 200, {"accepted": key, "new": new})


def main() -> None:
    ThreadingHTTPServer.allow_reuse_address = True
    server = ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
    server.daemon_threads = True
    tmp = STATE / "port.tmp"
    tmp.write_text(str(server.server_address[1]))
    tmp.replace(STATE / "port")
    server.serve_forever()


if __name__ == "__main__":
    main()
