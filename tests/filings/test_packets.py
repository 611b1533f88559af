"""Case packets: one PDF with a cover, an index and bookmarks; sealed documents only for
those entitled; built exactly once, with progress; 404 for anyone who may not see it all."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from casemgmt.core.errors import DomainError
from casemgmt.core.models import AuditEvent
from filings import packets, tasks
from filings.models import CasePacket, Document, PacketItem, PacketStatus
from filings.packets import packet_build, packet_request
from filings.pdf import PdfRenderError
from filings.selectors import case_document_list
from filings.services import document_store

from .pdfs import pdf_bytes, upload


@pytest.fixture
def store(clerk):
    def make(case, title, *, pages=2, confidentiality=None):
        return document_store(
            case=case,
            upload=upload(pdf_bytes(pages, text=title)),
            uploaded_by=clerk,
            title=title,
            confidentiality=confidentiality,
        )

    return make


@pytest.fixture
def docs(public_case, store):
    return [store(public_case, "Complaint", pages=2), store(public_case, "Answer", pages=3)]


@pytest.fixture
def sealed_doc(public_case, store):
    return store(public_case, "Sealed Exhibit", pages=1, confidentiality="sealed")


def _request(captured, **kwargs):
    with captured(execute=False) as callbacks:
        packet = packet_request(**kwargs)
    return packet, callbacks


def _outline(reader: PdfReader) -> list[tuple[str, int]]:
    return [(item.title, reader.get_destination_page_number(item)) for item in reader.outline]


def _pdf(packet: CasePacket) -> bytes:
    with packet.document.file.open("rb") as handle:
        return handle.read()


def test_packet_pdf_has_cover_index_documents_and_bookmarks(
    public_case, docs, clerk, django_capture_on_commit_callbacks
):
    packet, callbacks = _request(
        django_capture_on_commit_callbacks,
        case=public_case,
        documents=docs,
        title="Trial binder",
        requested_by=clerk,
    )
    assert len(callbacks) == 1 and callbacks[0].func == tasks.packet_build.delay
    assert list(packet.items.values_list("document_id", "position")) == [
        (docs[0].pk, 1),
        (docs[1].pk, 2),
    ]
    assert AuditEvent.objects.filter(action="packet.request").count() == 1

    packet = packet_build(packet_id=packet.pk)

    assert packet.status == PacketStatus.DONE
    reader = PdfReader(io.BytesIO(_pdf(packet)))
    assert len(reader.pages) == 1 + 1 + 2 + 3  # cover, index, the documents' pages
    assert packet.document.page_count == 7
    assert packet.document.kind == "packet" and packet.document.confidentiality == "public"
    # A compiled copy is not a document of record: the case's documents do not list it.
    assert packet.document not in case_document_list(case=public_case, level="sealed")
    assert _outline(reader) == [("Cover page", 0), ("Index", 1), ("Complaint", 2), ("Answer", 4)]
    cover = reader.pages[0].extract_text()
    assert public_case.court.name in cover and public_case.number in cover
    assert "Trial binder" in cover and clerk.get_full_name() in cover
    index = " ".join(reader.pages[1].extract_text().split())
    assert "Complaint 3" in index and "Answer 5" in index  # 1-based first pages
    assert "Complaint" in reader.pages[2].extract_text()
    assert "Answer" in reader.pages[4].extract_text()
    assert AuditEvent.objects.filter(action="packet.build").count() == 1


def test_sealed_document_refused_for_clerk_without_access_nothing_written(
    public_case, docs, sealed_doc, clerk, stored_files, django_capture_on_commit_callbacks
):
    files_before = stored_files()
    with pytest.raises(DomainError) as refused:
        _request(
            django_capture_on_commit_callbacks,
            case=public_case,
            documents=[docs[0], sealed_doc],
            title="Binder",
            requested_by=clerk,
        )

    assert refused.value.code == "DOCUMENT_NOT_FOUND" and refused.value.status == 404
    assert not CasePacket.objects.exists() and not PacketItem.objects.exists()
    assert not AuditEvent.objects.filter(action="packet.request").exists()
    assert stored_files() == files_before


def test_sealed_document_included_for_supervisor_and_packet_is_sealed(
    public_case, docs, sealed_doc, supervisor, django_capture_on_commit_callbacks
):
    packet, _ = _request(
        django_capture_on_commit_callbacks,
        case=public_case,
        documents=[sealed_doc, docs[0]],
        title="Sealed binder",
        requested_by=supervisor,
    )

    packet = packet_build(packet_id=packet.pk)

    assert packet.status == PacketStatus.DONE
    assert packet.document.confidentiality == "sealed"
    reader = PdfReader(io.BytesIO(_pdf(packet)))
    assert [t for t, _p in _outline(reader)][2:] == ["Sealed Exhibit", "Complaint"]
    assert len(reader.pages) == 2 + 1 + 2


def test_packet_refuses_empty_too_many_and_other_cases_documents(
    public_case, make_case, store, docs, clerk
):
    with pytest.raises(DomainError) as empty:
        packet_request(case=public_case, documents=[], title="T", requested_by=clerk)
    assert empty.value.code == "PACKET_EMPTY"
    with pytest.raises(DomainError) as large:
        packet_request(case=public_case, documents=range(1, 202), title="T", requested_by=clerk)
    assert large.value.code == "PACKET_TOO_LARGE"
    other = store(make_case(), "Elsewhere")
    with pytest.raises(DomainError) as foreign:
        packet_request(case=public_case, documents=[docs[0], other], title="T", requested_by=clerk)
    assert foreign.value.code == "DOCUMENT_NOT_FOUND"
    assert not CasePacket.objects.exists()


def test_packet_built_twice_gives_one_pdf(
    public_case, docs, clerk, stored_files, django_capture_on_commit_callbacks
):
    packet, _ = _request(
        django_capture_on_commit_callbacks,
        case=public_case,
        documents=docs,
        title="Binder",
        requested_by=clerk,
    )
    files_before = len(stored_files())

    tasks.packet_build(packet.pk)
    tasks.packet_build(packet.pk)

    packet.refresh_from_db()
    assert packet.status == PacketStatus.DONE
    assert Document.objects.filter(packet__isnull=False).count() == 1
    assert len(stored_files()) == files_before + 1
    assert AuditEvent.objects.filter(action="packet.build").count() == 1


def test_a_build_whose_worker_died_is_taken_over_once_stale(
    public_case, docs, clerk, django_capture_on_commit_callbacks
):
    import datetime as dt

    from django.utils import timezone

    fresh, _ = _request(
        django_capture_on_commit_callbacks,
        case=public_case,
        documents=docs,
        title="Fresh claim",
        requested_by=clerk,
    )
    dead, _ = _request(
        django_capture_on_commit_callbacks,
        case=public_case,
        documents=docs,
        title="Dead worker",
        requested_by=clerk,
    )
    now = timezone.now()
    CasePacket.objects.filter(pk=fresh.pk).update(status="building", started_at=now)
    CasePacket.objects.filter(pk=dead.pk).update(
        status="building", started_at=now - packets.PACKET_BUILD_STALE_AFTER - dt.timedelta(1)
    )

    with django_capture_on_commit_callbacks(execute=True):
        requeued = tasks.packets_stale_requeue()

    fresh.refresh_from_db()
    dead.refresh_from_db()
    assert requeued == 1
    assert fresh.status == PacketStatus.BUILDING and fresh.document is None  # still its worker's
    assert dead.status == PacketStatus.DONE and dead.document is not None


def test_progress_counts_up_to_total(
    public_case, docs, store, clerk, monkeypatch, django_capture_on_commit_callbacks
):
    third = store(public_case, "Reply", pages=1)
    packet, _ = _request(
        django_capture_on_commit_callbacks,
        case=public_case,
        documents=[*docs, third],
        title="Binder",
        requested_by=clerk,
    )
    seen: list[tuple[str, int]] = []
    real_progress = packets._progress

    def spy(packet_id, done):
        real_progress(packet_id, done)
        row = CasePacket.objects.get(pk=packet_id)
        seen.append((row.status, row.done))

    monkeypatch.setattr(packets, "_progress", spy)

    packet = packet_build(packet_id=packet.pk)

    assert seen == [("building", 1), ("building", 2), ("building", 3)]
    assert (packet.done, packet.total, packet.percent) == (3, 3, 100)


def test_a_claim_taken_over_meanwhile_is_not_finished_by_the_old_one(
    public_case, docs, clerk, monkeypatch, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    packet, _ = _request(
        django_capture_on_commit_callbacks,
        case=public_case,
        documents=docs,
        title="Binder",
        requested_by=clerk,
    )
    real_bind = packets._bind

    def slow_bind(packet, items):
        # While this worker binds, another takes the packet over (this claim went stale).
        CasePacket.objects.filter(pk=packet.pk).update(started_at=timezone.now())
        return real_bind(packet, items)

    monkeypatch.setattr(packets, "_bind", slow_bind)

    built = packet_build(packet_id=packet.pk)

    assert built.status == PacketStatus.BUILDING and built.document_id is None
    assert not Document.objects.filter(title__startswith="Case packet").exists()
    assert not AuditEvent.objects.filter(action="packet.build").exists()


def test_failed_build_is_marked_and_leaves_no_file(
    public_case, docs, clerk, stored_files, monkeypatch, django_capture_on_commit_callbacks
):
    packet, _ = _request(
        django_capture_on_commit_callbacks,
        case=public_case,
        documents=docs,
        title="Binder",
        requested_by=clerk,
    )
    files_before = stored_files()

    real_audit = packets.audit_record

    def broken_audit(**kwargs):  # fails after the PDF was written and stored
        if kwargs["action"] == "packet.build":
            raise RuntimeError("audit store unavailable")
        return real_audit(**kwargs)

    monkeypatch.setattr(packets, "audit_record", broken_audit)

    packet = packet_build(packet_id=packet.pk)

    assert packet.status == PacketStatus.FAILED
    assert "audit store unavailable" in packet.error
    assert packet.document_id is None
    assert stored_files() == files_before
    assert not Document.objects.filter(title__startswith="Case packet").exists()
    assert AuditEvent.objects.filter(action="packet.build_failed").count() == 1


def test_render_failure_marks_packet_failed(
    public_case, docs, clerk, monkeypatch, django_capture_on_commit_callbacks
):
    packet, _ = _request(
        django_capture_on_commit_callbacks,
        case=public_case,
        documents=docs,
        title="Binder",
        requested_by=clerk,
    )

    def refuse(*args, **kwargs):
        raise PdfRenderError("OSError: no fonts")

    monkeypatch.setattr(packets, "html_to_pdf", refuse)

    packet = packet_build(packet_id=packet.pk)

    assert packet.status == PacketStatus.FAILED and "no fonts" in packet.error
    assert packet_build(packet_id=packet.pk).status == PacketStatus.FAILED  # not retried


# --- pages ---------------------------------------------------------------------------------


def test_new_page_lists_only_visible_documents_and_requests(
    client, public_case, docs, sealed_doc, clerk, django_capture_on_commit_callbacks
):
    client.force_login(clerk)
    url = reverse("packets:new", args=[public_case.court.code, public_case.number])

    page = client.get(url)

    html = page.content.decode()
    assert page.status_code == 200
    assert "Complaint" in html and "Answer" in html and "Sealed Exhibit" not in html
    assert "<legend" in html and f'for="document-{docs[0].pk}"' in html

    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(url, {"title": "Binder", "documents": [docs[1].pk, docs[0].pk]})
    packet = CasePacket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("packets:detail", args=[packet.pk])

    refused = client.post(url, {"title": "Binder", "documents": [sealed_doc.pk]})
    assert refused.status_code == 200 and CasePacket.objects.count() == 1
    empty = client.post(url, {"title": "Binder"})
    assert "Choose at least one document." in empty.content.decode()


def test_progress_page_polls_then_links_the_pdf(
    client, public_case, docs, clerk, django_capture_on_commit_callbacks
):
    packet, _ = _request(
        django_capture_on_commit_callbacks,
        case=public_case,
        documents=docs,
        title="Binder",
        requested_by=clerk,
    )
    client.force_login(clerk)

    html = client.get(reverse("packets:detail", args=[packet.pk])).content.decode()

    assert 'role="status"' in html and "Waiting for a worker to start" in html
    assert f'hx-get="{reverse("packets:progress", args=[packet.pk])}"' in html
    assert 'hx-trigger="every 2s"' in html

    packet = packet_build(packet_id=packet.pk)
    partial = client.get(reverse("packets:progress", args=[packet.pk])).content.decode()
    assert "hx-trigger" not in partial and "Ready" in partial
    assert reverse("filings:document_download", args=[packet.document_id]) in partial


def test_packet_page_404_for_user_who_cannot_see_an_included_document(
    client,
    public_case,
    docs,
    sealed_doc,
    supervisor,
    clerk,
    django_capture_on_commit_callbacks,
):
    packet, _ = _request(
        django_capture_on_commit_callbacks,
        case=public_case,
        documents=[docs[0], sealed_doc],
        title="Binder",
        requested_by=supervisor,
    )
    packet_build(packet_id=packet.pk)

    client.force_login(supervisor)
    assert client.get(reverse("packets:detail", args=[packet.pk])).status_code == 200
    client.force_login(clerk)  # sees the case, not the sealed document
    assert client.get(reverse("packets:detail", args=[packet.pk])).status_code == 404
    assert client.get(reverse("packets:progress", args=[packet.pk])).status_code == 404
    assert client.get(reverse("packets:detail", args=[packet.pk + 1000])).status_code == 404


# --- through a real Celery worker process ----------------------------------------------------


@pytest.mark.django_db(transaction=True)
class TestThroughWorker:
    @pytest.fixture(autouse=True)
    def media(self):
        """The worker stores documents where casemgmt.settings.test says (not a scratch dir)."""
        return None

    def test_worker_builds_the_packet_once_even_when_the_task_comes_twice(
        self, celery_worker_process, make_case, clerk
    ):
        import time

        case = make_case()
        documents = [
            document_store(
                case=case,
                upload=upload(pdf_bytes(2, text=title)),
                uploaded_by=clerk,
                title=title,
            )
            for title in ("Complaint", "Answer")
        ]
        packet = packet_request(case=case, documents=documents, title="Binder", requested_by=clerk)
        tasks.packet_build.delay(packet.pk)  # a duplicate delivery

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            packet.refresh_from_db()
            if packet.is_over:
                break
            time.sleep(0.2)
        time.sleep(1)  # let the duplicate run too

        packet.refresh_from_db()
        assert packet.status == PacketStatus.DONE, packet.error
        assert (packet.done, packet.total) == (2, 2)
        assert Document.objects.filter(packet__isnull=False).count() == 1
        assert len(PdfReader(io.BytesIO(_pdf(packet))).pages) == 2 + 2 + 2
