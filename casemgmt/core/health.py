"""Liveness of the parts the application needs: database, Redis, a Celery worker."""

from __future__ import annotations

import time
from collections.abc import Callable

import redis
from django.conf import settings
from django.db import connection


def _timed(check: Callable[[], dict]) -> dict:
    started = time.monotonic()
    try:
        result = {"ok": True, **check()}
    except Exception as exc:
        result = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
    result["ms"] = round((time.monotonic() - started) * 1000, 1)
    return result


def _database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {}


def _redis() -> dict:
    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
    try:
        client.ping()
    finally:
        client.close()
    return {}


def _worker(timeout: float) -> dict:
    from celery import current_app as app  # the project's app (casemgmt/celery.py)

    # A broadcast ping through the broker; each live worker answers (a heartbeat round trip).
    replies = app.control.ping(timeout=timeout, limit=1)  # answer at the first reply
    if not replies:
        raise RuntimeError("no Celery worker answered")
    return {"workers": len(replies)}


def health_report(*, worker_timeout: float = 1.5) -> dict:
    checks = {
        "database": _timed(_database),
        "redis": _timed(_redis),
        "worker": _timed(lambda: _worker(worker_timeout)),
    }
    return {"status": "ok" if all(c["ok"] for c in checks.values()) else "fail", "checks": checks}
