"""The shared cache in the database (``LPSE_CACHE_URL=database``, issue 19, R-9.11): several
nodes on PostgreSQL without Redis count the same rate limits and hand a job's lease to one node.

Real processes on a throw-away PostgreSQL database: two ``lpse serve`` that one client visits in
turn, and worker processes that hammer one counter or one lease at the same moment. The attacks
on Django's own DatabaseCache (``incr`` and ``add`` are a read, then a write) run beside the
defence of ``core.db_cache`` and must show what it prevents."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.nodes import ROOT, node_files
from tests.test_bid_faults import Server, _postgres_database
from tests.test_two_nodes import _postgres_url

DJANGO_CACHE = "django.core.cache.backends.db.DatabaseCache"
OURS = "lpse.core.db_cache.SharedDatabaseCache"
LIMIT = 4

# A worker process: Django on the shared database, ``threads`` threads that each, once every
# process is ready, either count ``ops`` times on one key or try once to take one lease.
WORKER = r"""
import json, os, sys, threading, time
import django

django.setup()
from django.db import connection
from django.utils.module_loading import import_string

what, backend, key, threads, ops = sys.argv[1:6]
cache = import_string(backend)("lpse_cache", {})
results, lock, go = [], threading.Lock(), threading.Event()


def work():
    go.wait(120)
    try:
        for _ in range(int(ops)):
            if what == "incr":
                cache.incr(key)
                got = 1
            else:
                got = cache.add(key, os.getpid(), timeout=60)
            with lock:
                results.append(got)
    finally:
        connection.close()


pool = [threading.Thread(target=work) for _ in range(int(threads))]
for t in pool:
    t.start()
print("ready", flush=True)
sys.stdin.readline()  # the test says go when every process is ready
go.set()
for t in pool:
    t.join(120)
print(json.dumps(results))
"""

# The cache as one node sees it now: the value of a key, or a key made to expire.
READ = r"""
import json, sys
import django

django.setup()
from django.core.cache import cache

what, key = sys.argv[1:3]
if what == "get":
    print(json.dumps(cache.get(key)))
elif what == "set-expired":  # a lease that ran out, its row not yet removed
    cache.set(key, "old-node", timeout=1)
    print("null")
else:
    cache.set(key, 0, timeout=600)
    print("null")
"""


@pytest.fixture(scope="module")
def shared_database(tmp_path_factory):
    """A throw-away PostgreSQL database, migrated (the cache table is core's migration), and
    the environment of a process that keeps its cache there."""
    folder = tmp_path_factory.mktemp("database-cache")
    database, drop = _postgres_database(_postgres_url())
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="lpse.settings",
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        DATABASE_URL=database,
        LPSE_CACHE_URL="database",
        LPSE_DATA_DIR=str(folder / "setup"),
        CELERY_BROKER_URL="memory://",
    )
    try:
        migrate = subprocess.run(
            [sys.executable, "-m", "lpse", "migrate", "--verbosity", "0"],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert migrate.returncode == 0, migrate.stderr
        yield env, folder
    finally:
        drop()


def _run(env: dict, script: str, *args) -> object:
    done = subprocess.run(
        [sys.executable, "-c", script, *map(str, args)],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def _at_once(env: dict, what: str, backend: str, key: str, *, processes=2, threads=4, ops=1):
    """``processes`` worker processes started together; every result of every thread."""
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, what, backend, key, str(threads), str(ops)],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(processes)
    ]
    for worker in workers:
        assert worker.stdout.readline().strip() == "ready", worker.stderr.read()
    for worker in workers:
        worker.stdin.write("go\n")
        worker.stdin.flush()
    results = []
    for worker in workers:
        out, err = worker.communicate(timeout=240)
        assert worker.returncode == 0, err
        results += json.loads(out.strip().splitlines()[-1])
    return results


@pytest.mark.parametrize("backend", [DJANGO_CACHE, OURS], ids=["django", "lpse"])
def test_issue19_concurrent_counts_on_two_processes_all_add_up(shared_database, backend):
    """The rate limiter's ``incr`` from 2 processes × 4 threads × 25 counts on one key. Django's
    read-then-write loses counts (a limiter that lets through more than its limit); ours keeps
    every one."""
    env, _folder = shared_database
    key = f"count-{backend.rsplit('.', 1)[-1]}"
    _run(env, READ, "zero", key)
    done = _at_once(env, "incr", backend, key, ops=25)
    total = _run(env, READ, "get", key)
    assert len(done) == 2 * 4 * 25
    if backend == OURS:
        assert total == len(done)
    else:  # the attack: concurrent requests slip past the count
        assert total < len(done), "Django's DatabaseCache.incr counted every request this time"


@pytest.mark.parametrize("backend", [DJANGO_CACHE, OURS], ids=["django", "lpse"])
def test_issue19_an_expired_lease_is_taken_by_one_node_only(shared_database, backend):
    """A job's lease ran out and its row is still there: 2 processes × 4 threads try to take it
    at the same moment. Django's ``add`` reads the expired row and updates it in each; ours lets
    exactly one take it."""
    env, _folder = shared_database
    key = f"lease-{backend.rsplit('.', 1)[-1]}"
    winners = []
    for _attempt in range(3):  # the attack needs the threads to meet; three chances
        _run(env, READ, "set-expired", key)
        time.sleep(2.1)  # expiry has a resolution of one second
        results = _at_once(env, "add", backend, key)
        winners.append(sum(results))
        if backend == OURS or max(winners) > 1:
            break
    if backend == OURS:
        assert winners == [1]
    else:
        assert max(winners) > 1, f"Django's DatabaseCache.add gave the lease once: {winners}"


def test_issue19_two_nodes_count_one_address_against_one_limit(shared_database):
    """R-4.4 across nodes: a client asking two ``lpse serve`` in turn (a load balancer without
    sticky sessions) is refused after LIMIT requests in all, not LIMIT on each node; and neither
    node keeps the count in its data folder."""
    env, folder = shared_database
    servers = []
    try:
        for name in ("node-a", "node-b"):
            data_dir = folder / name / "data"
            data_dir.mkdir(parents=True)
            server = Server(
                env={
                    **env,
                    "LPSE_DATA_DIR": str(data_dir),
                    "LPSE_NODE_NAME": name,
                    "LPSE_PUBLIC_PROOF_RATE_PER_MINUTE": str(LIMIT),
                    # Both nodes must share the secret key, as docs/scale-out.md says.
                    "SECRET_KEY": "two-nodes-one-database-cache-" + "x" * 30,
                },
                data_dir=data_dir,
            )
            server.start()
            servers.append(server)
        if time.time() % 60 > 45:  # one fixed window for the whole test
            time.sleep(61 - time.time() % 60)
        path = "/transparansi/bukti-konsistensi?first=1&second=2"
        statuses = [servers[n % 2].request("GET", path)[0] for n in range(LIMIT + 2)]
        assert 429 not in statuses[:LIMIT], statuses
        assert statuses[LIMIT:] == [429, 429], statuses
        for server in servers:
            assert node_files(Path(server.data_dir)) == [], server.data_dir
    finally:
        for server in servers:
            server.kill()
