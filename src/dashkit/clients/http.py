"""The one HTTP path of dashkit's clients (Grafana, Prometheus, Loki): every call bounded.

A server is hostile until proven otherwise. So: each request has a whole-request time limit
(a server that drips one byte at a time is cut off, not just one that goes silent: see
``watchdog``), the run has a deadline and a budget for waiting on retries, an answer has a
limit in bytes and in JSON values, redirects are followed only within the same origin and never
for writes, a write whose outcome is unknown is never re-sent blindly (the caller reads back),
``--insecure``/``--ca-cert`` beat the environment's CA bundles, URLs are shown with their
credentials redacted, and a password in a URL is one of the run's secrets that no message shows.
"""
from __future__ import annotations

import base64
import random
import time
import warnings
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

import attrs
import orjson
import requests
import urllib3

from dashkit.clients.watchdog import TimeUp, TrackedAdapter, Watchdog
from dashkit.errors import DashkitError
from dashkit.sanitise import keep_secret, printable

#: Statuses worth another try: throttling and a proxy or server restarting.
RETRY_STATUSES = frozenset({429, 502, 503, 504})
#: Statuses that say the request was not processed, so even a write may be sent again.
NOT_PROCESSED = frozenset({429, 503})
#: Answers larger than this are refused (a dashboard is rarely over a few MB).
MAX_RESPONSE_BYTES = 64 * 1024 * 1024
#: Answers holding more JSON values than this are refused before parsing: bytes alone do not
#: bound memory (60 MB of ``{},`` parse into 1.9 GB); 2 million values parse into 250 MB at most.
MAX_RESPONSE_VALUES = 2_000_000
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


def expect_shape(value: Any, kind: type, what: str) -> Any:
    """``value`` if it is a ``kind``; a server's answer of another shape is one clear error."""
    if not isinstance(value, kind):
        raise DashkitError(f"{what}: the answer has an unexpected shape ({type(value).__name__})")
    return value


def result_list(data: Any, path: str) -> list[dict[str, Any]]:
    """``data.result`` of a Prometheus or Loki answer, as the list of objects it must be."""
    result = expect_shape(expect_shape(data, dict, path).get("result"), list, path)
    return [expect_shape(item, dict, path) for item in result]


def redact(url: str) -> str:
    """``url`` without the user and password it may carry."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparsable URL>"
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port is not None:
        host += f":{parts.port}"
    return urlunsplit((parts.scheme, f"***@{host}", parts.path, parts.query, parts.fragment))


def _keep_url_secret(url: str) -> None:
    """A password in the URL is sent as basic auth: neither it nor that header may be shown."""
    parts = urlsplit(url)
    if parts.password:
        pair = f"{unquote(parts.username or '')}:{unquote(parts.password)}"
        keep_secret(parts.password, unquote(parts.password),
                    base64.b64encode(pair.encode()).decode())


def validate_url(url: str, what: str = "URL") -> str:
    """``url`` without a trailing slash, or a one-line error saying what is wrong with it."""
    shown = redact(url)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise DashkitError(f"{what} {shown!r} is not a valid URL ({error})") from None
    if parts.scheme not in ("http", "https"):
        raise DashkitError(f"{what} {shown!r} needs http:// or https:// in front")
    if not parts.hostname:
        raise DashkitError(f"{what} {shown!r} has no host")
    if port == 0:
        raise DashkitError(f"{what} {shown!r} has port 0")
    if any(ch.isspace() or ord(ch) < 0x20 for ch in url):
        raise DashkitError(f"{what} {shown!r} contains spaces or control characters")
    return url.rstrip("/")


def clean_text(text: str, limit: int = 200) -> str:
    """A server's words as one printable line of at most ``limit`` characters."""
    flat = printable(text)
    return flat if len(flat) <= limit else flat[:limit - 1] + "…"


@attrs.frozen
class Response:
    """A status and a parsed body: what every caller needs, without requests' objects."""
    status: int
    body: Any
    #: The answer's declared media type: a save is proven only by a JSON answer.
    content_type: str = ""

    @property
    def message(self) -> str:
        if isinstance(self.body, dict):
            return clean_text(str(self.body.get("message") or self.body))
        return clean_text(str(self.body))


@attrs.frozen
class RetryPolicy:
    """How often and how long to retry: one place for every client's patience."""
    attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 8.0
    #: Seconds one client may spend waiting between retries, all calls together: endless
    #: throttling costs at most this much, however many dashboards there are.
    budget: float = 60.0
    #: A ``Retry-After`` longer than this is not waited for.
    max_retry_after: float = 30.0


