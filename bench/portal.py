"""Issue 3's benchmark: the public tender list and search with many tenders, served by `lpse serve`.

    uv run python bench/portal.py [--tenders 100000] [--requests 300] [--concurrency 4]
                                  [--database-url postgres://postgres@127.0.0.1:5432/postgres]
                                  [--site DIR]   # keep the generated site for the next run

Builds a throw-away site in a temporary folder (SQLite there, or a fresh ``lpse_bench`` database on
the given local PostgreSQL server, dropped first and at the end), runs ``lpse migrate``, loads the
reference data (agencies, business fields, one PPK and one committee), generates the tenders with
``lpse.demo.generate.generate_tenders``, then starts ``lpse serve`` on a free 127.0.0.1 port
with two workers and requests each page from a few client threads.

Every figure is printed as a ratio to a bare Django view (``/ping/``: no query, no template, the
whole middleware stack) served by the same server in the same run, because the machine is shared
and noisy. Each page is measured in --rounds slices that alternate with slices of the baseline
(B P B P B P B), so the page and its baseline see the same load; the spread of the baseline slices
is printed so the noise shows.

Bounded: a page stops after --requests requests or --max-seconds, whichever comes first (its
baseline likewise after --baseline-requests or --max-seconds); every request has a socket timeout;
the server is stopped and the temporary folder (and database) removed at the end, on an error and
on Ctrl-C. Load goes to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

HOST = "127.0.0.1"
LOCAL_DB_HOSTS = {"127.0.0.1", "localhost", "::1", ""}
BASELINE = ("baseline", "/ping/")
# The pages of the public list; {agency} is filled in once the agencies exist.
TARGETS = [
    ("list, first page", "/tender/"),
    ("list, page 2000", "/tender/?page=2000"),
    ("search q=Jembatan", "/tender/?q=Jembatan"),
    ("filters", "/tender/?agency={agency}&category=works&year=2026"),
    ("stage filter", "/tender/?stage=bid_submission"),
]


# Each page as anonymous visitors get it (from the shared page cache, issue 19), then built for
# every request: a request with a cookie of the messages framework is never served from the
# cache (a message may be waiting for that visitor), so it measures the page's own cost.
MODES = [("cached", ""), ("uncached", "messages=bench")]
MODE_SUFFIX = {"cached": "", "uncached": " ·u"}


# --- the site -------------------------------------------------------------------------------


def _postgres_urls(url: str, name: str) -> tuple[str, str]:
    """(URL of the server's maintenance database, URL of the benchmark database)."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        raise SystemExit(f"error: --database-url must be a postgres:// URL, not {parts.scheme}://")
    if (parts.hostname or "") not in LOCAL_DB_HOSTS:
        raise SystemExit(
            "error: --database-url must point to a local server (127.0.0.1): the benchmark "
            "drops and creates a database there"
        )
    admin = urlunsplit(parts._replace(path="/postgres"))
    return admin, urlunsplit(parts._replace(path=f"/{name}"))


def _postgres_recreate(admin_url: str, name: str, *, create: bool) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(admin_url, autocommit=True, connect_timeout=10) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        if create:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def site_env(data_dir: Path, database_url: str | None) -> dict[str, str]:
    """The environment of the site's processes: production defaults, this run's data."""
    env = dict(os.environ)
    for name in ("DATABASE_URL", "LPSE_DEMO", "DEBUG", "LPSE_HTTPS", "CELERY_BROKER_URL"):
        env.pop(name, None)
    env["DJANGO_SETTINGS_MODULE"] = "lpse.settings"
    env["LPSE_DATA_DIR"] = str(data_dir)
    env["LPSE_LOG_LEVEL"] = "WARNING"
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def run_lpse(env: dict[str, str], *args: str, timeout: float = 600) -> None:
    command = [sys.executable, "-m", "lpse", *args]
    subprocess.run(command, env=env, check=True, timeout=timeout)  # noqa: S603 — our own CLI


def use_site(env: dict[str, str]) -> None:
    """Django in this process, on the site's settings."""
    for name in set(os.environ) - set(env):
        del os.environ[name]
    os.environ.update(env)
    import django

    django.setup()


def populate(env: dict[str, str], count: int) -> tuple[int, float]:
    """Reference data and ``count`` tenders, in this process; returns (agency id, seconds)."""
    use_site(env)
    import secrets

    from django.db import connections, transaction

    from lpse.accounts.models import Agency
    from lpse.accounts.roles import Role
    from lpse.accounts.services import user_bootstrap
    from lpse.catalog.models import BusinessField, BusinessSubField
    from lpse.demo import loader as demo
    from lpse.demo.generate import generate_tenders
    from lpse.tenders.models import Committee

    with transaction.atomic():
        agencies = {
            code: Agency.objects.get_or_create(code=code, defaults={"name": name})[0]
            for code, name in demo.AGENCIES
        }
        for code, name, subs in demo.BUSINESS_FIELDS:
            business_field, _ = BusinessField.objects.get_or_create(
                code=code, defaults={"name": name}
            )
            for sub_code, sub_name in subs:
                BusinessSubField.objects.get_or_create(
                    code=sub_code, defaults={"field": business_field, "name": sub_name}
                )
        agency = agencies["DPUPR"]
        password = secrets.token_urlsafe(24)
        ppk = user_bootstrap(
            username="bench.ppk",
            email="bench.ppk@lpse.localhost",
            roles={Role.PPK},
            password=password,
            agency=agency,
        )
        member = user_bootstrap(
            username="bench.pokja",
            email="bench.pokja@lpse.localhost",
            roles={Role.COMMITTEE},
            password=password,
            agency=agency,
        )
        committee = Committee.objects.create(agency=agency, name="Pokja Benchmark")
        committee.members.add(member)
    started = time.perf_counter()
    made = generate_tenders(count, ppk=ppk, committee=committee)
    seconds = time.perf_counter() - started
    assert made == count
    connection = connections["default"]
    if connection.vendor == "postgresql":
        # The statistics and visibility map autovacuum would have soon after a bulk load; without
        # them the planner guesses, and counts cannot use index-only scans. (Django never runs
        # ANALYZE on SQLite, so neither does the benchmark.)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    connections.close_all()
    return agency.pk, seconds


def database_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT sqlite_version()")
            version = f"SQLite {cursor.fetchone()[0]}"
        else:
            cursor.execute("SHOW server_version")
            version = f"PostgreSQL {cursor.fetchone()[0]}"
    connection.close()
    return version


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class Server:
    """``lpse serve`` in its own process group, so stopping it also stops its scheduler."""

    def __init__(self, env: dict[str, str], port: int, workers: int, log: Path):
        self.port = port
        self.log = log
        env = dict(env, LPSE_WORKERS=str(workers), LPSE_BIND=f"{HOST}:{port}")
        self._log_file = log.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "lpse", "serve"],
            env=env,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_healthy(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"lpse serve exited with {self.process.returncode}")
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=5)
                conn.request("GET", "/health/")
                if conn.getresponse().status == 200:
                    conn.close()
                    return
                conn.close()
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"lpse serve did not answer /health/ within {timeout:.0f} s")

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
            except ProcessLookupError:
                pass
        self._log_file.close()

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


