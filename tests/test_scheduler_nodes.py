"""The embedded scheduler on several nodes (issue 19, R-9.11): an installation job runs once
however many nodes find it due, a node job on every node. Two nodes here are two schedulers
(their own memory of what ran, their own node names) sharing a real Redis, or the database, as
the cache."""

from __future__ import annotations

import os
import uuid

import pytest
from celery.schedules import schedule

from lpse.core import scheduler

REDIS = "redis://127.0.0.1:6379/3"


@pytest.fixture(params=["redis", "database"])
def shared_cache(request, settings):
    """The cache the nodes share: Redis, or the database (``LPSE_CACHE_URL=database``)."""
    if request.param == "database":
        settings.LPSE_CACHE_URL = "database"
        settings.CACHES = {
            **settings.CACHES,
            "default": {
                "BACKEND": "lpse.core.db_cache.SharedDatabaseCache",
                "LOCATION": "lpse_cache",
                "KEY_PREFIX": f"test-{uuid.uuid4().hex}",
            },
        }
        return
    import redis

    try:
        redis.Redis.from_url(REDIS, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        if os.environ.get("LPSE_REQUIRE_REDIS"):
            raise
        pytest.skip(f"no Redis: {exc}")
    settings.LPSE_CACHE_URL = REDIS
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS,
            "KEY_PREFIX": f"test-{uuid.uuid4().hex}",  # this test's own keys
        },
    }


def _pass_on(settings, node: str, last_run: dict, jobs: dict) -> list[str]:
    settings.LPSE_NODE_NAME = node
    return scheduler.run_pending(last_run, jobs)


def test_R_9_11_an_installation_job_runs_once_across_two_nodes_and_a_node_job_on_each(
    db, settings, shared_cache
):
    jobs = {
        "mail-due-announcements": {
            "task": "lpse.core.tasks.ping",
            "schedule": schedule(300),
            "args": ("x",),
        },
        "sample-host": {"task": "lpse.core.tasks.ping", "schedule": schedule(60), "args": ("x",)},
    }
    node_a: dict[str, float] = {}
    node_b: dict[str, float] = {}

    assert _pass_on(settings, "web1", node_a, jobs) == ["mail-due-announcements", "sample-host"]
    assert _pass_on(settings, "web2", node_b, jobs) == ["sample-host"]
    # Not due again on either node in this period: node b does not try every pass.
    assert _pass_on(settings, "web2", node_b, jobs) == []


def test_R_9_11_one_node_with_its_own_cache_takes_no_lease(settings):
    """The embedded mode on one machine (a file cache): every due job runs, as before."""
    settings.LPSE_CACHE_URL = ""
    jobs = {
        "mail-due-announcements": {
            "task": "lpse.core.tasks.ping",
            "schedule": schedule(300),
            "args": ("x",),
        }
    }
    assert _pass_on(settings, "web1", {}, jobs) == ["mail-due-announcements"]
    assert _pass_on(settings, "web2", {}, jobs) == ["mail-due-announcements"]
