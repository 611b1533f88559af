"""Notices: templates, issue, render exactly once, delivery by e-mail, batches."""

from __future__ import annotations

import datetime as dt
import itertools
from functools import partial
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from casemgmt.core.errors import DomainError
from casemgmt.core.models import AuditEvent
from cases.models import CaseParty, DocketEntry, EventCode
from filings import tasks
from filings.models import Document, DocumentKind
from filings.models.notices import (
    DeliveryStatus,
    Notice,
    NoticeBatch,
    NoticeBatchStatus,
    NoticeKind,
    NoticeRecipient,
    NoticeStatus,
    NoticeTemplate,
)
from filings.notice_defaults import DEFAULT_TEMPLATES
from filings.notices import (
    format_date,
    format_time,
    notice_batch_create,
    notice_batch_issue,
    notice_issue,
    notice_render,
    notice_template_revise,
    notice_templates_install_defaults,
)
from filings.pdf import PdfRenderError
from tests.cases.factories import CaseTypeFactory, charge, defendant, open_case
from tests.filings.test_notices_support import (
    HEARING_CONTEXT,
    case_with_parties,
    celery_eager,
    normalized,
    party,
    pdf_attachments,
    pdf_text,
    smtp_server_running,
    smtp_settings,
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Documents go to a scratch directory, so what is left behind can be counted."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "media"},
        },
    }
    return tmp_path / "media"


def stored_files(media: Path) -> list[Path]:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


@pytest.fixture
def case(court_a, clerk):
    return case_with_parties(court_a, clerk)


@pytest.fixture
def smtp(settings):
    with smtp_server_running() as sink:
        smtp_settings(settings, sink)
        yield sink


def issue(case, clerk, **kwargs):
    kwargs.setdefault("kind", NoticeKind.HEARING_NOTICE)
    kwargs.setdefault("context", HEARING_CONTEXT)
    return notice_issue(case=case, issued_by=clerk, **kwargs)


def issue_and_run(case, clerk, capture, *, propagate=True, **kwargs):
    """Issue, commit, and let the enqueued tasks (render, then deliveries) run in-process."""
    with celery_eager(propagate=propagate), capture(execute=True):
        notice = issue(case, clerk, **kwargs)
    notice.refresh_from_db()
    return notice


# --- templates -----------------------------------------------------------------------------


def test_every_kind_has_default_wording_in_english_and_spanish(court_a):
    NoticeTemplate.objects.filter(court=court_a).delete()  # in case new courts get them

    added = notice_templates_install_defaults(court=court_a)

    assert added == len(NoticeKind.values) * 2
    pairs = set(NoticeTemplate.objects.filter(court=court_a).values_list("kind", "language"))
    assert pairs == {(k, lang) for k in NoticeKind.values for lang in ("en", "es")}
    assert set(DEFAULT_TEMPLATES) == pairs
    for template in NoticeTemplate.objects.filter(court=court_a):
        template.full_clean()  # every default names only what its kind provides
        assert template.version == 1 and template.is_active
    assert notice_templates_install_defaults(court=court_a) == 0  # idempotent


def test_demo_seeder_gives_the_demo_courts_their_wording(db):
    from filings.notices import seed_notice_templates
    from tests.core.factories import CourtFactory

    courts = [CourtFactory(code="sarasota"), CourtFactory(code="denver")]
    NoticeTemplate.objects.all().delete()
    lines: list[str] = []

    seed_notice_templates(log=lines.append)
    seed_notice_templates(log=lines.append)  # idempotent

    for court in courts:
        assert NoticeTemplate.objects.filter(court=court, is_active=True).count() == 14
    assert lines == ["notice templates denver: 14", "notice templates sarasota: 14"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("Your hearing is on {{ hearing_dat }}.", "Unknown names: hearing_dat"),
        ("{{ hearing_date|default:secret_key }}", "Unknown names: secret_key"),
        ("{% if settings.DEBUG %}x{% endif %}", "Unknown names: settings"),
        ("{% include 'base.html' %}", "Tag not allowed in a notice: {% include %}"),
        ("{% debug %}", "Tag not allowed in a notice: {% debug %}"),
        ("{% load static %}", "Template syntax"),
        ("{% for c in caption %}{{ c }}{% endfor %}", "Tag not allowed in a notice: {% for %}"),
        ('{{ caption|center:"999999999" }}', "Filters not allowed in a notice: center"),
        ("{{ hearing_date", "Template syntax"),
    ],
)
def test_template_names_only_what_its_kind_provides(court_a, body, message):
    template = NoticeTemplate(
        court=court_a, kind=NoticeKind.HEARING_NOTICE, language="en", subject="Notice", body=body
    )

    with pytest.raises(ValidationError) as refused:
        template.full_clean()

    assert message in " ".join(refused.value.message_dict["body"])


