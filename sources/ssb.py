"""Statistics Norway (SSB) StatBank client: PxWebApi v2, plus the v0 POST API where a table needs it.

PxWebApi v2 (base ``https://data.ssb.no/api/pxwebapi/v2``, override with ``RBI_SSB_BASE_URL``):

- ``GET /tables/{id}?lang=..``                 table information, cheap; ``updated`` drives the sensor
- ``GET /tables/{id}/metadata?lang=..``        variables and value codes (JSON-stat 2.0)
- ``GET /tables/{id}/data?lang=..&outputFormat=json-stat2&valueCodes[VAR]=a,b``
  or, when that URL would exceed ~2,000 characters, ``POST /tables/{id}/data?lang=..&outputFormat=..``
  with ``{"selection": [{"variableCode": VAR, "valueCodes": [..]}]}``.

v0 (base ``https://data.ssb.no/api/v0``, override with ``RBI_SSB_V0_BASE_URL``):
``POST /{lang}/table/{id}/`` with ``{"query": [{"code", "selection": {"filter", "values"}}],
"response": {"format": "json-stat2"}}``.

Queries over 800,000 cells are split along their largest variable and the answers recombined into
one JSON-stat 2.0 dataset; each answer is kept as received. SSB's 400/404 messages are surfaced
verbatim in :class:`SsbApiError`; a 200 answer that is HTML, not JSON, or not the expected JSON-stat
structure raises :class:`SsbResponseError`. Nothing is written before a response is validated, so a
failed fetch leaves every stored snapshot as it was.

Every failure is an :class:`SsbError` -- a body that is a JSON array, ``null``, a number, a wrongly
typed field or nested too deeply included -- so the caller's documented fallback (replay the last
snapshot) always happens. A dataset whose every value is null, or that holds text values, is
refused rather than stored as the newest snapshot. Bounds (see ``sources.http``): a deadline per
request and one per catalogue entry (``entry_deadline``, all its requests together), a cap on
the body size (decompressed), a bounded ``Retry-After``, redirects only within the configured host.

Commands::

    python -m sources.ssb fetch SOURCE_ID [--store DIR]   # live fetch of one catalogue entry
    python -m sources.ssb check-catalogue                  # compare catalogue queries with SSB metadata
"""

import argparse
import json
import math
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from sources import jsonstat
from sources.catalogue import CatalogueEntry, entry_by_id, load_catalogue
from sources.http import Fetched, HttpClient, HttpError
from sources.snapshots import Snapshot, writable_store, write_snapshot

DEFAULT_BASE_URL = "https://data.ssb.no/api/pxwebapi/v2"
DEFAULT_V0_BASE_URL = "https://data.ssb.no/api/v0"
MAX_CELLS = 800_000
MAX_URL_LENGTH = 2_000
PUBLISHER = "Statistisk sentralbyrå (Statistics Norway)"


class SsbError(RuntimeError):
    """A StatBank request could not give a usable answer."""


class SsbApiError(SsbError):
    """SSB refused the request (e.g. 400 bad query, 404 unknown table); the message is SSB's own."""

    def __init__(self, message: str, status: int, body: str):
        super().__init__(message)
        self.status = status
        self.body = body


class SsbResponseError(SsbError):
    """SSB answered 200 but the body is not the JSON-stat the catalogue expects."""


def base_url() -> str:
    return os.environ.get("RBI_SSB_BASE_URL", "").strip().rstrip("/") or DEFAULT_BASE_URL


def v0_base_url() -> str:
    return os.environ.get("RBI_SSB_V0_BASE_URL", "").strip().rstrip("/") or DEFAULT_V0_BASE_URL


def is_expression(code: str) -> bool:
    """Selection expressions (``*``, ``top(5)``, ``from(2020)``) rather than plain value codes."""
    return "*" in code or "?" in code or "(" in code


def cell_count(query: dict[str, list[str]]) -> int | None:
    """Cells a query asks for, or None when an expression makes it unknown before asking."""
    if any(is_expression(c) for codes in query.values() for c in codes):
        return None
    return math.prod(len(codes) for codes in query.values())


