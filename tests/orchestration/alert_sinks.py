"""Local sinks on 127.0.0.1 that record what the alerts send: an HTTP server that keeps every
POSTed body, and a minimal SMTP server (HELO/EHLO, MAIL, RCPT, DATA, QUIT) that keeps every message."""

import socketserver
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

POLL = 0.02  # serve_forever's poll: shutdown() waits for the next one (0.5 s by default, per test)


class HttpSink:
    """``fail_first`` POSTs are answered with ``fail_status`` (kept in ``bodies`` too)."""

    def __init__(self, fail_first: int = 0, fail_status: int = 500) -> None:
        self.bodies: list[bytes] = []
        self.headers: list[dict[str, str]] = []
        self.fail_first, self.fail_status = fail_first, fail_status
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                sink.bodies.append(self.rfile.read(length))
                sink.headers.append(dict(self.headers))
                failing = len(sink.bodies) <= sink.fail_first
                self.send_response(sink.fail_status if failing else 204)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, args=(POLL,), daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class SmtpSink:
    def __init__(self) -> None:
        self.messages: list[dict] = []
        sink = self

        class Handler(socketserver.StreamRequestHandler):
            def reply(self, line: str) -> None:
                self.wfile.write(line.encode("ascii") + b"\r\n")

            def handle(self) -> None:
                self.reply("220 sink ESMTP")
                envelope: dict = {"from": None, "to": []}
                while True:
                    raw = self.rfile.readline()
                    if not raw:
                        return
                    line = raw.decode("utf-8", "replace").rstrip("\r\n")
                    verb = line[:4].upper()
                    if verb == "EHLO":
                        self.reply("250-sink")
                        self.reply("250 8BITMIME")
                    elif verb == "HELO":
                        self.reply("250 sink")
                    elif verb == "MAIL":
                        envelope = {"from": line.split(":", 1)[1].strip(), "to": []}
                        self.reply("250 OK")
                    elif verb == "RCPT":
                        envelope["to"].append(line.split(":", 1)[1].strip())
                        self.reply("250 OK")
                    elif verb == "DATA":
                        self.reply("354 end with .")
                        lines = []
                        while (data := self.rfile.readline()) not in (b".\r\n", b".\n", b""):
                            lines.append(data)
                        sink.messages.append({**envelope, "data": b"".join(lines)})
                        self.reply("250 queued")
                    elif verb == "QUIT":
                        self.reply("221 bye")
                        return
                    else:
                        self.reply("250 OK")

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, args=(POLL,), daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
