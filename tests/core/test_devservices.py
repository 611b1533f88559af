"""casemgmt.devservices: embedded PostgreSQL and Redis in a throw-away var dir.

These tests start real servers of their own (on free ports, never the developer's
var/) and do not use Django's test database.
"""

from __future__ import annotations

import os

import psycopg
import pytest
import redis

from casemgmt import devservices


@pytest.fixture
def var_dir(tmp_path, monkeypatch):
    """A fresh var dir with both services managed; whatever started there is stopped."""
    # The settings copy var/services.env into os.environ; these tests manage their own.
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.delenv(devservices.VAR_DIR_ENV, raising=False)
    path = tmp_path / "var"
    yield path
    devservices.stop(path)  # also when the test failed half-way


def _row_count(database_url: str) -> int:
    with psycopg.connect(database_url, connect_timeout=5) as conn:
        return conn.execute("SELECT count(*) FROM hearing_slot").fetchone()[0]


def test_start_persist_stop_restart(var_dir):
    urls = devservices.start(var_dir)

    assert set(urls) == {"DATABASE_URL", "REDIS_URL"}
    assert urls["DATABASE_URL"].startswith("postgres://postgres@127.0.0.1:")
    assert urls["DATABASE_URL"].endswith("/casemgmt")
    env_lines = (var_dir / "services.env").read_text().splitlines()
    assert f"DATABASE_URL={urls['DATABASE_URL']}" in env_lines
    assert f"REDIS_URL={urls['REDIS_URL']}" in env_lines
    assert devservices.status(var_dir) is True

    with psycopg.connect(urls["DATABASE_URL"], autocommit=True, connect_timeout=5) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        # btree_gist: an exclusion constraint mixing = and && (calendar conflicts).
        conn.execute(
            "CREATE TABLE hearing_slot (room int, during tstzrange,"
            " EXCLUDE USING gist (room WITH =, during WITH &&))"
        )
        conn.execute(
            "INSERT INTO hearing_slot"
            " VALUES (1, tstzrange('2025-03-03 09:00+00', '2025-03-03 10:00+00'))"
        )
        with pytest.raises(psycopg.errors.ExclusionViolation):
            conn.execute(
                "INSERT INTO hearing_slot"
                " VALUES (1, tstzrange('2025-03-03 09:30+00', '2025-03-03 10:30+00'))"
            )
        # pg_trgm: fuzzy matching of party names.
        assert conn.execute("SELECT similarity('Smith', 'Smyth')").fetchone()[0] > 0.2

    client = redis.Redis.from_url(urls["REDIS_URL"])
    client.set("casemgmt:devservices-test", "kept")
    client.close()

    # A second start finds everything running and changes nothing.
    assert devservices.start(var_dir) == urls

    devservices.stop(var_dir)
    assert devservices.status(var_dir) is False
    devservices.stop(var_dir)  # nothing runs: a no-op

    # Leftovers of a crash or reboot: pid files whose pid is now some other program.
    (var_dir / "redis" / "redis.pid").write_text(f"{os.getpid()}\n")
    (var_dir / "postgres" / "data" / "postmaster.pid").write_text(
        f"{os.getpid()}\n{var_dir / 'postgres' / 'data'}\n0\n1\n\n127.0.0.1\n0 0\nready\n"
    )

    again = devservices.start(var_dir)
    assert devservices.status(var_dir) is True
    assert _row_count(again["DATABASE_URL"]) == 1
    client = redis.Redis.from_url(again["REDIS_URL"])
    try:
        assert client.get("casemgmt:devservices-test") == b"kept"
    finally:
        client.close()


def test_services_set_in_the_environment_are_left_alone(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://postgres@db.invalid:5432/casemgmt")
    monkeypatch.setenv("REDIS_URL", "redis://cache.invalid:6379/0")
    var_dir = tmp_path / "var"

    assert devservices.start(var_dir) == {}

    env_text = (var_dir / "services.env").read_text()
    assert "DATABASE_URL=" not in env_text
    assert "REDIS_URL=" not in env_text
    assert not (var_dir / "postgres").exists()
    assert not (var_dir / "redis").exists()
    assert devservices.status(var_dir) is True  # nothing managed, nothing missing
    devservices.stop(var_dir)