def split_query(query: dict[str, list[str]], max_cells: int = MAX_CELLS) -> list[dict[str, list[str]]]:
    """Sub-queries of at most ``max_cells`` cells each, by cutting the largest variable(s)."""
    cells = cell_count(query)
    if cells is None or cells <= max_cells:
        return [query]
    variable = max(query, key=lambda v: len(query[v]))
    codes = query[variable]
    if len(codes) == 1:
        raise SsbError(f"cannot split a query of {cells} cells below {max_cells}: every variable has one value")
    pieces = min(len(codes), math.ceil(cells / max_cells))
    size = math.ceil(len(codes) / pieces)
    out = []
    for start in range(0, len(codes), size):
        out.extend(split_query({**query, variable: codes[start : start + size]}, max_cells))
    return out


def v0_body(query: dict[str, list[str]], output_format: str = "json-stat2") -> dict[str, Any]:
    """The v0 POST body of a catalogue query (``top(n)`` and ``*`` become v0 filters)."""
    selections = []
    for variable, codes in query.items():
        if len(codes) == 1 and codes[0].startswith("top(") and codes[0].endswith(")"):
            selection = {"filter": "top", "values": [codes[0][4:-1]]}
        elif codes == ["*"]:
            selection = {"filter": "all", "values": ["*"]}
        else:
            selection = {"filter": "item", "values": list(codes)}
        selections.append({"code": variable, "selection": selection})
    return {"query": selections, "response": {"format": output_format}}


@dataclass
class FetchResult:
    """A validated data answer: the payload to store and every HTTP exchange behind it."""

    payload: bytes
    dataset: jsonstat.Dataset
    exchanges: list[Fetched]
    combined: bool = False

    @property
    def first(self) -> Fetched:
        return self.exchanges[0]


def _message(fetched: Fetched) -> str:
    text = fetched.content.decode("utf-8", "replace").strip()
    return text[:2000] if text else "(empty body)"


def check_status(fetched: Fetched) -> None:
    """4xx/5xx -> SsbApiError quoting SSB's message verbatim."""
    if fetched.status >= 400:
        raise SsbApiError(
            f"SSB answered HTTP {fetched.status} to {fetched.method} {fetched.url}: {_message(fetched)}",
            fetched.status,
            fetched.content.decode("utf-8", "replace"),
        )


def check_json_body(fetched: Fetched) -> Any:
    """A 200 answer must be JSON: not an HTML page, not another content type, not cut off."""
    check_status(fetched)
    content_type = fetched.content_type.split(";")[0].strip().lower()
    head = fetched.content.lstrip()[:200].lower()
    if head.startswith(b"<"):
        raise SsbResponseError(
            f"{fetched.method} {fetched.url}: HTTP {fetched.status} but the body is an HTML/XML page, not JSON "
            f"(content type '{fetched.content_type[:80]}'); begins: {fetched.content[:120]!r}"
        )
    if content_type and not (content_type.endswith("json") or content_type.endswith("+json")):
        raise SsbResponseError(
            f"{fetched.method} {fetched.url}: HTTP {fetched.status} with content type '{fetched.content_type}', "
            "expected application/json"
        )
    try:
        return json.loads(fetched.content.decode("utf-8-sig"))
    except RecursionError as exc:
        raise SsbResponseError(f"{fetched.method} {fetched.url}: the JSON is nested too deeply") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SsbResponseError(
            f"{fetched.method} {fetched.url}: the body is not complete JSON ({exc}; {len(fetched.content)} bytes "
            "received) - truncated?"
        ) from exc