# --- the client -----------------------------------------------------------------------------


@dataclass
class Result:
    name: str
    path: str
    latencies: list[float] = field(default_factory=list)  # seconds, successful requests only
    errors: int = 0
    wall: float = 0.0
    body_bytes: int = 0
    first_error: str = ""

    @property
    def count(self) -> int:
        return len(self.latencies)

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
        return ordered[rank]

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies) if self.latencies else float("nan")

    @property
    def p95(self) -> float:
        return self.percentile(95)

    @property
    def rps(self) -> float:
        return self.count / self.wall if self.wall else float("nan")

    def add(self, other: Result) -> None:
        self.latencies += other.latencies
        self.errors += other.errors
        self.wall += other.wall
        self.body_bytes = other.body_bytes or self.body_bytes
        self.first_error = self.first_error or other.first_error


def measure(
    port: int,
    name: str,
    path: str,
    *,
    requests: int,
    concurrency: int,
    max_seconds: float,
    timeout: float,
    cookie: str = "",
) -> Result:
    """``requests`` GETs of ``path`` from ``concurrency`` keep-alive connections; stops by itself
    after that many or ``max_seconds``, whichever comes first."""
    result = Result(name, path)
    lock = threading.Lock()
    issued = 0
    started = time.perf_counter()
    deadline = started + max_seconds
    headers = {"Accept": "text/html", "Accept-Encoding": "identity", "Connection": "keep-alive"}
    if cookie:
        headers["Cookie"] = cookie

    def worker() -> None:
        nonlocal issued
        conn: http.client.HTTPConnection | None = None
        while True:
            with lock:
                if issued >= requests or time.perf_counter() >= deadline:
                    break
                issued += 1
            t0 = time.perf_counter()
            try:
                if conn is None:
                    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                body = response.read()
                elapsed = time.perf_counter() - t0
                with lock:
                    if response.status == 200:
                        result.latencies.append(elapsed)
                        result.body_bytes = len(body)
                    else:
                        result.errors += 1
                        result.first_error = result.first_error or f"HTTP {response.status}"
                if response.will_close:
                    conn.close()
                    conn = None
            except (OSError, http.client.HTTPException) as exc:
                with lock:
                    result.errors += 1
                    result.first_error = result.first_error or repr(exc)
                if conn is not None:
                    conn.close()
                conn = None
        if conn is not None:
            conn.close()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        # Each request is bounded by the socket timeout, so this join is bounded too.
        thread.join(max_seconds + timeout + 5)
    result.wall = time.perf_counter() - started
    return result