def test_template_may_use_conditions_and_defaults_over_its_fields(court_a):
    template = NoticeTemplate(
        court=court_a,
        kind=NoticeKind.HEARING_NOTICE,
        language="en",
        version=999,
        is_active=False,  # the court already has its default, active version
        subject="{{ hearing_type|upper }}",
        body="{% if judge_name %}Judge {{ judge_name }}{% else %}A judge{% endif %}"
        "{% with where=courtroom %} in {{ where|default:location }}{% endwith %}"
        "{% firstof location court_address %}{# a comment #}",
    )

    template.full_clean()


def test_a_used_template_cannot_change_a_revision_is_a_new_version(case, clerk):
    notice = issue(case, clerk)
    used = notice.template

    used.body = used.body + "\n\nChanged."
    with pytest.raises(ValidationError, match="new version"):
        used.save()

    revised = notice_template_revise(
        court=case.court,
        kind=used.kind,
        language=used.language,
        subject=used.subject,
        body="Revised wording for {{ hearing_type }}.",
        revised_by=clerk,
    )
    used.refresh_from_db()
    assert (revised.version, revised.is_active) == (2, True)
    assert used.is_active is False and "Changed." not in used.body
    assert Notice.objects.get(pk=notice.pk).template_id == used.pk  # pinned to what it used
    assert AuditEvent.objects.filter(action="notice_template.revise", object_id=str(revised.pk))
    assert issue(case, clerk).template_id == revised.pk


# --- issue ------------------------------------------------------------------------------------


def test_notice_issue_records_recipients_audit_and_enqueues_render_on_commit(
    case, clerk, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notice = issue(case, clerk)

    assert notice.status == NoticeStatus.PENDING
    assert notice.context == {
        "hearing_type": {"en": "Arraignment", "es": "Lectura de cargos"},
        "hearing_date": "2026-03-02",
        "hearing_time": "09:30",
        "courtroom": "Courtroom 6A",
        "judge_name": "Eleanor Whitfield",
    }
    rows = {
        r.name: (r.language, r.template.language, r.email, r.delivery_status)
        for r in notice.recipients.select_related("template")
    }
    assert rows == {
        "Luis Ortega": ("es", "es", "luis.ortega@example.com", DeliveryStatus.PENDING),
        "Ann Smith": ("en", "en", "ann.smith@example.com", DeliveryStatus.PENDING),
        "State of Florida": ("en", "en", "", DeliveryStatus.NO_ADDRESS),
    }
    assert notice.recipients.get(name="Ann Smith").mailing_address == (
        "400 Palm Way\nSarasota, FL 34231"
    )
    audit = AuditEvent.objects.get(action="notice.issue", object_id=str(notice.pk))
    assert audit.actor == clerk and audit.case_number == case.number
    assert audit.details["recipients"] == 3 and audit.details["languages"] == ["en", "es"]
    assert len(callbacks) == 1
    assert isinstance(callbacks[0], partial)
    assert callbacks[0].func == tasks.notice_render.delay and callbacks[0].args == (notice.pk,)


def test_recipients_can_be_chosen_and_fall_back_to_english(case, clerk):
    luis = party(case, "Ortega")
    luis.person.preferred_language = "vi"  # the court has no Vietnamese template
    luis.person.save()
    ann = party(case, "Smith")
    ann.person.preferred_language = "es-US"
    ann.person.save()

    notice = issue(case, clerk, recipients=[luis, ann])

    assert [(r.name, r.language) for r in notice.recipients.order_by("position")] == [
        ("Luis Ortega", "en"),
        ("Ann Smith", "es"),
    ]


def _other_case(court_a, clerk):
    case_type = CaseTypeFactory(court=court_a, code="MM")
    return open_case(case_type=case_type, opened_by=clerk, parties=[defendant("Roe")])


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (lambda c: {"kind": "subpoena"}, "NOTICE_KIND_UNKNOWN"),
        (lambda c: {"context": {**HEARING_CONTEXT, "fee": "10"}}, "NOTICE_CONTEXT_UNKNOWN"),
        (
            lambda c: {"context": {k: v for k, v in HEARING_CONTEXT.items() if k != "courtroom"}},
            "NOTICE_CONTEXT_MISSING",
        ),
        (
            lambda c: {"context": {**HEARING_CONTEXT, "hearing_date": "2026-02-30"}},
            "NOTICE_CONTEXT_INVALID",
        ),
        (
            lambda c: {"context": {**HEARING_CONTEXT, "hearing_type": {"es": "Solo"}}},
            "NOTICE_CONTEXT_INVALID",
        ),
        (lambda c: {"recipients": []}, "NOTICE_NO_RECIPIENTS"),
        (
            lambda c: {"recipients": list(CaseParty.objects.exclude(case=c)[:1])},
            "NOTICE_RECIPIENT_NOT_PARTY",
        ),
    ],
)
def test_refused_notice_writes_nothing(
    case, clerk, court_a, change, code, django_capture_on_commit_callbacks
):
    _other_case(court_a, clerk)

    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(DomainError) as refused:
        issue(case, clerk, **change(case))

    assert refused.value.code == code
    assert not Notice.objects.exists() and not NoticeRecipient.objects.exists()
    assert not AuditEvent.objects.filter(action="notice.issue").exists()
    assert callbacks == []


