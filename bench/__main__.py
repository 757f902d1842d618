"""`make bench`: seed data, serve it with gunicorn, drive it over HTTP, print figures.

    python -m bench [--scale 10k|100k|1m] [--json PATH] [--reuse]

The data goes to a database of its own, never the demo's: `var/bench.sqlite3`
when DATABASE_URL is SQLite or unset, the database `claimbridge_bench` on the
same server when it is PostgreSQL (BENCH_DATABASE_URL overrides both). The
database is dropped and seeded anew unless --reuse finds one of the same scale.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
VAR = BASE_DIR / "var"
BENCH_DB_NAME = "claimbridge_bench"
LOGIN_PATH = "/accounts/login/"
CONCURRENCIES = (1, 8)


def bench_database_url() -> str:
    """The benchmark's own database, next to the configured one."""
    if os.environ.get("BENCH_DATABASE_URL"):
        url = os.environ["BENCH_DATABASE_URL"]
    else:
        configured = os.environ.get("DATABASE_URL", "")
        parts = urlsplit(configured)
        if parts.scheme.startswith("postgres"):
            url = urlunsplit(parts._replace(path=f"/{BENCH_DB_NAME}"))
        else:
            url = f"sqlite:///{VAR / 'bench.sqlite3'}"
    if url == os.environ.get("DATABASE_URL") or url.endswith("/claimbridge.sqlite3"):
        raise SystemExit(
            "The benchmark never writes to the configured (demo) database."
        )
    return url


def recreate_database(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme.startswith("postgres"):
        import psycopg

        name = parts.path.lstrip("/")
        admin = urlunsplit(parts._replace(path="/postgres", scheme="postgresql"))
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    else:
        path = Path(parts.path)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def peak_rss_mib(pid: int) -> float:
    """VmHWM: the most resident memory the process ever had."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--scale", default=os.environ.get("SCALE") or "100k")
    parser.add_argument("--json", default=os.environ.get("JSON") or "")
    parser.add_argument(
        "--reuse", action="store_true", default=os.environ.get("REUSE") == "1"
    )
    parser.add_argument(
        "--requests", type=int, default=200, help="per op and concurrency"
    )
    parser.add_argument(
        "--seconds", type=float, default=20.0, help="per op and concurrency"
    )
    parser.add_argument("--ops", default="abcdefg")
    parser.add_argument("--seed-only", action="store_true")
    args = parser.parse_args()

    url = bench_database_url()
    media = VAR / "bench-media"
    os.environ.update(
        {
            "DATABASE_URL": url,
            "MEDIA_ROOT": str(media),
            "DEBUG": "0",
            "DJANGO_SETTINGS_MODULE": "config.settings",
        }
    )
    # Persistent connections, as a production deployment runs them.
    os.environ.setdefault("DATABASE_CONN_MAX_AGE", "60")
    sys.path.insert(0, str(BASE_DIR))

    from bench.manifest import Manifest, scale_cases

    scale_cases(args.scale)
    manifest_path = VAR / f"bench-{urlsplit(url).scheme.split('+')[0]}.json"
    manifest = None
    if args.reuse and manifest_path.exists():
        saved = Manifest(**json.loads(manifest_path.read_text()))
        if saved.scale == args.scale:
            manifest = saved
    safe_url = urlunsplit(urlsplit(url)._replace(netloc=urlsplit(url).hostname or ""))
    print(f"Benchmark database: {safe_url} (scale {args.scale})", flush=True)
    if manifest is None:
        recreate_database(url)
        shutil.rmtree(media, ignore_errors=True)

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, interactive=False)
    # WhiteNoise warns about a missing STATIC_ROOT on every worker start.
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
    if manifest is None:
        from bench.seed import Seeder

        print(f"Seeding {args.scale} cases ...", flush=True)
        manifest = Seeder(args.scale, out=lambda s: print(s, flush=True)).run()
        manifest_path.write_text(json.dumps(asdict(manifest), indent=1))
    else:
        print(f"Reusing the seeded data ({manifest.seconds} s to seed).", flush=True)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    connection.close()
    if args.seed_only:
        return

    from bench.load import interleaved
    from bench.ops import build_ops, print_table

    port = free_port()
    env = {**os.environ, "BENCH_QUERY_COUNT": "1"}
    # The per-person limits on posting are meant against floods; op (d) is one.
    env.setdefault("RATE_LIMIT_MESSAGES", "1000000/m")
    env.setdefault("RATE_LIMIT_UPLOADS", "1000000/m")
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(  # noqa: S603 - fixed arguments, local address
        [
            str(gunicorn),
            "config.wsgi:application",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--timeout",
            "120",
        ],
        cwd=BASE_DIR,
        env=env,
    )
    # A stopped benchmark stops its server too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        wait_until_up(port, server)
        workers = children(server.pid)
        ops = build_ops(manifest, port, args.ops)
        by_key = {}
        for concurrency in CONCURRENCIES:
            letters = ", ".join(o.letter for o in ops)
            print(f"Driving {letters} at concurrency {concurrency} ...", flush=True)
            for result in interleaved(
                ops, concurrency, requests=args.requests, seconds=args.seconds
            ):
                by_key[(result.op, concurrency)] = result
                print(
                    f"  ({result.op}) c={concurrency}: {result.rps:7.1f} req/s, "
                    f"p95 {result.percentile(95):7.1f} ms, {result.query_count} queries"
                    + (f", {result.errors} errors" if result.errors else ""),
                    flush=True,
                )
        results = [by_key[(o.letter, c)] for o in ops for c in CONCURRENCIES]
        rss = max(
            (peak_rss_mib(pid) for pid in workers if Path(f"/proc/{pid}").exists()),
            default=0,
        )
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    print_table(results, manifest, rss)
    if args.json:
        Path(args.json).write_text(
            json.dumps([r.as_json() for r in results], indent=1) + "\n"
        )
        print(f"Figures written to {args.json}")


def wait_until_up(port: int, server: subprocess.Popen[bytes]) -> None:
    from bench.load import Session

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("gunicorn did not start")
        try:
            if Session("127.0.0.1", port).request("GET", LOGIN_PATH).status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not answer within 60 s")


if __name__ == "__main__":
    main()
