"""A local fake of SSB's StatBank and KLASS APIs on 127.0.0.1 (random port) for the tests.

It replays the REAL recorded payloads of /work/shared/fixtures/ssb (copied into tests/fixtures/ssb)
and can be told to misbehave: each entry of ``server.faults[path]`` is used by one request to that
path, in order (429 with Retry-After, 503, a slow answer, a truncated body, an HTML page with status
200, a wrong content type, a renamed dimension code, a value count that does not match the sizes).
Sub-queries of the real 05300 payload (GET ``valueCodes[..]`` or POST ``selection``) are answered
with the matching slice of it, so splitting and recombining can be checked against the original.
KLASS answers come from tests/fixtures/klass (SYNTHETIC, see its SOURCES.md).
"""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

TESTS = Path(__file__).resolve().parents[1]
SHARED = Path("/work/shared/fixtures/ssb")
KLASS_DIR = TESTS / "fixtures" / "klass"


def ssb_fixture(name: str) -> bytes:
    local = TESTS / "fixtures" / "ssb" / name
    return (local if local.exists() else SHARED / name).read_bytes()


PAYLOAD_05300 = ssb_fixture("05300_v0_data_json-stat2.json")
PAYLOAD_07221 = ssb_fixture("07221_v0_data_json-stat2.json")
QUERY_07221 = json.loads(ssb_fixture("07221_v0_query.json"))
TABLE_05810 = ssb_fixture("v2_05810_table_lang-en.json")
V2 = "/api/pxwebapi/v2"
NOT_FOUND = b'{"type":"Not Found","title":"Table not found","status":404}'  # synthetic error body


def slice_dataset(payload: bytes, selection: dict[str, list[str]]) -> bytes:
    """The cells of a real JSON-stat 2.0 dataset that a selection asks for, as a dataset."""
    document = json.loads(payload)
    ids, sizes = document["id"], document["size"]
    codes = {d: list(document["dimension"][d]["category"]["index"]) for d in ids}
    chosen = {d: [c for c in codes[d] if d not in selection or c in selection[d]] for d in ids}
    strides, stride = [], 1
    for size in reversed(sizes):
        strides.insert(0, stride)
        stride *= size
    positions = [[]]
    for d in ids:
        positions = [[*p, codes[d].index(c)] for p in positions for c in chosen[d]]
    status = document.get("status") or {}
    out = dict(document)
    out["size"] = [len(chosen[d]) for d in ids]
    out["value"], new_status = [], {}
    for n, pos in enumerate(positions):
        flat = sum(p * s for p, s in zip(pos, strides, strict=True))
        out["value"].append(document["value"][flat])
        if str(flat) in status:
            new_status[str(n)] = status[str(flat)]
    out["status"] = new_status
    out["dimension"] = {}
    for d in ids:
        dim = json.loads(json.dumps(document["dimension"][d]))
        dim["category"]["index"] = {c: i for i, c in enumerate(chosen[d])}
        dim["category"]["label"] = {c: dim["category"]["label"][c] for c in chosen[d]}
        out["dimension"][d] = dim
    return json.dumps(out, ensure_ascii=False).encode("utf-8")


