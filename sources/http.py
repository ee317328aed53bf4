"""A careful HTTP client for public statistics APIs (SSB StatBank, KLASS), built on ``requests``.

- explicit (connect, read) timeouts on every request;
- retries with exponential backoff on connection errors, timeouts, broken/truncated bodies,
  HTTP 429 (honouring ``Retry-After``) and 5xx;
- a rate limiter that reads ``x-ratelimit-remaining`` / ``x-ratelimit-reset`` when the server
  sends them and otherwise keeps a sliding window (SSB: at most 30 queries a minute);
- the clock and ``sleep`` are injectable, so tests run in milliseconds;
- bounds, so that a misbehaving server cannot hold a run or fill the disk (:class:`HttpClient`):
  an overall deadline per request (every attempt, body and retry wait included; the caller may
  pass an earlier one, e.g. per catalogue entry), a cap on the body size after decompression
  (``Content-Length`` is checked first; a gzip body is counted as it inflates), a ``Retry-After``
  longer than ``max_retry_after`` ends the request instead of waiting, and redirects are followed
  only within the host that was asked (at most 5).

Every response is returned with the exact bytes received (:class:`Fetched`) so that callers can
store them unchanged as snapshots.
"""

import email.utils
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
import urllib3

USER_AGENT = "rapporteringsbyrdeindeksen/1.0 (+https://github.com/; statistics pipeline)"
RELEVANT_HEADERS = (
    "content-type",
    "content-length",
    "last-modified",
    "etag",
    "date",
    "x-ratelimit-limit",
    "x-ratelimit-remaining",
    "x-ratelimit-reset",
    "retry-after",
)
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 5
BLOCK = 64 * 1024


class _Stop(Exception):
    """A bound was hit while reading a body (not retried)."""


class HttpError(RuntimeError):
    """A request failed for good (after retries, or with a status that retrying cannot fix)."""

    def __init__(self, message: str, url: str, status: int | None = None, body: str = ""):
        super().__init__(message)
        self.url = url
        self.status = status
        self.body = body


@dataclass(frozen=True)
class Fetched:
    """One HTTP exchange as received."""

    method: str
    url: str
    request_body: Any
    status: int
    headers: dict[str, str]
    content: bytes
    retrieved_at: datetime
    attempts: int

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    def relevant_headers(self) -> dict[str, str]:
        return {k: v for k, v in self.headers.items() if k in RELEVANT_HEADERS}


@dataclass
class RateLimiter:
    """At most ``max_calls`` per ``period`` seconds; obeys the server's rate-limit headers."""

    max_calls: int = 30
    period: float = 60.0
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    _calls: deque = field(default_factory=deque)
    _blocked_until: float = 0.0

    def wait(self) -> float:
        """Sleep until another call is allowed; returns the seconds slept."""
        slept = 0.0
        now = self.clock()
        if self._blocked_until > now:
            pause = self._blocked_until - now
            self.sleep(pause)
            slept += pause
            now = self.clock()
        while self._calls and now - self._calls[0] >= self.period:
            self._calls.popleft()
        if len(self._calls) >= self.max_calls:
            pause = self.period - (now - self._calls[0])
            if pause > 0:
                self.sleep(pause)
                slept += pause
            now = self.clock()
            self._calls.popleft()
        self._calls.append(now)
        return slept

    def observe(self, headers: dict[str, str]) -> None:
        """Read ``x-ratelimit-remaining``/``x-ratelimit-reset`` (seconds, or a Unix time)."""
        remaining = headers.get("x-ratelimit-remaining")
        reset = headers.get("x-ratelimit-reset")
        if remaining is None:
            return
        try:
            left = int(float(remaining))
        except ValueError:
            return
        if left > 0:
            return
        pause = self.period
        if reset is not None:
            try:
                value = float(reset)
                # a large number is an absolute Unix time, a small one a delay in seconds
                pause = value - time.time() if value > 10**9 else value
            except ValueError:
                pass
        self._blocked_until = self.clock() + max(0.0, min(pause, self.period * 2))


