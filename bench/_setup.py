"""Shared set-up for benchmarks: a scratch database, Django configured against it."""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = "casemgmt_bench"


def configure(keep: bool) -> Callable[[], None]:
    """Point Django at a fresh `casemgmt_bench` database, migrate it, return a clean-up."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casemgmt.settings.dev")
    import environ

    environ.Env.read_env(str(ROOT / "var" / "services.env"), overwrite=False)
    url = os.environ["DATABASE_URL"]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    os.environ["DATABASE_URL"] = url.rsplit("/", 1)[0] + f"/{BENCH_DB}"
    os.environ["DEBUG"] = "false"

    import psycopg

    with psycopg.connect(_dsn(admin_url), autocommit=True) as c:
        c.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        c.execute(f"CREATE DATABASE {BENCH_DB}")

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", verbosity=0)

    def cleanup() -> None:
        from django.db import connections

        connections.close_all()
        if keep:
            print(f"kept database {BENCH_DB}")
            return
        with psycopg.connect(_dsn(admin_url), autocommit=True) as c:
            c.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")

    return cleanup


def _dsn(url: str) -> str:
    import environ

    cfg = environ.Env.db_url_config(url)
    parts = {
        "host": cfg.get("HOST") or "localhost",
        "port": cfg.get("PORT") or 5432,
        "user": cfg.get("USER") or "postgres",
        "dbname": cfg["NAME"],
    }
    if cfg.get("PASSWORD"):
        parts["password"] = cfg["PASSWORD"]
    return " ".join(f"{k}={v}" for k, v in parts.items())


def timed(label: str, fn: Callable[[], object], runs: int) -> dict:
    fn()  # warm caches and connections
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * len(samples)) - 1)]
    result = {"label": label, "p50_ms": statistics.median(samples), "p95_ms": p95, "runs": runs}
    p50 = result["p50_ms"]
    print(f"{label:<48} p50 {p50:8.1f} ms   p95 {p95:8.1f} ms   ({runs} runs)")
    return result


def attach(keep: bool) -> Callable[[], None]:
    """Point Django at the existing `casemgmt_bench` (left by a --keep run), data as it is.

    Nothing is reset; migrations added since are applied. The clean-up drops the
    database unless `keep`.
    """
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casemgmt.settings.dev")
    import environ

    environ.Env.read_env(str(ROOT / "var" / "services.env"), overwrite=False)
    url = os.environ["DATABASE_URL"]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    os.environ["DATABASE_URL"] = url.rsplit("/", 1)[0] + f"/{BENCH_DB}"
    os.environ["DEBUG"] = "false"

    import psycopg

    with psycopg.connect(_dsn(admin_url), autocommit=True) as c:
        found = c.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DB]).fetchone()
    if not found:
        raise SystemExit(f"no {BENCH_DB} database to reuse: run once with --keep first")

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", verbosity=1)  # the code may have moved on since the --keep run

    def cleanup() -> None:
        from django.db import connections

        connections.close_all()
        if keep:
            print(f"kept database {BENCH_DB}")
            return
        with psycopg.connect(_dsn(admin_url), autocommit=True) as c:
            c.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")

    return cleanup