class OutcomeUnknown(DashkitError):
    """A write was sent but no answer says whether it was applied (timeout, reset, 502/504).
    It is never re-sent blindly: the caller reads the resource back."""

    def __init__(self, message: str, *, timed_out: bool) -> None:
        super().__init__(message)
        self.timed_out = timed_out


class _Refused(Exception):
    """Raised inside a request that must not go on; carries the one-line reason."""


class HttpClient:
    """One ``requests`` session with dashkit's limits. ``service`` names the server in errors."""

    def __init__(self, url: str, *, service: str, auth: requests.auth.AuthBase | None = None,
                 timeout: float = 10.0, verify: bool | str = True,
                 retry: RetryPolicy = RetryPolicy(), deadline: float | None = None,
                 max_bytes: int = MAX_RESPONSE_BYTES, max_values: int = MAX_RESPONSE_VALUES,
                 trace: Callable[[str], None] | None = None,
                 warn: Callable[[str], None] | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.url = validate_url(url, f"{service} URL")
        self.display_url = redact(self.url)
        _keep_url_secret(self.url)
        self.service = service
        self.timeout = timeout
        self.verify = verify
        self.retry = retry
        self.max_bytes, self.max_values = max_bytes, max_values
        self.trace = trace
        self.sleep = sleep
        self.deadline = time.monotonic() + deadline if deadline is not None else None
        self.retry_waited = 0.0
        self.session = requests.Session()
        self.session.auth = auth
        self.session.mount("http://", TrackedAdapter())
        self.session.mount("https://", TrackedAdapter())
        self.session.headers.update({"Accept": "application/json", "User-Agent": "dashkit"})
        self.request_count = 0
        self.write_count = 0
        self._origin = self._origin_of(self.url)
        if verify is False and warn is not None:
            warn(f"TLS certificates of {self.display_url} are not verified (--insecure)")

    @staticmethod
    def _origin_of(url: str) -> tuple[str, str, int | None]:
        parts = urlsplit(url)
        port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
        return parts.scheme, (parts.hostname or "").lower(), port

    def _remaining(self) -> float | None:
        return None if self.deadline is None else self.deadline - time.monotonic()

    def request(self, method: str, path: str, *, json: Any = None,
                params: Mapping[str, Any] | list[tuple[str, Any]] | None = None) -> Response:
        """One call. GETs are retried on connection errors and 429/502/503/504; a write only
        where the answer says it was not processed (429, 503, or no connection at all)."""
        write = method != "GET"
        attempt = 0
        while True:
            attempt += 1
            remaining = self._remaining()
            if remaining is not None and remaining <= 0:
                raise DashkitError(f"the run's deadline passed before {method} {path} "
                                   f"to {self.service} at {self.display_url}")
            limit = self.timeout if remaining is None else min(self.timeout, remaining)
            started = time.monotonic()
            self.request_count += 1
            self.write_count += write
            try:
                status, body, headers = self._send(method, self.url + path, json, params, limit)
            except _Refused as refused:
                self._trace(method, path, "refused", started)
                raise DashkitError(f"{self.service} at {self.display_url}: {refused}") from None
            except requests.exceptions.SSLError:
                raise DashkitError(f"TLS verification failed for {self.display_url}; give its CA "
                                   "with --ca-cert FILE, or --insecure to skip verification"
                                   ) from None
            except (requests.ConnectionError, requests.Timeout, urllib3.exceptions.HTTPError,
                    TimeUp) as error:
                timed_out = isinstance(error, (TimeUp, requests.Timeout))
                kind = type(error).__name__
                if isinstance(error, TimeUp):  # the run's deadline may have cut the request short
                    kind = (f"no complete answer within {self.timeout:g} s" if limit >= self.timeout
                            else "no complete answer before the run's deadline")
                self._trace(method, path, kind, started)
                sent = not isinstance(error, requests.exceptions.ConnectTimeout) and \
                    not _not_connected(error)
                if write and sent:
                    raise OutcomeUnknown(f"{method} {path}: {kind}; the write may or may not "
                                         "have been applied", timed_out=timed_out) from None
                if self._may_retry(attempt, None):
                    continue
                raise DashkitError(f"cannot reach {self.service} at {self.display_url}: "
                                   f"{kind} after {attempt} attempt{'s' * (attempt > 1)}") from None
            self._trace(method, path, str(status), started)
            if status in RETRY_STATUSES:
                if write and status not in NOT_PROCESSED:
                    raise OutcomeUnknown(f"{method} {path}: HTTP {status} from a proxy or "
                                         f"{self.service}", timed_out=False)
                if self._may_retry(attempt, headers.get("Retry-After")):
                    continue
            return Response(status, body, str(headers.get("Content-Type") or ""))

    def _may_retry(self, attempt: int, retry_after: str | None) -> bool:
        """Sleep before another attempt, if the policy, the budget and the deadline allow it."""
        if attempt >= self.retry.attempts:
            return False
        delay = self._delay(attempt, retry_after)
        remaining = self._remaining()
        if delay is None or self.retry_waited + delay > self.retry.budget or (
                remaining is not None and delay >= remaining):
            return False
        self.retry_waited += delay
        self.sleep(delay)
        return True

    def _delay(self, attempt: int, retry_after: str | None) -> float | None:
        if retry_after is not None:
            try:
                wanted = max(0.0, float(retry_after))
            except ValueError:
                wanted = None
            if wanted is not None:
                return wanted if wanted <= self.retry.max_retry_after else None
        backoff = min(self.retry.max_delay, self.retry.base_delay * 2 ** (attempt - 1))
        return float(backoff * (0.5 + random.random() / 2))

    def _send(self, method: str, url: str, json: Any, params: Any,
              limit: float) -> tuple[int, Any, Mapping[str, str]]:
        """One request with its redirects, all within ``limit`` seconds."""
        with Watchdog(limit) as watchdog:
            try:
                for _hop in range(6):
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore", urllib3.exceptions.InsecureRequestWarning)
                        raw = self.session.request(method, url, json=json, params=params,
                                                   timeout=min(self.timeout, limit),
                                                   verify=self.verify, allow_redirects=False,
                                                   stream=True)
                    if raw.status_code in _REDIRECTS and raw.headers.get("Location"):
                        raw.close()
                        url = self._redirect(method, url, raw.headers["Location"])
                        params = None  # the Location carries the query
                        continue
                    try:
                        # read to the end, the connection goes back to the pool for reuse
                        body = self._read(raw)
                    except BaseException:
                        raw.close()
                        raise
                    if watchdog.fired:
                        # without a Content-Length the cut looks like the answer's end
                        raise TimeUp()
                    return raw.status_code, body, raw.headers
                raise _Refused("more than 5 redirects")
            except (requests.ConnectionError, urllib3.exceptions.HTTPError, OSError,
                    requests.exceptions.ChunkedEncodingError) as error:
                if watchdog.fired or _read_timed_out(error):
                    raise TimeUp() from None
                if isinstance(error, (requests.ConnectionError, urllib3.exceptions.HTTPError)):
                    raise
                raise requests.ConnectionError(str(error)) from None

    def _redirect(self, method: str, url: str, location: str) -> str:
        target = urljoin(url, location)
        if method != "GET":
            raise _Refused(f"answered {method} with a redirect to {redact(target)}: not "
                           "followed (a write is never sent anywhere else)")
        if self._origin_of(target) != self._origin:
            raise _Refused(f"redirected to another origin ({redact(target)}): not followed")
        return target

    def _read(self, raw: requests.Response) -> Any:
        declared = raw.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise _Refused(f"answer of {int(declared)} bytes is over the "
                           f"{self.max_bytes // (1024 * 1024)} MiB limit")
        chunks, size = [], 0
        for chunk in raw.iter_content(65536):
            size += len(chunk)
            if size > self.max_bytes:
                raise _Refused(f"answer is over the {self.max_bytes // (1024 * 1024)} MiB limit")
            chunks.append(chunk)
        content = b"".join(chunks)
        # every value after the first follows a comma or opens an object or array
        if content.count(b",") + content.count(b"{") + content.count(b"[") > self.max_values:
            raise _Refused(f"answer holds over {self.max_values:,} JSON values: not read")
        try:
            return orjson.loads(content)
        except ValueError:
            return content.decode("utf-8", errors="replace")

    def _trace(self, method: str, path: str, outcome: str, started: float) -> None:
        if self.trace is not None:
            self.trace(f"{method} {path} -> {outcome} ({(time.monotonic() - started) * 1000:.0f} ms)")


def _read_timed_out(error: BaseException) -> bool:
    """True where a socket read waited out its timeout, which is the request's whole limit: the
    same fact as the watchdog's cut, whichever came first (requests wraps urllib3's
    ReadTimeoutError in a ConnectionError while a body streams)."""
    cause = error.args[0] if isinstance(error, requests.ConnectionError) and error.args else error
    return isinstance(cause, (requests.ReadTimeout, urllib3.exceptions.ReadTimeoutError,
                              TimeoutError))


def _not_connected(error: BaseException) -> bool:
    """True where the request never reached the server (refused, DNS, connect timeout), so
    nothing was sent: requests wraps urllib3's reason in a MaxRetryError."""
    reason = getattr(error.args[0], "reason", None) if error.args else None
    return isinstance(reason, (urllib3.exceptions.NewConnectionError,
                               urllib3.exceptions.ConnectTimeoutError))