def test_removed_party_gets_no_copy_and_no_party_left_is_refused(case, clerk):
    CaseParty.objects.filter(case=case).update(removed_on=dt.date(2026, 1, 5))

    with pytest.raises(DomainError) as refused:
        issue(case, clerk)

    assert refused.value.code == "NOTICE_NO_RECIPIENTS"
    assert not Notice.objects.exists()


def test_court_without_the_template_or_event_code_is_refused(case, clerk):
    NoticeTemplate.objects.filter(court=case.court, kind=NoticeKind.SUMMONS).delete()
    with pytest.raises(DomainError) as refused:
        issue(case, clerk, kind=NoticeKind.SUMMONS, context={"response_days": 20})
    assert refused.value.code == "NOTICE_TEMPLATE_MISSING"

    EventCode.objects.filter(court=case.court, code="NOTC").update(is_active=False)
    with pytest.raises(DomainError) as refused:
        issue(case, clerk)
    assert refused.value.code == "NOTICE_EVENT_CODE_MISSING"
    assert not Notice.objects.exists()


# --- render exactly once, in each recipient's language ------------------------------------


def test_notice_render_twice_makes_one_pdf_one_docket_entry_one_email_each(
    case, clerk, smtp, django_capture_on_commit_callbacks
):
    notice = issue_and_run(case, clerk, django_capture_on_commit_callbacks)
    assert notice.status == NoticeStatus.RENDERED

    # Delivered again (a redelivered task, a retry after a lost ack): nothing more happens.
    with celery_eager(), django_capture_on_commit_callbacks(execute=True) as again:
        notice_render(notice_id=notice.pk)
        tasks.notice_render.apply(args=[notice.pk])
    assert again == []

    issued = Document.objects.filter(case=case, kind=DocumentKind.ISSUED)
    assert issued.count() == 1
    assert notice.document == issued.get()
    entries = DocketEntry.objects.filter(case=case, event_code="NOTC")
    assert list(entries) == [notice.docket_entry]
    assert notice.docket_entry.text == (
        "Notice of hearing issued to Luis Ortega (defendant); State of Florida (prosecution); "
        "Ann Smith (victim)."
    )
    assert notice.docket_entry.object_id == str(notice.pk)
    assert len(smtp.to("luis.ortega@example.com")) == 1
    assert len(smtp.to("ann.smith@example.com")) == 1
    assert len(smtp.messages) == 2  # the State has no address
    statuses = dict(notice.recipients.values_list("name", "delivery_status"))
    assert statuses == {
        "Luis Ortega": DeliveryStatus.SENT,
        "Ann Smith": DeliveryStatus.SENT,
        "State of Florida": DeliveryStatus.NO_ADDRESS,
    }
    assert AuditEvent.objects.filter(action="notice.render", object_id=str(notice.pk)).count() == 1
    assert AuditEvent.objects.filter(action="notice.deliver").count() == 2