def check_dataset(document: Any, fetched: Fetched, expected_dimensions: tuple[str, ...]) -> jsonstat.Dataset:
    """Structural JSON-stat checks plus the catalogue's expected dimension codes."""
    try:
        dataset = jsonstat.read(document)
    except jsonstat.JsonStatError as exc:
        raise SsbResponseError(f"{fetched.method} {fetched.url}: {exc}") from exc
    if dataset.all_null:
        raise SsbResponseError(
            f"{fetched.method} {fetched.url}: every value is null; an answer without data is never stored "
            "as the newest snapshot"
        )
    if dataset.has_text_values:
        raise SsbResponseError(f"{fetched.method} {fetched.url}: the dataset holds text values, not numbers")
    got = tuple(d.id for d in dataset.dimensions)
    if expected_dimensions and got != tuple(expected_dimensions):
        missing = [d for d in expected_dimensions if d not in got]
        extra = [d for d in got if d not in expected_dimensions]
        detail = []
        if missing:
            detail.append(f"missing {', '.join(missing)}")
        if extra:
            detail.append(f"unexpected {', '.join(extra)}")
        if not detail:
            detail.append("same codes in another order")
        raise SsbResponseError(
            f"{fetched.method} {fetched.url}: dimension codes {list(got)} differ from the catalogue's expected "
            f"{list(expected_dimensions)} ({'; '.join(detail)}); a renamed code is never mapped silently - "
            "update sources/catalogue.yml and the staging model"
        )
    return dataset


def combine(documents: list[dict[str, Any]]) -> dict[str, Any]:
    """One JSON-stat 2.0 dataset from the answers of a split query (same dimensions, disjoint cells)."""
    first = documents[0]
    ids = list(first["id"])
    categories: dict[str, dict[str, str]] = {d: {} for d in ids}
    cells: dict[tuple[str, ...], tuple[Any, Any]] = {}
    for document in documents:
        dataset = jsonstat.read(document)
        if [d.id for d in dataset.dimensions] != ids:
            raise SsbResponseError("the parts of a split query have different dimensions")
        for dimension in dataset.dimensions:
            for category in dimension.categories:
                categories[dimension.id].setdefault(category.code, category.label)
        for row in dataset.tidy_rows():
            cells[tuple(row[d] for d in ids)] = (row["value"], row["status"])
    combined = {k: v for k, v in first.items() if k not in ("value", "status", "size", "dimension")}
    combined["dimension"] = {}
    for dim_id in ids:
        raw = dict(first["dimension"][dim_id])
        codes = list(categories[dim_id])
        category = dict(raw.get("category", {}))
        category["index"] = {code: position for position, code in enumerate(codes)}
        category["label"] = dict(categories[dim_id])
        raw["category"] = category
        combined["dimension"][dim_id] = raw
    combined["size"] = [len(categories[d]) for d in ids]
    values: list[Any] = []
    statuses: dict[str, str] = {}
    keys = [[]]
    for dim_id in ids:
        keys = [[*key, code] for key in keys for code in categories[dim_id]]
    for position, key in enumerate(keys):
        value, status = cells.get(tuple(key), (None, None))
        values.append(int(value) if isinstance(value, float) and value.is_integer() else value)
        if status is not None:
            statuses[str(position)] = status
    combined["value"] = values
    if statuses:
        combined["status"] = statuses
    return combined