# --- the report -----------------------------------------------------------------------------


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f}"


@dataclass
class Paired:
    """A page and the baseline measured in alternation with it (B P B P … B)."""

    page: Result
    baseline: Result
    baseline_p50s: list[float]  # of each baseline slice, to show the noise


def report(rows: list[Paired]) -> str:
    header = (
        f"{'page':<18} {'path':<44} {'ok':>4} {'err':>3} {'p50 ms':>7} {'p95 ms':>7} "
        f"{'req/s':>6} │ {'base p50':>8} {'base req/s':>10} │ {'p50 ×':>6} {'p95 ×':>6} "
        f"{'req/s ×':>7}"
    )
    lines = [header, "─" * len(header)]
    for row in rows:
        page, base = row.page, row.baseline
        lines.append(
            f"{page.name:<18} {page.path:<44} {page.count:>4} {page.errors:>3} "
            f"{page.p50 * 1000:7.1f} {page.p95 * 1000:7.1f} {page.rps:6.1f} │ "
            f"{base.p50 * 1000:8.1f} {base.rps:10.0f} │ {page.p50 / base.p50:6.1f} "
            f"{page.p95 / base.p95:6.1f} {page.rps / base.rps:7.3f}"
        )
    slices = [p50 * 1000 for row in rows for p50 in row.baseline_p50s]
    lines.append("")
    lines.append(
        f"base = the bare view /ping/ measured in alternation with each page; its p50 over "
        f"{len(slices)} slices ranged {min(slices):.1f}–{max(slices):.1f} ms. "
        "p50 × and p95 × = times slower than the bare view; req/s × = fraction of its throughput."
    )
    return "\n".join(lines)