def test_spanish_speaking_party_gets_the_spanish_template(
    case, clerk, smtp, django_capture_on_commit_callbacks
):
    notice = issue_and_run(case, clerk, django_capture_on_commit_callbacks)

    with notice.document.file.open("rb") as fh:
        content = fh.read()
    luis = notice.recipients.get(name="Luis Ortega")
    ann = notice.recipients.get(name="Ann Smith")
    spanish = normalized(pdf_text(content, range(luis.first_page - 1, luis.first_page)))
    english = normalized(pdf_text(content, range(ann.first_page - 1, ann.first_page)))

    assert "AVISO DE AUDIENCIA — LECTURA DE CARGOS" in spanish
    assert "POR MEDIO DE LA PRESENTE SE LE NOTIFICA" in spanish
    assert "Fecha: lunes, 2 de marzo de 2026" in spanish
    assert "Hora: 9:30 a. m." in spanish
    assert "Caso n.º" in spanish and case.number in spanish
    assert "Acusado(a)" in spanish
    assert f"Página 1 de {luis.page_count}" in spanish
    assert "NOTICE OF HEARING — ARRAIGNMENT" in english
    assert "Date: Monday, March 2, 2026" in english
    assert "Time: 9:30 a.m." in english
    assert "Aviso de audiencia" not in english.lower().title() and "POR MEDIO" not in english
    assert f"Page 1 of {ann.page_count}" in english
    assert notice.document.confidentiality == "confidential"  # copies show addresses


def test_each_email_carries_only_its_recipients_copy(
    case, clerk, smtp, django_capture_on_commit_callbacks
):
    notice = issue_and_run(case, clerk, django_capture_on_commit_callbacks)

    (to_luis,) = smtp.to("luis.ortega@example.com")
    assert str(to_luis["Subject"]).strip().startswith("Aviso de audiencia — Lectura de cargos")
    assert to_luis["Content-Language"] == "es"
    assert "El aviso se adjunta como documento PDF." in to_luis.get_body().get_content()
    ((filename, attached),) = pdf_attachments(to_luis)
    assert filename.endswith("-hearing_notice-es.pdf")
    text = normalized(pdf_text(attached))
    assert "Luis Ortega" in text and "12 Orange Ave" in text
    # Another party's name and address (here the victim's) never reach the defendant.
    assert "400 Palm Way" not in text and "Ann Smith" not in text
    luis = notice.recipients.get(name="Luis Ortega")
    assert luis.attempts == 1 and luis.sent_at is not None


