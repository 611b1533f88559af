"""Helpers shared by the notice tests (no tests here): a case with parties in two
languages, a real SMTP server (aiosmtpd), Celery run eagerly, text of a PDF."""

from __future__ import annotations

import datetime as dt
import email
import io
import socket
import threading
from contextlib import contextmanager
from email.message import EmailMessage
from email.policy import default as default_policy

from aiosmtpd.controller import Controller

from cases.models import CaseCategory, CaseParty
from cases.services import PartyInput
from filings.notices import notice_templates_install_defaults
from tests.cases.factories import CaseTypeFactory, charge, open_case

HEARING_CONTEXT = {
    "hearing_type": {"en": "Arraignment", "es": "Lectura de cargos"},
    "hearing_date": dt.date(2026, 3, 2),
    "hearing_time": dt.time(9, 30),
    "courtroom": "Courtroom 6A",
    "judge_name": "Eleanor Whitfield",
}


def case_with_parties(court, clerk, *, victim_email="ann.smith@example.com"):
    """A criminal case: a Spanish-speaking defendant, an English-speaking victim (with
    e-mail addresses), and the State (no e-mail)."""
    notice_templates_install_defaults(court=court)
    case_type = CaseTypeFactory(court=court, code="CR", category=CaseCategory.CRIMINAL)
    parties = [
        PartyInput(
            role="defendant",
            first_name="Luis",
            last_name="Ortega",
            date_of_birth=dt.date(1988, 4, 9),
            address_line1="12 Orange Ave",
            city="Sarasota",
            state="FL",
            postal_code="34236",
            email="luis.ortega@example.com",
            preferred_language="es",
        ),
        PartyInput(
            role="victim",
            first_name="Ann",
            last_name="Smith",
            address_line1="400 Palm Way",
            city="Sarasota",
            state="FL",
            postal_code="34231",
            email=victim_email,
            preferred_language="en",
        ),
        PartyInput(
            role="prosecution",
            kind="organization",
            organization_name="State of Florida",
            is_government_agency=True,
        ),
    ]
    return open_case(case_type=case_type, opened_by=clerk, parties=parties, charges=[charge()])


def party(case, last_or_org: str) -> CaseParty:
    return CaseParty.objects.filter(case=case).filter(
        person__last_name=last_or_org
    ).first() or CaseParty.objects.get(case=case, person__organization_name=last_or_org)


def pdf_text(content: bytes, pages: range | None = None) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    chosen = reader.pages if pages is None else [reader.pages[i] for i in pages]
    return "\n".join(page.extract_text() for page in chosen)


def normalized(text: str) -> str:
    return " ".join(text.split())


# --- a real SMTP server ---------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpSink:
    """An aiosmtpd handler that keeps every message; `refuse` answers the next DATA
    commands with these replies instead (e.g. "451 4.3.0 Try again later")."""

    def __init__(self):
        self.messages: list[EmailMessage] = []
        self.refuse: list[str] = []
        self.lock = threading.Lock()
        self.host = "127.0.0.1"
        self.port = 0

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.refuse:
                return self.refuse.pop(0)
            message = email.message_from_bytes(envelope.content, policy=default_policy)
            message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
            self.messages.append(message)
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in m["X-Envelope-To"]]


@contextmanager
def smtp_server_running():
    sink = SmtpSink()
    sink.port = free_port()
    controller = Controller(sink, hostname=sink.host, port=sink.port)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()


def smtp_settings(settings, sink: SmtpSink) -> None:
    """Point Django's mail at `sink` (pytest-django `settings` fixture)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = sink.host
    settings.EMAIL_PORT = sink.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10


def pdf_attachments(message: EmailMessage) -> list[tuple[str, bytes]]:
    return [
        (part.get_filename(), part.get_content())
        for part in message.iter_attachments()
        if part.get_content_type() == "application/pdf"
    ]


@contextmanager
def celery_eager(*, propagate: bool = True):
    """Run tasks in-process when they are enqueued (restored afterwards).

    With `propagate`, a task's exception reaches the test; without, tasks behave as
    in a worker (a retry runs the task again, here at once, with retries + 1).
    """
    from casemgmt.celery import app

    before = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = propagate
    try:
        yield
    finally:
        app.conf.task_always_eager, app.conf.task_eager_propagates = before