@dataclass
class SsbClient:
    """StatBank client; see the module docstring."""

    base: str = field(default_factory=base_url)
    v0_base: str = field(default_factory=v0_base_url)
    http: HttpClient = field(default_factory=HttpClient)
    max_cells: int = MAX_CELLS
    max_url_length: int = MAX_URL_LENGTH
    entry_deadline: float = 600.0  # seconds for all requests of one catalogue entry
    _deadline: float | None = field(default=None, repr=False)

    # -- table information and metadata -------------------------------------------------------
    def table_info(self, table_id: str, lang: str = "no") -> tuple[dict[str, Any], Fetched]:
        """``GET /tables/{id}``: label, ``updated``, first and last period (cheap)."""
        fetched = self._get(f"{self.base}/tables/{table_id}", {"lang": lang})
        info = check_json_body(fetched)
        if not isinstance(info, dict) or "updated" not in info:
            raise SsbResponseError(f"GET {fetched.url}: table information without 'updated'")
        return info, fetched

    def metadata(self, table_id: str, lang: str = "no") -> tuple[dict[str, Any], Fetched]:
        """``GET /tables/{id}/metadata`` (JSON-stat 2.0 without values)."""
        fetched = self._get(f"{self.base}/tables/{table_id}/metadata", {"lang": lang})
        document = check_json_body(fetched)
        if not isinstance(document, dict) or not isinstance(document.get("dimension"), dict):
            raise SsbResponseError(f"GET {fetched.url}: metadata without a 'dimension' object")
        return document, fetched

    # -- data ---------------------------------------------------------------------------------
    def data(
        self,
        table_id: str,
        query: dict[str, list[str]],
        lang: str = "no",
        output_format: str = "json-stat2",
        expected_dimensions: tuple[str, ...] = (),
    ) -> FetchResult:
        """The data of a v2 query, split and recombined when over the cell limit."""
        exchanges, documents, datasets = [], [], []
        for part in split_query(query, self.max_cells):
            fetched = self._data_request(table_id, part, lang, output_format)
            document = check_json_body(fetched)
            datasets.append(check_dataset(document, fetched, expected_dimensions))
            exchanges.append(fetched)
            documents.append(document)
        if len(exchanges) == 1:
            return FetchResult(exchanges[0].content, datasets[0], exchanges)
        combined = combine(documents)
        payload = json.dumps(combined, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        return FetchResult(payload, jsonstat.read(combined), exchanges, combined=True)

    def data_v0(
        self,
        table_id: str,
        body: dict[str, Any],
        lang: str = "no",
        expected_dimensions: tuple[str, ...] = (),
    ) -> FetchResult:
        """The old API: ``POST /api/v0/{lang}/table/{id}/`` with a v0 query body."""
        fetched = self._request("POST", f"{self.v0_base}/{lang}/table/{table_id}/", json_body=body)
        document = check_json_body(fetched)
        dataset = check_dataset(document, fetched, expected_dimensions)
        return FetchResult(fetched.content, dataset, [fetched])

    def fetch_entry(self, entry: CatalogueEntry) -> FetchResult:
        """Fetch one catalogue entry within ``entry_deadline``; every failure is an :class:`SsbError`."""
        if not entry.is_live:
            raise SsbError(f"catalogue entry '{entry.source_id}' (provider {entry.provider}) has no live source")
        self._deadline = self.http.clock() + self.entry_deadline
        try:
            if entry.api == "v0":
                return self.data_v0(
                    entry.table_id, v0_body(entry.query, entry.output_format), entry.lang, entry.expected_dimensions
                )
            return self.data(entry.table_id, entry.query, entry.lang, entry.output_format, entry.expected_dimensions)
        except SsbError:
            raise
        except (jsonstat.JsonStatError, HttpError, ValueError, TypeError, KeyError, AttributeError) as exc:
            raise SsbResponseError(f"{entry.source_id}: unusable answer ({type(exc).__name__}: {exc})") from exc
        except RecursionError as exc:
            raise SsbResponseError(f"{entry.source_id}: the answer is nested too deeply") from exc
        finally:
            self._deadline = None

    def _request(self, method: str, url: str, **kwargs: Any) -> Fetched:
        try:
            return self.http.request(method, url, deadline=self._deadline, **kwargs)
        except HttpError as exc:
            raise SsbError(str(exc)) from exc

    def _get(self, url: str, params: dict[str, str]) -> Fetched:
        return self._request("GET", url, params=params)

    def _data_request(self, table_id: str, query: dict[str, list[str]], lang: str, output_format: str) -> Fetched:
        url = f"{self.base}/tables/{table_id}/data"
        params = {"lang": lang, "outputFormat": output_format}
        get_params = {**params, **{f"valueCodes[{var}]": ",".join(codes) for var, codes in query.items()}}
        if len(url) + 1 + len(urlencode(get_params)) <= self.max_url_length:
            return self._request("GET", url, params=get_params)
        body = {"selection": [{"variableCode": var, "valueCodes": list(codes)} for var, codes in query.items()]}
        return self._request("POST", f"{url}?{urlencode(params)}", json_body=body)


def sidecar_for(entry: CatalogueEntry, result: FetchResult) -> dict[str, Any]:
    """The provenance of a live fetch: request, status, headers, licence, origin."""
    first = result.first
    how = f"live {first.method} to SSB StatBank ({'v0 API' if entry.api == 'v0' else 'PxWebApi v2'})" + (
        f", query split into {len(result.exchanges)} requests and recombined" if result.combined else ""
    )
    return {
        "title": entry.title or entry.description,
        "publisher": PUBLISHER,
        "origin_url": first.url,
        "how_obtained": how,
        "licence": entry.licence,
        "data_status": "published",
        "origin": "live",
        "media_type": first.content_type,
        "http_status": first.status,
        "table_id": entry.table_id,
        "table_updated": result.dataset.updated,
        "api": entry.api,
        "query": entry.query,
        "requests": [
            {
                "method": f.method,
                "url": f.url,
                "body": f.request_body,
                "status": f.status,
                "headers": f.relevant_headers(),
                "attempts": f.attempts,
                "retrieved_at": f.retrieved_at.isoformat().replace("+00:00", "Z"),
            }
            for f in result.exchanges
        ],
    }


def fetch_and_store(entry: CatalogueEntry, store: Path, client: SsbClient | None = None) -> Snapshot:
    """Fetch an entry live, validate it, then store it as a new snapshot (never overwriting)."""
    client = client or SsbClient()
    result = client.fetch_entry(entry)
    parts = []
    if result.combined:
        parts = [(f"part-{n:03d}.json", f.content) for n, f in enumerate(result.exchanges, start=1)]
    return write_snapshot(
        store, entry.source_id, result.payload, "json", sidecar_for(entry, result), result.first.retrieved_at, parts
    )


def check_catalogue_entry(entry: CatalogueEntry, client: SsbClient) -> list[str]:
    """Differences between a catalogue query and the table's metadata (empty = consistent)."""
    document, _ = client.metadata(entry.table_id, entry.lang)
    ids = list(document.get("id") or document["dimension"])
    problems = []
    if list(entry.expected_dimensions) != ids:
        problems.append(f"dimensions are {ids}, the catalogue expects {list(entry.expected_dimensions)}")
    for variable, codes in entry.query.items():
        if variable not in document["dimension"]:
            problems.append(f"variable '{variable}' does not exist")
            continue
        index = document["dimension"][variable].get("category", {}).get("index") or {}
        known = set(index)
        unknown = [c for c in codes if not is_expression(c) and c not in known]
        if unknown:
            problems.append(f"variable '{variable}' has no value code(s) {', '.join(unknown)}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sources.ssb", description="SSB StatBank client")
    commands = parser.add_subparsers(dest="command", required=True)
    fetch = commands.add_parser("fetch", help="fetch one catalogue entry live and store a new snapshot")
    fetch.add_argument("source_id")
    fetch.add_argument("--store", type=Path, default=None, help="snapshot store (default: the writable store)")
    commands.add_parser("check-catalogue", help="compare every SSB entry's query with the table's metadata")
    args = parser.parse_args(argv)
    client = SsbClient(http=HttpClient(log=lambda m: print(m, file=sys.stderr)))
    try:
        if args.command == "fetch":
            snapshot = fetch_and_store(entry_by_id(args.source_id), args.store or writable_store(), client)
            print(f"{snapshot.source_id}: stored {snapshot.snapshot_id} ({snapshot.payload_path})")
            return 0
        failures = 0
        for entry in (e for e in load_catalogue() if e.is_live):
            try:
                problems = check_catalogue_entry(entry, client)
            except SsbError as exc:
                problems = [str(exc)]
            failures += bool(problems)
            status = "ok" if not problems else "MISMATCH"
            print(f"{entry.source_id} (table {entry.table_id}): {status}")
            for problem in problems:
                print(f"  - {problem}")
        return 1 if failures else 0
    except (SsbError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