def test_render_that_fails_marks_the_notice_failed_and_leaves_nothing(
    case, clerk, media, monkeypatch, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        notice = issue(case, clerk)

    def broken(*args, **kwargs):
        raise PdfRenderError("OSError: no font")

    monkeypatch.setattr("filings.notices.html_to_pdf", broken)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notice = notice_render(notice_id=notice.pk)

    assert notice.status == NoticeStatus.FAILED
    assert notice.error == "PdfRenderError: OSError: no font"
    assert notice.document is None and notice.docket_entry is None
    assert not Document.objects.exists() and not stored_files(media)
    assert not DocketEntry.objects.filter(event_code="NOTC").exists()
    assert callbacks == []  # no e-mail
    assert AuditEvent.objects.filter(action="notice.render_failed").count() == 1
    assert notice_render(notice_id=notice.pk).status == NoticeStatus.FAILED  # stays failed


def test_failure_after_the_pdf_was_stored_leaves_no_file(
    case, clerk, media, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        notice = issue(case, clerk)
    # The event code is withdrawn between issue and render: docketing refuses.
    EventCode.objects.filter(court=case.court, code="NOTC").update(is_active=False)

    notice = notice_render(notice_id=notice.pk)

    assert notice.status == NoticeStatus.FAILED
    assert notice.error.startswith("UNKNOWN_EVENT_CODE")
    assert not Document.objects.exists()
    assert not stored_files(media)


def test_order_is_docketed_as_an_order(case, clerk, smtp, django_capture_on_commit_callbacks):
    notice = issue_and_run(
        case,
        clerk,
        django_capture_on_commit_callbacks,
        kind=NoticeKind.ORDER,
        context={
            "order_title": "Order Continuing Trial",
            "order_text": "The trial set for March 2, 2026 is continued.\n\nNo further "
            "continuances will be granted absent extraordinary circumstances.",
            "judge_name": "Eleanor Whitfield",
            "ordered_on": "2026-02-20",
        },
    )

    assert notice.docket_entry.event_code == "ORDR"
    with notice.document.file.open("rb") as fh:
        text = normalized(pdf_text(fh.read()))
    assert "ORDER CONTINUING TRIAL" in text
    assert "DADO Y ORDENADO en el tribunal" in text and "20 de febrero de 2026" in text
    assert "DONE AND ORDERED at the" in text and "February 20, 2026" in text


# --- delivery: transient errors retried with a bound, permanent ones not -------------------


def test_transient_smtp_error_is_retried_then_sent(
    case, clerk, smtp, django_capture_on_commit_callbacks
):
    smtp.refuse = ["451 4.3.0 Try again later"]

    notice = issue_and_run(
        case,
        clerk,
        django_capture_on_commit_callbacks,
        propagate=False,
        recipients=[party(case, "Smith")],
    )

    ann = notice.recipients.get()
    assert (ann.delivery_status, ann.attempts) == (DeliveryStatus.SENT, 2)
    assert len(smtp.messages) == 1


def test_permanent_smtp_error_is_not_retried(case, clerk, smtp, django_capture_on_commit_callbacks):
    smtp.refuse = ["554 5.7.1 Message rejected"]

    notice = issue_and_run(
        case,
        clerk,
        django_capture_on_commit_callbacks,
        propagate=False,
        recipients=[party(case, "Smith")],
    )

    ann = notice.recipients.get()
    assert (ann.delivery_status, ann.attempts) == (DeliveryStatus.FAILED, 1)
    assert "554" in ann.error
    assert smtp.messages == []


def test_transient_errors_give_up_after_the_last_retry(
    case, clerk, smtp, django_capture_on_commit_callbacks
):
    smtp.refuse = ["421 4.7.0 Too busy"] * (tasks.DELIVERY_MAX_RETRIES + 1)

    notice = issue_and_run(
        case,
        clerk,
        django_capture_on_commit_callbacks,
        propagate=False,
        recipients=[party(case, "Smith")],
    )

    ann = notice.recipients.get()
    assert ann.delivery_status == DeliveryStatus.FAILED
    assert ann.attempts == tasks.DELIVERY_MAX_RETRIES + 1
    assert ann.error.startswith(f"gave up after {tasks.DELIVERY_MAX_RETRIES + 1} attempts")


def test_delivery_backoff_grows_and_is_capped():
    waits = [tasks.delivery_backoff(n) for n in range(8)]

    assert 48 <= waits[0] <= 72
    assert all(b > a for a, b in itertools.pairwise(waits[:6]))
    assert max(waits) <= 3600 * 1.2


# --- formatting ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "weekday", "expected"),
    [
        ("en", False, "March 2, 2026"),
        ("en", True, "Monday, March 2, 2026"),
        ("es", False, "2 de marzo de 2026"),
        ("es", True, "lunes, 2 de marzo de 2026"),
    ],
)
def test_dates_in_the_recipients_language(language, weekday, expected):
    assert format_date(dt.date(2026, 3, 2), language, weekday=weekday) == expected


@pytest.mark.parametrize(
    ("value", "language", "expected"),
    [
        (dt.time(9, 30), "en", "9:30 a.m."),
        (dt.time(12, 0), "en", "12:00 p.m."),
        (dt.time(13, 5), "es", "1:05 p. m."),
        (dt.time(0, 15), "es", "12:15 a. m."),
    ],
)
def test_times_in_the_recipients_language(value, language, expected):
    assert format_time(value, language) == expected


# --- batches ---------------------------------------------------------------------------------


@pytest.fixture
def three_cases(case, court_a, clerk):
    second = case_with_parties(court_a, clerk)
    third = _other_case(court_a, clerk)
    CaseParty.objects.filter(case=third).update(removed_on=dt.date(2026, 1, 5))  # nobody left
    return [case, second, third]


def test_batch_issues_each_case_counts_refusals_and_runs_once(
    three_cases, clerk, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        batch = notice_batch_create(
            court=three_cases[0].court,
            kind=NoticeKind.HEARING_NOTICE,
            case_ids=[c.pk for c in three_cases] + [three_cases[0].pk],  # a repeat
            context=HEARING_CONTEXT,
            created_by=clerk,
        )
    assert (batch.total, batch.status) == (3, NoticeBatchStatus.PENDING)
    assert callbacks[0].func == tasks.notice_batch_issue_task.delay
    assert AuditEvent.objects.filter(action="notice_batch.create").count() == 1

    with django_capture_on_commit_callbacks(execute=False) as renders:
        batch = notice_batch_issue(batch_id=batch.pk)
        again = notice_batch_issue(batch_id=batch.pk)  # delivered twice

    assert (batch.done, batch.failed, batch.status) == (2, 1, NoticeBatchStatus.FINISHED)
    assert again.done == 2 and Notice.objects.filter(batch=batch).count() == 2
    assert batch.errors == [
        {
            "case_id": three_cases[2].pk,
            "case_number": three_cases[2].number,
            "code": "NOTICE_NO_RECIPIENTS",
            "message": "The notice has nobody to go to.",
        }
    ]
    assert [c.func for c in renders] == [tasks.notice_render.delay] * 2
    assert batch.percent == 100 and batch.finished_at is not None


def test_batch_resumes_where_it_stopped(three_cases, clerk, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        batch = notice_batch_create(
            court=three_cases[0].court,
            kind=NoticeKind.HEARING_NOTICE,
            case_ids=[c.pk for c in three_cases],
            context=HEARING_CONTEXT,
            created_by=clerk,
        )
        notice_issue(  # the first case was issued before the worker died
            case=three_cases[0],
            kind=batch.kind,
            context=batch.context,
            issued_by=clerk,
            batch=batch,
        )
        NoticeBatch.objects.filter(pk=batch.pk).update(done=1, status=NoticeBatchStatus.RUNNING)

        batch = notice_batch_issue(batch_id=batch.pk)

    assert (batch.done, batch.failed) == (2, 1)
    assert Notice.objects.filter(batch=batch, case=three_cases[0]).count() == 1


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"case_ids": []}, "NOTICE_BATCH_EMPTY"),
        ({"kind": "subpoena"}, "NOTICE_KIND_UNKNOWN"),
        ({"context": {}}, "NOTICE_CONTEXT_MISSING"),
    ],
)
def test_refused_batch_writes_nothing(case, clerk, change, code):
    args = {
        "court": case.court,
        "kind": NoticeKind.HEARING_NOTICE,
        "case_ids": [case.pk],
        "context": HEARING_CONTEXT,
        "created_by": clerk,
        **change,
    }

    with pytest.raises(DomainError) as refused:
        notice_batch_create(**args)

    assert refused.value.code == code
    assert not NoticeBatch.objects.exists()


def test_batch_refuses_cases_of_another_court(case, clerk, court_b, make_user):
    clerk_b = make_user(courts=[court_b], username="clerk_b")
    other = open_case(
        case_type=CaseTypeFactory(court=court_b, code="CR"),
        opened_by=clerk_b,
        parties=[defendant()],
        charges=[charge()],
    )

    with pytest.raises(DomainError) as refused:
        notice_batch_create(
            court=case.court,
            kind=NoticeKind.HEARING_NOTICE,
            case_ids=[case.pk, other.pk],
            context=HEARING_CONTEXT,
            created_by=clerk,
        )

    assert refused.value.code == "NOTICE_BATCH_OTHER_COURT"