def retry_after_seconds(value: str | None, default: float) -> float:
    """``Retry-After`` as seconds: a number or an HTTP date; ``default`` if absent or unreadable."""
    if not value:
        return default
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return default
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


@dataclass
class HttpClient:
    """``requests`` with timeouts, retries, backoff and a rate limiter (see the module docstring)."""

    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    max_attempts: int = 4
    backoff: float = 1.0
    max_backoff: float = 60.0
    limiter: RateLimiter = field(default_factory=RateLimiter)
    sleep: Callable[[float], None] = time.sleep
    session: requests.Session = field(default_factory=requests.Session)
    log: Callable[[str], None] = lambda message: None
    deadline_seconds: float = 300.0  # one request: every attempt, body and wait
    max_body_bytes: int = 64 * 1024 * 1024  # after decompression
    max_retry_after: float = 120.0
    clock: Callable[[], float] = time.monotonic

    def _read_body(self, response: requests.Response, url: str, deadline: float) -> bytes:
        """The body, decompressed, block by block: stops at the size cap or the deadline."""
        announced = response.headers.get("Content-Length", "")
        if announced.isdigit() and int(announced) > self.max_body_bytes:
            raise _Stop(f"{url}: the body announces {int(announced)} bytes (limit {self.max_body_bytes})")
        blocks, size = [], 0
        raw = response.raw
        while True:
            if self.clock() > deadline:
                raise _Stop(f"{url}: no complete answer within the deadline of {self.deadline_seconds:g} s")
            block = raw.read1(BLOCK, decode_content=True) if hasattr(raw, "read1") else raw.read(BLOCK)
            if not block:
                break
            size += len(block)
            if size > self.max_body_bytes:
                raise _Stop(f"{url}: the body is larger than {self.max_body_bytes} bytes (decompressed)")
            blocks.append(block)
        return b"".join(blocks)

    def _headers_within(self, seconds: float, shown: str, **request: Any) -> requests.Response:
        """``session.request`` (up to the answer's headers) in a helper thread, waited for at most
        ``seconds``: a server that trickles its status line and headers byte by byte cannot hold
        the caller past the deadline (the helper thread is a daemon and ends with the socket)."""
        outcome: dict[str, Any] = {}

        def run() -> None:
            try:
                outcome["response"] = self.session.request(**request)
            except BaseException as exc:  # handed to the caller's thread below
                outcome["error"] = exc

        worker = threading.Thread(target=run, name="http-request", daemon=True)
        worker.start()
        worker.join(seconds)
        if worker.is_alive():
            raise _Stop(f"{shown}: no answer headers within the deadline of {self.deadline_seconds:g} s")
        if "error" in outcome:
            raise outcome["error"]
        return outcome["response"]

    def _send(self, method: str, url: str, deadline: float, **kwargs: Any) -> tuple[requests.Response, bytes]:
        """One attempt: the request and its redirects within the same host, with the body read."""
        host = urlsplit(url).netloc
        for _ in range(MAX_REDIRECTS + 1):
            remaining = max(0.1, deadline - self.clock())
            response = self._headers_within(
                remaining,
                url,
                method=method,
                url=url,
                allow_redirects=False,
                stream=True,
                timeout=(min(self.connect_timeout, remaining), min(self.read_timeout, remaining)),
                **kwargs,
            )
            try:
                if response.status_code not in REDIRECT_STATUSES:
                    return response, self._read_body(response, url, deadline)
                target = urljoin(url, response.headers.get("Location", ""))
            finally:
                if response.status_code in REDIRECT_STATUSES:
                    response.close()
            if urlsplit(target).netloc != host:
                raise _Stop(f"{url}: redirected to another host ({urlsplit(target).netloc}); refused")
            url = target
            if response.status_code == 303:
                method, kwargs = "GET", {k: v for k, v in kwargs.items() if k != "json"}
            kwargs.pop("params", None)  # the Location carries the query
        raise _Stop(f"{url}: more than {MAX_REDIRECTS} redirects")

    def request(
        self,
        method: str,
        url: str,
        *,
        params: dict[str, str] | None = None,
        json_body: Any = None,
        headers: dict[str, str] | None = None,
        deadline: float | None = None,
    ) -> Fetched:
        """One request with retries; raises :class:`HttpError` when it cannot succeed.

        ``deadline``: an absolute time on ``clock`` by which the request must be done (the earlier
        of it and ``deadline_seconds`` from now applies).
        4xx other than 429 are returned (not raised) so the caller can surface the API's message."""
        all_headers = {"User-Agent": USER_AGENT, **(headers or {})}
        own = self.clock() + self.deadline_seconds
        deadline = own if deadline is None else min(deadline, own)
        last_problem = ""
        for attempt in range(1, self.max_attempts + 1):
            if self.clock() >= deadline:
                raise HttpError(f"{method} {url}: deadline passed before attempt {attempt} ({last_problem})", url)
            self.limiter.wait()
            delay = min(self.max_backoff, self.backoff * 2 ** (attempt - 1))
            try:
                response, content = self._send(
                    method, url, deadline, params=params, json=json_body, headers=all_headers
                )
            except _Stop as exc:
                raise HttpError(f"{method} {exc}", url) from None
            except requests.exceptions.Timeout as exc:
                last_problem = f"timed out ({exc.__class__.__name__})"
            except requests.exceptions.ChunkedEncodingError as exc:
                last_problem = f"the body was cut off before its announced length ({exc})"
            except requests.exceptions.ConnectionError as exc:
                last_problem = f"connection failed ({exc})"
            except (requests.exceptions.ContentDecodingError, OSError) as exc:
                last_problem = f"the body could not be read ({type(exc).__name__})"
            except urllib3.exceptions.ReadTimeoutError as exc:
                last_problem = f"timed out ({exc.__class__.__name__})"
            except urllib3.exceptions.ProtocolError as exc:
                last_problem = f"the body was cut off before its announced length ({type(exc).__name__})"
            except urllib3.exceptions.HTTPError as exc:
                last_problem = f"the body could not be read ({type(exc).__name__})"
            else:
                lowered = {k.lower(): v for k, v in response.headers.items()}
                self.limiter.observe(lowered)
                fetched = Fetched(
                    method=method,
                    url=response.url,
                    request_body=json_body,
                    status=response.status_code,
                    headers=lowered,
                    content=content,
                    retrieved_at=datetime.now(UTC),
                    attempts=attempt,
                )
                if response.status_code not in RETRY_STATUSES:
                    return fetched
                last_problem = f"HTTP {response.status_code}"
                if response.status_code == 429 or "retry-after" in lowered:
                    asked = retry_after_seconds(lowered.get("retry-after"), delay)
                    if asked > self.max_retry_after:
                        raise HttpError(
                            f"{method} {url}: HTTP {response.status_code}, the server asks to wait {asked:.0f} s "
                            f"(more than {self.max_retry_after:g} s); given up, try later",
                            url,
                            response.status_code,
                        )
                    delay = asked
                if attempt == self.max_attempts:
                    raise HttpError(
                        f"{method} {url}: HTTP {response.status_code} after {attempt} attempts: "
                        f"{content[:300].decode('utf-8', 'replace')}",
                        url,
                        response.status_code,
                        content.decode("utf-8", "replace"),
                    )
            if attempt < self.max_attempts and self.clock() + delay >= deadline:
                raise HttpError(f"{method} {url}: {last_problem}; no time left before the deadline to retry", url)
            if attempt < self.max_attempts:
                self.log(f"{method} {url}: {last_problem}; retry {attempt} of {self.max_attempts - 1} in {delay:.1f} s")
                self.sleep(delay)
        raise HttpError(f"{method} {url}: {last_problem} (gave up after {self.max_attempts} attempts)", url)
