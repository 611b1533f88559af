"""Benchmark: notices rendered per second per worker process, beside bare WeasyPrint.

Target (issue): our pipeline keeps at least 80% of the bare WeasyPrint rate on the
same HTML.

Builds a scratch database (`casemgmt_bench_notices`), opens N criminal cases (a
defendant, ~30% of them Spanish-speaking, with an e-mail address; the State,
without) and issues a notice of hearing on each (rendering not queued). Then, for
each notice in turn, in one process:

* bare: WeasyPrint alone makes the same PDF from the same HTML (each recipient's
  copy laid out, the pages written as one PDF), the HTML computed beforehand;
* pipeline: `filings.notices.notice_render` — lock, template rendering in each
  recipient's language, WeasyPrint, the Document (checked with pypdf, stored,
  audited), the NOTC docket entry (numbered, audited), the recipients' pages,
  commit.

Bare and pipeline alternate notice by notice, so a change in the machine's load
hits both. The e-mails the renders queue are then sent (`notice_recipient_deliver`:
the recipient's pages cut from the PDF, the message, Django's locmem backend) and
timed apart: in a worker they are separate tasks.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time

import _setup
from _setup import configure

_setup.BENCH_DB = "casemgmt_bench_notices"  # its own scratch database

TARGET_RATIO = 0.80


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--notices", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args()
    cleanup = configure(args.keep)
    try:
        run(args.notices, seed=args.seed)
    finally:
        cleanup()


def _setup_data(n: int, seed: int):
    import datetime as dt

    from casemgmt.core.models import Court, User
    from casemgmt.core.roles import Role
    from cases.models import CaseCategory, CaseType
    from cases.services import ChargeInput, IntakeInput, PartyInput, case_open
    from filings import tasks
    from filings.models.notices import NoticeKind
    from filings.notices import notice_issue, notice_templates_install_defaults

    rng = random.Random(seed)
    court = Court.objects.create(
        code="bench",
        name="Twelfth Judicial Circuit — Sarasota County",
        address="2000 Main Street\nSarasota, FL 34237",
        phone="(941) 555-0100",
    )
    notice_templates_install_defaults(court=court)
    clerk = User.objects.create_user("bench-clerk", role=Role.CLERK)
    case_type = CaseType.objects.create(
        court=court, code="CR", name="Criminal", category=CaseCategory.CRIMINAL
    )
    first = ["Luis", "Ana", "James", "Maria", "Robert", "Sofia", "David", "Keisha"]
    last = ["Ortega", "Smith", "Nguyen", "Garcia", "Johnson", "Delgado", "Brown", "Okafor"]
    today = dt.date.today()
    notices = []
    original_delay = tasks.notice_render.delay
    tasks.notice_render.delay = lambda *a, **k: None  # issue only; rendering is timed below
    try:
        for i in range(n):
            spanish = rng.random() < 0.3
            name = (rng.choice(first), rng.choice(last))
            case = case_open(
                data=IntakeInput(
                    court=court,
                    case_type=case_type,
                    parties=[
                        PartyInput(
                            role="defendant",
                            first_name=name[0],
                            last_name=name[1],
                            address_line1=f"{100 + i} Orange Ave",
                            city="Sarasota",
                            state="FL",
                            postal_code="34236",
                            email=f"party{i}@example.com",
                            preferred_language="es" if spanish else "en",
                        ),
                        PartyInput(
                            role="prosecution",
                            kind="organization",
                            organization_name="State of Florida",
                            is_government_agency=True,
                        ),
                    ],
                    charges=[
                        ChargeInput(
                            "812.014(2)(c)", "Grand theft", "felony_3", today - dt.timedelta(9)
                        )
                    ],
                    filed_on=today,
                ),
                opened_by=clerk,
            )
            notice = notice_issue(
                case=case,
                kind=NoticeKind.HEARING_NOTICE,
                context={
                    "hearing_type": {"en": "Arraignment", "es": "Lectura de cargos"},
                    "hearing_date": today + dt.timedelta(days=14),
                    "hearing_time": dt.time(9, 30),
                    "courtroom": f"Courtroom {rng.randint(1, 9)}A",
                    "judge_name": "Eleanor Whitfield",
                },
                issued_by=clerk,
            )
            notices.append(notice.pk)
    finally:
        tasks.notice_render.delay = original_delay
    return notices


def _copies_html(notice_id: int) -> list[str]:
    from filings.models.notices import Notice
    from filings.notices import notice_copy_render

    notice = Notice.objects.select_related("case__court", "case__case_type").get(pk=notice_id)
    recipients = notice.recipients.select_related("template").order_by("position")
    cache: dict = {}
    return [notice_copy_render(notice, r, cache=cache)[2] for r in recipients]


def _bare(parts: list[str]) -> bytes:
    """WeasyPrint alone: the same PDF from the same HTML (as filings.pdf does it)."""
    from weasyprint import HTML

    documents = [HTML(string=part).render() for part in parts]
    return documents[0].copy([p for d in documents for p in d.pages]).write_pdf()


def run(n: int, *, seed: int = 2026) -> dict:
    from django.test.utils import override_settings

    from filings import tasks
    from filings.notices import notice_recipient_deliver, notice_render

    media = tempfile.mkdtemp(prefix="casemgmt-bench-media-")
    storages = {
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": media},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(
        STORAGES=storages, EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"
    ):
        t0 = time.perf_counter()
        notice_ids = _setup_data(n, seed)
        print(f"\n{n} cases and notices issued in {time.perf_counter() - t0:.1f} s")
        html = {pk: _copies_html(pk) for pk in notice_ids}
        copies = sum(len(h) for h in html.values())
        print(f"{copies} copies ({copies / n:.2f} per notice); load average {_load()}")

        queued: list[int] = []
        original_delay = tasks.notice_deliver.delay
        tasks.notice_deliver.delay = queued.append
        try:
            for pk in notice_ids[:3]:  # warm fonts, templates, connections
                _bare(html[pk])
            bare_s, pipe_s, sizes = [], [], []
            for pk in notice_ids:
                start = time.perf_counter()
                sizes.append(len(_bare(html[pk])))
                bare_s.append(time.perf_counter() - start)
                start = time.perf_counter()
                notice_render(notice_id=pk)
                pipe_s.append(time.perf_counter() - start)
        finally:
            tasks.notice_deliver.delay = original_delay

        start = time.perf_counter()
        for recipient_id in queued:
            notice_recipient_deliver(recipient_id=recipient_id)
        deliver_total = time.perf_counter() - start

    from django.core import mail

    from filings.models.notices import Notice, NoticeStatus

    rendered = Notice.objects.filter(pk__in=notice_ids, status=NoticeStatus.RENDERED).count()
    assert rendered == n, f"only {rendered} of {n} notices rendered"
    bare_rate = n / sum(bare_s)
    pipe_rate = n / sum(pipe_s)
    both_rate = n / (sum(pipe_s) + deliver_total)
    ratio = pipe_rate / bare_rate
    ms = lambda xs: statistics.median(xs) * 1000  # noqa: E731
    print(f"average PDF {statistics.mean(sizes) / 1024:.1f} KiB")
    print(
        f"{'bare WeasyPrint (same HTML, same PDF)':<44} {bare_rate:7.2f} notices/s  "
        f"(p50 {ms(bare_s):6.1f} ms)"
    )
    print(f"{'pipeline: notice_render':<44} {pipe_rate:7.2f} notices/s  (p50 {ms(pipe_s):6.1f} ms)")
    print(
        f"{'pipeline / bare':<44} {ratio:7.1%}   target >= {TARGET_RATIO:.0%}: "
        f"{'met' if ratio >= TARGET_RATIO else 'MISSED'}"
    )
    print(
        f"{'e-mails: notice_recipient_deliver':<44} {len(queued) / deliver_total:7.2f} "
        f"e-mails/s ({len(queued)} sent, {len(mail.outbox)} in the locmem outbox)"
    )
    print(f"{'render + e-mail, per notice':<44} {both_rate:7.2f} notices/s")
    return {"bare": bare_rate, "pipeline": pipe_rate, "ratio": ratio, "with_email": both_rate}


def _load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


if __name__ == "__main__":
    main()
