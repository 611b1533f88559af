"""Production settings: no default secrets, refuse weak ones, pass `check --deploy`."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _run(*args, **env):
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "casemgmt.settings.production", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "key",
    [
        "",
        "short",
        "django-insecure-" + "x" * 60,
        "dev-only-insecure-key-do-not-use-in-production-0123456789",
        "a" * 80,
    ],
)
def test_production_refuses_a_missing_or_weak_secret(key):
    env = {"ALLOWED_HOSTS": "court.example"}
    if key:
        env["SECRET_KEY"] = key

    result = _run("check", **env)

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_passes_the_deploy_check_with_a_strong_secret():
    result = _run(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="court.example",
    )

    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_every_beat_entry_names_a_registered_task():
    from django.conf import settings

    from casemgmt.celery import app

    app.loader.import_default_modules()
    missing = [
        entry["task"]
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] not in app.tasks
    ]
    assert settings.CELERY_BEAT_SCHEDULE
    assert missing == []
