"""Fixtures shared by every test: courts and users, a real Celery worker, the browser."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from casemgmt.core.roles import Role
from tests.core.factories import PASSWORD, CourtFactory, UserFactory

# Playwright's sync API runs an event loop in this thread; the ORM calls made by
# fixtures alongside it are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def court_a(db):
    return CourtFactory(code="alpha", name="Alpha County Court")


@pytest.fixture
def court_b(db):
    return CourtFactory(
        code="bravo",
        name="Bravo District Court",
        time_zone="America/Denver",
        holiday_subdivision="CO",
    )


@pytest.fixture
def make_user(db):
    def make(role: str = Role.CLERK, courts=(), **kwargs):
        return UserFactory(role=role, courts=list(courts), **kwargs)

    return make


@pytest.fixture
def clerk(make_user, court_a):
    return make_user(Role.CLERK, [court_a], username="clerk_a")


@pytest.fixture
def supervisor(make_user, court_a):
    return make_user(Role.SUPERVISOR, [court_a], username="supervisor_a")


@pytest.fixture
def supervisor_b(make_user, court_b):
    return make_user(Role.SUPERVISOR, [court_b], username="supervisor_b")


@pytest.fixture
def attorney(make_user, court_a):
    return make_user(Role.ATTORNEY, [court_a], username="attorney_a")


@pytest.fixture
def password():
    return PASSWORD


# --- a real SMTP server (aiosmtpd) for the whole run ---------------------------------


class SmtpSink:
    """aiosmtpd handler keeping every message (email.message.EmailMessage, with an
    X-Envelope-To header); `refuse` holds replies for the next DATA commands instead."""

    def __init__(self, host: str, port: int):
        import threading

        self.host, self.port = host, port
        self.messages: list = []
        self.refuse: list[str] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        import email
        from email.policy import default

        with self._lock:
            if self.refuse:
                return self.refuse.pop(0)
            message = email.message_from_bytes(envelope.content, policy=default)
            message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
            self.messages.append(message)
        return "250 OK"

    def to(self, address: str) -> list:
        with self._lock:
            return [m for m in self.messages if address in m["X-Envelope-To"]]


@pytest.fixture(scope="session")
def smtp_server():
    """A real SMTP server on a free local port; the Celery worker below sends its mail here."""
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sink = SmtpSink("127.0.0.1", port)
    controller = Controller(sink, hostname=sink.host, port=sink.port)
    controller.start()
    yield sink
    controller.stop()


# --- a real Celery worker, in its own process, on the test Redis broker -------------


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker, smtp_server):
    """Start `celery worker` against the test broker and test database; stop it at the end."""
    from django.conf import settings
    from django.db import connection

    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "casemgmt.settings.test",
        "DATABASE_URL": (
            f"postgres://{db['USER']}:{db.get('PASSWORD') or ''}@{db['HOST'] or 'localhost'}:"
            f"{db['PORT'] or 5432}/{connection.settings_dict['NAME']}"
        ),
        "TEST_REDIS_URL": settings.REDIS_URL,
        # casemgmt.settings.test: the worker's mail goes to the suite's SMTP server.
        "TEST_EMAIL_URL": f"smtp://{smtp_server.host}:{smtp_server.port}",
    }
    # var/ is made by `make test` (its services); a bare `pytest` may come first.
    (ROOT / "var").mkdir(exist_ok=True)
    log = open(ROOT / "var" / "test-celery-worker.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "casemgmt",
            "worker",
            "--pool",
            "solo",
            "--loglevel",
            "INFO",
            "--hostname",
            f"test-{os.getpid()}@%h",
            "--without-mingle",
            "--without-gossip",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    from casemgmt.celery import app

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"celery worker exited early; see {log.name}")
        if app.control.ping(timeout=0.5, limit=1):
            break
    else:
        proc.terminate()
        pytest.fail(f"celery worker did not answer within 60 s; see {log.name}")
    yield proc
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


# --- the browser: Debian's chromium driven by Playwright ------------------------------

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make test` (it installs Debian's chromium).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def login(page, password):
    """Sign `user` in through the login form, as a person would."""

    def do_login(user):
        page.goto("/login/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        return page

    return do_login


@pytest.fixture
def axe_check():
    """Run axe-core on the page; fail on any serious or critical violation."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def check(page):
        results = axe.run(page)
        bad = [
            v for v in results.response["violations"] if v.get("impact") in {"serious", "critical"}
        ]
        summary = "\n".join(
            f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in bad
        )
        assert not bad, f"axe found serious/critical violations on {page.url}:\n{summary}"
        return results

    return check


@pytest.fixture(autouse=True)
def celery_tasks_run_here(request):
    """Tasks enqueued by a test (e.g. on commit) run in-process, never on the shared broker
    where the session's real worker (started by the worker tests) would run them against
    the test database while it is flushed; except in the tests of that worker and those
    marked `broker` (they look at what was enqueued)."""
    if "celery_worker_process" in request.fixturenames or request.node.get_closest_marker("broker"):
        yield
        return
    from tests.filings.test_notices_support import celery_eager

    with celery_eager():
        yield