def goals(rows: list[Paired]) -> str:
    """Issue 19's goals: cached, every list page ≥ 0.5 of the bare view's req/s; uncached,
    ≤ 10× its p50, and search ≤ 2× the first page's cost."""
    half = len(rows) // 2
    cached, uncached = rows[:half], rows[half:]
    lines = []
    for row in cached:
        ratio = row.page.rps / row.baseline.rps
        lines.append(
            f"cached   {row.page.name:<20} req/s = {ratio:.2f} of the bare view (goal ≥ 0.5)"
        )
    for row in uncached:
        ratio = row.page.p50 / row.baseline.p50
        lines.append(f"uncached {row.page.name:<20} p50 = {ratio:.1f}× the bare view (goal ≤ 10×)")
    first = uncached[0].page.p50 / uncached[0].baseline.p50
    for row in uncached:
        if "search" in row.page.name:
            cost = row.page.p50 / row.baseline.p50
            lines.append(
                f"uncached {row.page.name:<20} p50 = {cost / first:.2f}× the first page's "
                "(goal ≤ 2×, each as a multiple of its own baseline)"
            )
    return "\n".join(lines)


# --- main -----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenders", type=int, default=100_000, help="tenders to generate")
    parser.add_argument("--requests", type=int, default=300, help="requests per page")
    parser.add_argument(
        "--baseline-requests",
        type=int,
        default=1000,
        help="baseline requests per page (default 1000: the bare view is fast, short runs are "
        "noise)",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="each page is measured in this many slices, alternating with slices of the "
        "baseline (default 3), so both see the same noise",
    )
    parser.add_argument("--concurrency", type=int, default=4, help="client threads")
    parser.add_argument("--workers", type=int, default=2, help="LPSE_WORKERS of the server")
    parser.add_argument(
        "--max-seconds",
        type=float,
        default=120,
        help="stop a page's measurement after this long even if requests remain (default 120; "
        "the baseline gets as long again)",
    )
    parser.add_argument(
        "--timeout", type=float, default=60, help="socket timeout of one request, s (default 60)"
    )
    parser.add_argument(
        "--database-url",
        help="a local PostgreSQL server, e.g. postgres://postgres@127.0.0.1:5432/postgres; a "
        "fresh database (--database-name) is created there. Default: SQLite in the temp folder",
    )
    parser.add_argument("--database-name", default="lpse_bench")
    parser.add_argument(
        "--site",
        type=Path,
        help="keep the generated site (data folder, and the database) in this folder and use it "
        "again on the next run with the same --tenders and database: the generation is most of "
        "a run's time. Default: a temporary folder, removed at the end",
    )
    args = parser.parse_args(argv)
    counts = (args.tenders, args.requests, args.baseline_requests, args.rounds, args.concurrency)
    if min(*counts, args.workers) < 1:
        parser.error("counts (--tenders, --requests, --concurrency, …) must be at least 1")

    # Ctrl-C and SIGTERM both unwind through the finally blocks below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    admin_url = bench_url = None
    if args.database_url:
        admin_url, bench_url = _postgres_urls(args.database_url, args.database_name)
    keep = args.site is not None
    temp = args.site.resolve() if keep else Path(tempfile.mkdtemp(prefix="lpse-bench-"))
    temp.mkdir(parents=True, exist_ok=True)
    marker = temp / "bench-site.json"
    wanted = {"tenders": args.tenders, "database": bench_url or "sqlite"}
    kept = json.loads(marker.read_text()) if keep and marker.exists() else {}
    reuse = {k: kept.get(k) for k in wanted} == wanted
    server: Server | None = None
    try:
        if admin_url and not reuse:
            _postgres_recreate(admin_url, args.database_name, create=True)
        env = site_env(temp / "data", bench_url)
        print(f"site in {temp} ({'PostgreSQL ' + args.database_name if bench_url else 'SQLite'})")
        print("lpse migrate …", flush=True)
        run_lpse(env, "migrate", "--verbosity", "0")
        if reuse:
            use_site(env)
            agency_id = kept["agency"]
            print(f"using the {args.tenders} tenders generated by an earlier run", flush=True)
        else:
            print(f"generating {args.tenders} tenders …", flush=True)
            agency_id, seconds = populate(env, args.tenders)
            if keep:
                marker.write_text(json.dumps({**wanted, "agency": agency_id}))
            print(
                f"generated {args.tenders} tenders (and {12 * args.tenders} schedule entries) "
                f"in {seconds:.1f} s ({args.tenders / seconds:.0f} tenders/s)",
                flush=True,
            )
        db_version = database_version()

        port = free_port()
        server = Server(env, port, args.workers, temp / "server.log")
        server.wait_healthy(timeout=90)
        print(
            f"lpse serve on {HOST}:{port}, {args.workers} workers × 4 threads; "
            f"per page {args.requests} requests and {args.baseline_requests} of the baseline in "
            f"{args.rounds} alternating rounds, {args.concurrency} client threads",
            flush=True,
        )

        def measure_for(path: str, requests: int, seconds: float, cookie: str = "") -> Result:
            return measure(
                port,
                "",
                path,
                requests=requests,
                concurrency=args.concurrency,
                max_seconds=seconds,
                timeout=args.timeout,
                cookie=cookie,
            )

        def paired(name: str, path: str, cookie: str = "") -> Paired:
            """B P B P … B: the page's slices alternate with the baseline's."""
            warm_up = max(2 * args.concurrency, 2 * args.workers)
            # every worker renders it once (and a cached page is stored)
            measure_for(path, warm_up, min(args.max_seconds, 30), cookie)
            page, base = Result(name, path), Result(*BASELINE)
            p50s = []
            slices = args.rounds + 1
            for i in range(slices):
                done = measure_for(
                    BASELINE[1], -(-args.baseline_requests // slices), args.max_seconds / slices
                )
                p50s.append(done.p50)
                base.add(done)
                if i < args.rounds:
                    page.add(
                        measure_for(
                            path,
                            -(-args.requests // args.rounds),
                            args.max_seconds / args.rounds,
                            cookie,
                        )
                    )
            status = f"{page.count} ok, {page.errors} errors in {page.wall:.1f} s"
            if page.first_error or base.first_error:
                status += f" (first: {page.first_error or base.first_error})"
            print(
                f"  {name:<18} {path:<44} p50 {page.p50 * 1000:7.1f} ms, "
                f"base {base.p50 * 1000:5.1f} ms; {status}",
                flush=True,
            )
            return Paired(page, base, p50s)

        rows = []
        for mode, cookie in MODES:
            print(f"{mode}:", flush=True)
            rows += [
                paired(f"{name}{MODE_SUFFIX[mode]}", path.format(agency=agency_id), cookie)
                for name, path in TARGETS
            ]
        results = [r for row in rows for r in (row.page, row.baseline)]
        if any(r.count == 0 for r in results):
            print("error: a page answered no request successfully", file=sys.stderr)
            print(server.log_tail(), file=sys.stderr)
            return 1

        print()
        print(
            f"{datetime.now().astimezone():%Y-%m-%d %H:%M %Z} · {platform.node()} · "
            f"{os.cpu_count()} CPUs · {platform.platform()} · Python {platform.python_version()} "
            f"· {db_version} · {args.tenders} tenders"
        )
        print(report(rows))
        print()
        print(goals(rows))
        errors = sum(r.errors for r in results)
        return 1 if errors else 0
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, RuntimeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        if server is not None:
            print(server.log_tail(), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    finally:
        if server is not None:
            server.stop()
        if not keep:
            if admin_url:
                try:
                    from django.db import connections

                    connections.close_all()
                except Exception:  # noqa: S110 — Django may not be set up yet
                    pass
                _postgres_recreate(admin_url, args.database_name, create=False)
            shutil.rmtree(temp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