class FakeStatBank(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.faults: dict[str, list[tuple]] = {}
        self.requests: list[dict[str, Any]] = []
        self.updated: dict[str, str] = {"05300": "2022-05-24T06:00:00Z"}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    @property
    def v2(self) -> str:
        return self.url + V2

    def start(self) -> "FakeStatBank":
        # shutdown() waits for the loop's next poll: 0.5 s by default, paid by every test that stops a server
        threading.Thread(target=self.serve_forever, args=(0.02,), daemon=True).start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


class Handler(BaseHTTPRequestHandler):
    server: FakeStatBank

    def log_message(self, *args: Any) -> None:  # keep test output clean
        pass

    def do_GET(self) -> None:
        self._handle("GET", None)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"null")
        self._handle("POST", body)

    def _send(self, status: int, body: bytes, content_type: str = "application/json; charset=utf-8", **headers) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def _handle(self, method: str, body: Any) -> None:
        parts = urlsplit(self.path)
        path, query = parts.path.rstrip("/"), parse_qs(parts.query)
        self.server.requests.append(
            {"method": method, "path": path, "query": query, "body": body, "accept": self.headers.get("Accept")}
        )
        status, payload, content_type = self._route(method, path, query, body)
        faults = self.server.faults.get(path) or []
        fault = faults.pop(0) if faults else None
        if fault is None:
            self._send(status, payload, content_type)
        elif fault[0] == "status":  # ("status", code, {headers}, body)
            self._send(fault[1], fault[3] if len(fault) > 3 else b"", **(fault[2] if len(fault) > 2 else {}))
        elif fault[0] == "slow":  # ("slow", seconds): answer after a delay
            time.sleep(fault[1])
            self._send(status, payload, content_type)
        elif fault[0] == "truncate":  # announce the full length, send half, close
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload[: len(payload) // 2])
            self.wfile.flush()
            self.close_connection = True
        elif fault[0] == "html200":
            page = b"<!DOCTYPE html><html><body><h1>Vedlikehold</h1><p>Statistikkbanken er nede.</p></body></html>"
            self._send(200, page, "text/html; charset=utf-8")
        elif fault[0] == "content_type":
            self._send(200, payload, fault[1])
        elif fault[0] == "rename_dim":  # ("rename_dim", old, new)
            document = json.loads(payload)
            document["id"] = [fault[2] if d == fault[1] else d for d in document["id"]]
            document["dimension"][fault[2]] = document["dimension"].pop(fault[1])
            self._send(200, json.dumps(document, ensure_ascii=False).encode())
        elif fault[0] == "drop_value":
            document = json.loads(payload)
            document["value"] = document["value"][:-1]
            self._send(200, json.dumps(document, ensure_ascii=False).encode())
        elif fault[0] == "body":  # ("body", bytes[, content type[, {headers}]]): any answer with status 200
            kind = fault[2] if len(fault) > 2 else "application/json; charset=utf-8"
            self._send(200, fault[1], kind, **(fault[3] if len(fault) > 3 else {}))
        elif fault[0] == "stream":  # ("stream", total bytes): a huge body of spaces, no Content-Length
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            block = b" " * 65536
            try:
                for _ in range(fault[1] // len(block)):
                    self.wfile.write(block)
            except OSError:  # the client hung up at its cap
                pass
            self.close_connection = True
        elif fault[0] == "drip":  # ("drip", seconds between bytes): a slowloris answer
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            try:
                for byte in payload:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(fault[1])
            except OSError:
                pass
            self.close_connection = True
        elif fault[0] == "drip_headers":  # ("drip_headers", seconds): the status line byte by byte
            try:
                for byte in b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n":
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(fault[1])
            except OSError:
                pass
            self.close_connection = True
        elif fault[0] == "redirect":  # ("redirect", location)
            self._send(302, b"", Location=fault[1])
        elif fault[0] == "ratelimit":  # ("ratelimit", remaining, reset)
            self._send(status, payload, content_type, x_ratelimit_remaining=fault[1], x_ratelimit_reset=fault[2])
        else:
            raise AssertionError(f"unknown fault {fault}")

    def _route(self, method: str, path: str, query: dict, body: Any) -> tuple[int, bytes, str]:
        json_type = "application/json; charset=utf-8"
        if path == f"{V2}/tables/05810":
            return 200, TABLE_05810, json_type
        if path == f"{V2}/tables/05300":
            info = json.loads(TABLE_05810)  # the real v2 shape (05810), with 05300's id and `updated`
            info.update({"id": "05300", "label": "05300: Avstand til nærmeste lokale/sted (prosent)"})
            info["updated"] = self.server.updated["05300"]
            return 200, json.dumps(info).encode(), json_type
        if path == f"{V2}/tables/05300/metadata":  # derived from the real data answer: no values
            document = {k: v for k, v in json.loads(PAYLOAD_05300).items() if k not in ("value", "status")}
            return 200, json.dumps(document, ensure_ascii=False).encode(), json_type
        if path == f"{V2}/tables/05300/data":
            if method == "POST":
                selection = {s["variableCode"]: s["valueCodes"] for s in body["selection"]}
            else:
                selection = {k[11:-1]: v[0].split(",") for k, v in query.items() if k.startswith("valueCodes[")}
            full = json.loads(PAYLOAD_05300)
            if all(selection.get(d) == list(full["dimension"][d]["category"]["index"]) for d in full["id"]):
                return 200, PAYLOAD_05300, json_type  # the whole table: the real bytes as recorded
            return 200, slice_dataset(PAYLOAD_05300, selection), json_type
        if path == "/api/v0/no/table/07221" and method == "POST":
            if body != QUERY_07221:
                return 400, b"Bad Request: the query does not match the table", "text/plain; charset=utf-8"
            return 200, PAYLOAD_07221, json_type
        if path == f"{V2}/tables/99999/data":
            message = 'Error in query: the value "XX" does not exist in variable "Region"'
            return 400, json.dumps({"title": "Bad Request", "status": 400, "detail": message}).encode(), json_type
        if path.startswith("/api/klass/v1/"):
            return self._klass(path, query)
        return 404, NOT_FOUND, json_type

    def _klass(self, path: str, query: dict) -> tuple[int, bytes, str]:
        if "application/json" not in (self.headers.get("Accept") or ""):
            return 200, b"<classification/>", "text/xml"  # KLASS defaults to XML
        name = {
            "/api/klass/v1/classifications/6": "classification_6.json",
            "/api/klass/v1/classifications/6/codesAt": (
                "codesAt_6_sn2025.json" if query.get("date", [""])[0] >= "2025-01-01" else "codesAt_6_sn2007.json"
            ),
        }.get(path)
        if name is None:
            return 404, b'{"error":"not found (synthetic fake server)"}', "application/json"
        return 200, (KLASS_DIR / name).read_bytes(), "application/json;charset=UTF-8"
