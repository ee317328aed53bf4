"""A careful HTTP client for public statistics APIs (SSB StatBank, KLASS), built on ``requests``.

- explicit (connect, read) timeouts on every request;
- retries with exponential backoff on connection errors, timeouts, broken/truncated bodies,
  HTTP 429 (honouring ``Retry-After``) and 5xx;
- a rate limiter that reads ``x-ratelimit-remaining`` / ``x-ratelimit-reset`` when the server
  sends them and otherwise keeps a sliding window (SSB: at most 30 queries a minute);
- the clock and ``sleep`` are injectable, so tests run in milliseconds.

Every response is returned with the exact bytes received (:class:`Fetched`) so that callers can
store them unchanged as snapshots.
"""

import email.utils
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import requests

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

    def request(
        self,
        method: str,
        url: str,
        *,
        params: dict[str, str] | None = None,
        json_body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> Fetched:
        """One request with retries; raises :class:`HttpError` when it cannot succeed.

        4xx other than 429 are returned (not raised) so the caller can surface the API's message."""
        all_headers = {"User-Agent": USER_AGENT, **(headers or {})}
        last_problem = ""
        for attempt in range(1, self.max_attempts + 1):
            self.limiter.wait()
            delay = min(self.max_backoff, self.backoff * 2 ** (attempt - 1))
            try:
                response = self.session.request(
                    method,
                    url,
                    params=params,
                    json=json_body,
                    headers=all_headers,
                    timeout=(self.connect_timeout, self.read_timeout),
                )
                content = response.content  # reads the body: a truncated body raises here
            except requests.exceptions.Timeout as exc:
                last_problem = f"timed out ({exc.__class__.__name__})"
            except requests.exceptions.ChunkedEncodingError as exc:
                last_problem = f"the body was cut off before its announced length ({exc})"
            except requests.exceptions.ConnectionError as exc:
                last_problem = f"connection failed ({exc})"
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
                    delay = min(self.max_backoff * 5, retry_after_seconds(lowered.get("retry-after"), delay))
                if attempt == self.max_attempts:
                    raise HttpError(
                        f"{method} {url}: HTTP {response.status_code} after {attempt} attempts: "
                        f"{content[:300].decode('utf-8', 'replace')}",
                        url,
                        response.status_code,
                        content.decode("utf-8", "replace"),
                    )
            if attempt < self.max_attempts:
                self.log(f"{method} {url}: {last_problem}; retry {attempt} of {self.max_attempts - 1} in {delay:.1f} s")
                self.sleep(delay)
        raise HttpError(f"{method} {url}: {last_problem} (gave up after {self.max_attempts} attempts)", url)
