"""The operations (a)–(g) of the benchmark and the table of their figures."""

from __future__ import annotations

from typing import Any

from bench.load import Op, Response, Result, Session, new_token
from bench.manifest import Manifest

LOGIN = "/accounts/login/"
# p95 at concurrency 1 at most this many times the log-in page's (issue 6).
P95_LIMITS = {"a": 5, "b": 10, "c": 5, "d": 6, "e": 5, "f": 5}
# Throughput at concurrency 8 at least this share of the log-in page's.
RPS_SHARES = {"a": 0.25, "c": 0.25}
MAX_QUERIES = 15


class Users:
    """Logged-in sessions, made when first needed and kept for the run."""

    def __init__(self, port: int, emails: list[str], password: str) -> None:
        self.port, self.emails, self.password = port, emails, password
        self.sessions: dict[int, Session] = {}
        self.tokens: dict[int, str] = {}

    def get(self, index: int) -> Session:
        if index not in self.sessions:
            session = Session("127.0.0.1", self.port)
            session.login(LOGIN, self.emails[index % len(self.emails)], self.password)
            self.sessions[index] = session
        return self.sessions[index]

    def warm(self, count: int) -> None:
        for index in range(count):
            self.get(index)


def build_ops(manifest: Manifest, port: int, letters: str) -> list[Op]:
    partner = Users(port, manifest.partner_users, manifest.password)
    client = Users(port, manifest.client_users, manifest.password)
    partner.warm(8)
    client.warm(8)
    hot, targets, fragments = (
        manifest.hot_cases,
        manifest.post_cases,
        manifest.fragments,
    )
    for index in range(8):
        client.tokens[index] = client.get(index).csrf_token(f"/cases/{targets[0]}/")

    def get(users: Users, path: Any) -> Any:
        def call(worker: int, n: int) -> Response:
            return users.get(worker).request("GET", path(n) if callable(path) else path)

        return call

    def post_message(worker: int, n: int) -> Response:
        session = client.get(worker)
        return session.request(
            "POST",
            f"/cases/{targets[n % len(targets)]}/messages/",
            {
                "csrfmiddlewaretoken": client.tokens[worker],
                "body": f"Benchmark message {n}: the debtor promised to pay on Friday.",
                "request_token": new_token(),
            },
        )

    def login_page(worker: int, n: int) -> Response:
        return Session("127.0.0.1", port).request("GET", LOGIN)

    ops = [
        Op("a", "partner's cases received, page 1", get(partner, "/cases/")),
        Op(
            "b",
            "same, status + debtor search",
            get(
                partner,
                lambda n: f"/cases/?status=active&q={fragments[n % len(fragments)]}",
            ),
        ),
        Op(
            "c",
            "case page, 200 chat entries, 20 files",
            get(partner, lambda n: f"/cases/{hot[n % len(hot)]}/"),
        ),
        Op("d", "post a chat message", post_message, expect=(302,)),
        Op("e", "partner's tasks page", get(partner, "/tasks/")),
        Op("f", "client's case list", get(client, "/cases/")),
        Op("g", "log-in page (floor)", login_page),
    ]
    return [op for op in ops if op.letter in letters]


def print_table(results: list[Result], manifest: Manifest, rss_mib: float) -> None:
    print()
    print(
        f"Claimbridge benchmark: {manifest.cases:,} cases on {manifest.vendor}, "
        f"gunicorn 2 workers; seeded in {manifest.seconds:.0f} s"
    )
    header = f"{'op':<3}{'what':<40}{'c':>3}" + "".join(
        f"{title:>9}" for title in ("req/s", "p50 ms", "p95 ms", "p99 ms", "queries")
    )
    header += f"{'errors':>8}"
    print(header)
    print("-" * len(header))
    for r in results:
        print(
            f"{r.op:<3}{r.label:<40}{r.concurrency:>3}{r.rps:>9.1f}{r.percentile(50):>9.1f}"
            f"{r.percentile(95):>9.1f}{r.percentile(99):>9.1f}{str(r.query_count):>9}{r.errors:>8}"
        )
    print(f"Peak RSS of a gunicorn worker: {rss_mib:.0f} MiB")
    by = {(r.op, r.concurrency): r for r in results}
    floor1, floor8 = by.get(("g", 1)), by.get(("g", 8))
    if not floor1 or not floor8:
        return
    print()
    print("Targets (ratios to the log-in page (g) of this run):")
    for op, limit in P95_LIMITS.items():
        r = by.get((op, 1))
        if r:
            ratio = r.percentile(95) / floor1.percentile(95)
            verdict = "ok" if ratio <= limit else "MISSED"
            print(
                f"  ({op}) p95 c=1 {ratio:5.1f}× of (g), target ≤ {limit}×  {verdict}"
            )
    for op, share in RPS_SHARES.items():
        r = by.get((op, 8))
        if r:
            ratio = r.rps / floor8.rps
            verdict = "ok" if ratio >= share else "MISSED"
            print(
                f"  ({op}) req/s c=8 {ratio:5.2f} of (g), target ≥ {share}  {verdict}"
            )
    over = [f"({r.op})" for r in results if (r.query_count or 0) > MAX_QUERIES]
    verdict = "ok" if not over else "MISSED by " + ", ".join(over)
    print(f"  queries per request ≤ {MAX_QUERIES}: {verdict}")
    errors = sum(r.errors for r in results)
    if errors:
        print(f"  {errors} requests failed (not counted in the latencies)")
