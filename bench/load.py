"""A small threaded HTTP load client for the benchmark (127.0.0.1 only)."""

from __future__ import annotations

import http.client
import math
import statistics
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit


class FormParser(HTMLParser):
    """The forms of a page with their inputs (name, type, value)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, object]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append({"action": a.get("action", ""), "inputs": []})
        elif tag in ("input", "textarea") and self.forms:
            inputs = self.forms[-1]["inputs"]
            assert isinstance(inputs, list)
            inputs.append((a.get("name", ""), a.get("type", tag), a.get("value", "")))


@dataclass
class Response:
    status: int
    body: bytes
    headers: dict[str, str]
    cookies: dict[str, str]


class Session:
    """One logged-in browser: cookies and the CSRF token."""

    def __init__(self, host: str, port: int) -> None:
        if host != "127.0.0.1":
            raise ValueError("the benchmark only drives 127.0.0.1")
        self.host, self.port = host, port
        self.cookies: dict[str, str] = {}

    def request(
        self,
        method: str,
        path: str,
        form: dict[str, str] | None = None,
        timeout: float = 60,
    ) -> Response:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        headers = {
            "Host": f"{self.host}:{self.port}",
            "User-Agent": "claimbridge-bench",
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://{self.host}:{self.port}{path}"
        try:
            conn.request(method, path, body=body, headers=headers)
            raw = conn.getresponse()
            data = raw.read()
            cookies = {}
            for header in raw.headers.get_all("Set-Cookie") or []:
                jar = SimpleCookie()
                jar.load(header)
                for key, morsel in jar.items():
                    cookies[key] = morsel.value
            self.cookies.update(cookies)
            return Response(
                raw.status,
                data,
                {k.lower(): v for k, v in raw.headers.items()},
                cookies,
            )
        finally:
            conn.close()

    def login(self, path: str, email: str, password: str) -> None:
        """Log in through the real form: fetch it, fill every field it has, post it."""
        page = self.request("GET", path)
        parser = FormParser()
        parser.feed(page.body.decode())
        form = next(
            (
                f
                for f in parser.forms
                if any(t == "password" for _n, t, _v in f["inputs"])
            ),  # type: ignore[union-attr]
            None,
        )
        if form is None:
            raise RuntimeError(f"no log-in form at {path}")
        data: dict[str, str] = {}
        for name, kind, value in form["inputs"]:  # type: ignore[union-attr]
            if not name:
                continue
            if kind == "password":
                data[name] = password
            elif kind == "email" or name in ("username", "login", "email"):
                data[name] = email
            elif kind in ("hidden", "text"):
                data[name] = value
        action = str(form["action"]) or path
        response = self.request("POST", urlsplit(action).path or path, data)
        if response.status not in (301, 302, 303) or "sessionid" not in self.cookies:
            raise RuntimeError(f"log-in of {email} failed with HTTP {response.status}")

    def csrf_token(self, path: str) -> str:
        """The CSRF token of the first form on a page."""
        page = self.request("GET", path)
        parser = FormParser()
        parser.feed(page.body.decode())
        for form in parser.forms:
            for name, _kind, value in form["inputs"]:  # type: ignore[union-attr]
                if name == "csrfmiddlewaretoken":
                    return value
        raise RuntimeError(f"no CSRF token on {path} (HTTP {page.status})")


@dataclass
class Op:
    """One operation: `call(worker_index, n)` sends one request, returns a Response."""

    letter: str
    label: str
    call: Callable[[int, int], Response]
    expect: tuple[int, ...] = (200,)


@dataclass
class Result:
    op: str
    label: str
    concurrency: int
    requests: int
    errors: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return math.nan
        ordered = sorted(self.latencies)
        rank = max(math.ceil(p / 100 * len(ordered)) - 1, 0)
        return ordered[rank] * 1000

    @property
    def query_count(self) -> int | None:
        return int(statistics.median(self.queries)) if self.queries else None

    def as_json(self) -> dict[str, object]:
        return {
            "op": self.op,
            "concurrency": self.concurrency,
            "rps": round(self.rps, 1),
            "p50_ms": round(self.percentile(50), 1),
            "p95_ms": round(self.percentile(95), 1),
            "p99_ms": round(self.percentile(99), 1),
            "queries": self.query_count,
        }


def drive(
    op: Op, concurrency: int, *, requests: int, seconds: float, warmup: int = 5
) -> Result:
    """Send up to `requests` requests (or for `seconds`) from `concurrency` threads."""
    for i in range(warmup):
        op.call(i % concurrency, i)
    lock = threading.Lock()
    issued = 0
    result = Result(op.letter, op.label, concurrency, 0, 0, 0.0)
    deadline = time.monotonic() + seconds

    def worker(index: int) -> None:
        nonlocal issued
        while True:
            with lock:
                if issued >= requests or time.monotonic() >= deadline:
                    return
                issued += 1
                n = issued
            started = time.perf_counter()
            try:
                response = op.call(index, n)
                ok = response.status in op.expect
            except OSError:
                response, ok = None, False
            elapsed = time.perf_counter() - started
            with lock:
                result.requests += 1
                if ok:
                    result.latencies.append(elapsed)
                else:
                    result.errors += 1
                if response is not None and "x-query-count" in response.headers:
                    result.queries.append(int(response.headers["x-query-count"]))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - started
    return result


def merge(parts: list[Result]) -> Result:
    """One result from the slices of the same op and concurrency."""
    first = parts[0]
    merged = Result(first.op, first.label, first.concurrency, 0, 0, 0.0)
    for part in parts:
        merged.requests += part.requests
        merged.errors += part.errors
        merged.seconds += part.seconds
        merged.latencies += part.latencies
        merged.queries += part.queries
    return merged


def interleaved(
    ops: list[Op], concurrency: int, *, requests: int, seconds: float, slices: int = 5
) -> list[Result]:
    """Measure every op in turns, a slice of its budget at a time.

    The machines are shared and their load drifts; measuring (a) now and the
    floor (g) two minutes later would compare different moments. Turns spread
    every op over the whole run, so the ratios to (g) compare like with like.
    """
    for op in ops:
        for i in range(5):
            op.call(i % concurrency, i)
    parts: dict[str, list[Result]] = {op.letter: [] for op in ops}
    per_slice = max(requests // slices, 1)
    for _turn in range(slices):
        for op in ops:
            parts[op.letter].append(
                drive(
                    op,
                    concurrency,
                    requests=per_slice,
                    seconds=seconds / slices,
                    warmup=0,
                )
            )
    return [merge(parts[op.letter]) for op in ops]


def new_token() -> str:
    return str(uuid.uuid4())
