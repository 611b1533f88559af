"""Storing documents: what a PDF really is, the refusals, and that a failure leaves nothing.

Issue 4, "Done when": a PDF that is corrupt, encrypted, empty, not a PDF but named
`.pdf`, or over the limit is refused with its error code and no file or row remains.
"""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.core.files.base import ContentFile
from django.db import DatabaseError, transaction

from casemgmt.core.errors import DomainError
from casemgmt.core.models import AuditEvent
from filings.models import Document, DocumentKind
from filings.services import document_orphans_sweep, document_store, max_upload_bytes

from .pdfs import HTML, PNG, corrupt_pdf, encrypted_pdf, pdf_bytes, sha256, upload


def store(case, data: bytes, *, by, name="motion.pdf", title="Motion to continue", **kwargs):
    return document_store(
        case=case, upload=upload(data, name=name), uploaded_by=by, title=title, **kwargs
    )


def test_a_pdf_is_stored_with_what_its_content_says(public_case, clerk, stored_files):
    # Given a three-page PDF uploaded as "motion.pdf"
    data = pdf_bytes(3)

    # When it is stored on the case
    document = store(public_case, data, by=clerk)

    # Then the row carries the verified facts and the file holds exactly those bytes
    document.refresh_from_db()
    assert (document.mime_type, document.page_count, document.size_bytes) == (
        "application/pdf",
        3,
        len(data),
    )
    assert document.sha256 == sha256(data)
    assert (document.kind, document.confidentiality, document.original) == ("filed", "public", None)
    assert document.original_filename == "motion.pdf"
    assert document.file.name.startswith(f"documents/{public_case.court.code}/")
    assert not document.file.name.endswith("motion.pdf")  # the name is ours, not the uploader's
    [path] = stored_files()
    assert path.read_bytes() == data
    audit = AuditEvent.objects.get(action="document.store", object_id=str(document.pk))
    assert (audit.actor, audit.case_id) == (clerk, public_case.pk)
    assert audit.details["sha256"] == document.sha256


def test_confidentiality_defaults_to_the_cases(confidential_case, clerk):
    document = store(confidential_case, pdf_bytes(), by=clerk)

    assert document.confidentiality == "confidential"


def test_the_uploaders_path_is_not_kept_in_the_name(public_case, clerk):
    document = store(public_case, pdf_bytes(), by=clerk, name="C:\\Users\\pat\\brief\x07.pdf")

    assert document.original_filename == "brief.pdf"


REFUSALS = [
    pytest.param(b"", "motion.pdf", "DOCUMENT_EMPTY", id="empty"),
    pytest.param(PNG, "motion.pdf", "DOCUMENT_NOT_PDF", id="png-named-pdf"),
    pytest.param(HTML, "motion.pdf", "DOCUMENT_NOT_PDF", id="html-named-pdf"),
    pytest.param(b"%PDF-1.7\n" + os.urandom(2000), "motion.pdf", "DOCUMENT_CORRUPT", id="garbage"),
    pytest.param(corrupt_pdf(), "motion.pdf", "DOCUMENT_CORRUPT", id="truncated"),
    pytest.param(encrypted_pdf(), "motion.pdf", "DOCUMENT_ENCRYPTED", id="encrypted"),
]


@pytest.mark.parametrize(("data", "name", "code"), REFUSALS)
def test_a_bad_upload_is_refused_with_its_code_and_leaves_nothing(
    public_case, clerk, stored_files, data, name, code
):
    # Given an upload that is not an acceptable PDF
    audits = AuditEvent.objects.count()

    # When it is stored
    with pytest.raises(DomainError) as refused:
        store(public_case, data, by=clerk, name=name)

    # Then it is refused on the file field with its code, and nothing remains
    assert (refused.value.code, refused.value.field, refused.value.status) == (code, "file", 422)
    assert stored_files() == []
    assert not Document.objects.exists()
    assert AuditEvent.objects.count() == audits


def test_an_upload_over_the_limit_is_refused(public_case, clerk, stored_files, settings):
    # Given a limit of 2 KB (FILINGS_MAX_UPLOAD_BYTES) and a bigger PDF
    settings.FILINGS_MAX_UPLOAD_BYTES = 2048
    data = pdf_bytes(12)
    assert len(data) > 2048

    with pytest.raises(DomainError) as refused:
        store(public_case, data, by=clerk)

    assert (refused.value.code, refused.value.field) == ("DOCUMENT_TOO_LARGE", "file")
    assert "limit" in refused.value.message
    assert stored_files() == []
    assert not Document.objects.exists()


def test_a_lying_size_is_caught_while_reading(public_case, clerk, settings, stored_files):
    # Given a file that claims to be small but is not
    settings.FILINGS_MAX_UPLOAD_BYTES = 1024
    liar = ContentFile(pdf_bytes(12), name="motion.pdf")
    liar.size = 10

    with pytest.raises(DomainError) as refused:
        document_store(case=public_case, upload=liar, uploaded_by=clerk, title="Motion")

    assert refused.value.code == "DOCUMENT_TOO_LARGE"
    assert stored_files() == []


def test_the_default_limit_is_25_megabytes(settings):
    del settings.FILINGS_MAX_UPLOAD_BYTES  # not configured
    assert max_upload_bytes() == 25 * 1024 * 1024


def test_a_title_is_required(public_case, clerk, stored_files):
    with pytest.raises(DomainError) as refused:
        store(public_case, pdf_bytes(), by=clerk, title="   ")

    assert (refused.value.code, refused.value.field) == ("DOCUMENT_TITLE_REQUIRED", "title")
    assert stored_files() == []


def test_stamped_copies_are_not_stored_directly(public_case, clerk):
    with pytest.raises(DomainError) as refused:
        store(public_case, pdf_bytes(), by=clerk, kind=DocumentKind.STAMPED)

    assert refused.value.code == "DOCUMENT_KIND_NOT_ALLOWED"


class Boom(Exception):
    pass


def test_a_failure_later_in_the_act_removes_the_file(public_case, clerk, stored_files):
    # Given a document stored as part of a larger act guarded like the services are
    from filings.storage import files_removed_on_failure

    # When the act fails after the document was stored
    with pytest.raises(Boom), files_removed_on_failure(), transaction.atomic():
        store(public_case, pdf_bytes(), by=clerk)
        assert len(stored_files()) == 1
        raise Boom

    # Then neither the row nor the file is left
    assert not Document.objects.exists()
    assert stored_files() == []


def test_a_callers_rollback_leaves_an_orphan_that_the_sweep_removes(
    public_case, clerk, stored_files
):
    # Given a caller's own transaction that stores a document and then rolls back
    with pytest.raises(Boom), transaction.atomic():
        store(public_case, pdf_bytes(), by=clerk)
        raise Boom
    assert not Document.objects.exists()
    assert len(stored_files()) == 1  # no exception reached the service's guard

    # And a document that is kept
    kept = store(public_case, pdf_bytes(), by=clerk)

    # When the sweep runs (nothing is too young for it here)
    assert document_orphans_sweep(older_than=dt.timedelta(hours=1)) == []  # too young
    found = document_orphans_sweep(older_than=dt.timedelta(0))

    # Then the orphan is gone and the document's file stays
    assert len(found) == 1
    assert [p.name for p in stored_files()] == [os.path.basename(kept.file.name)]


def test_stored_bytes_and_digest_cannot_change(public_case, clerk):
    # Given a stored document
    document = store(public_case, pdf_bytes(), by=clerk)

    # Then the database refuses to change its digest or file, or to delete it
    with pytest.raises(DatabaseError, match="immutable"), transaction.atomic():
        Document.objects.filter(pk=document.pk).update(sha256="0" * 64)
    with pytest.raises(DatabaseError, match="immutable"), transaction.atomic():
        Document.objects.filter(pk=document.pk).update(file="documents/other.pdf")
    with pytest.raises(DatabaseError, match="DELETE refused"), transaction.atomic():
        Document.objects.filter(pk=document.pk).delete()
    # ...while a title correction or a sealing is allowed
    Document.objects.filter(pk=document.pk).update(title="Amended title", confidentiality="sealed")


def test_the_sweep_command_lists_without_deleting_on_a_dry_run(
    public_case, clerk, stored_files, capsys
):
    from django.core.management import call_command

    with pytest.raises(Boom), transaction.atomic():
        store(public_case, pdf_bytes(), by=clerk)
        raise Boom

    call_command("filings_orphans_sweep", "--dry-run", "--hours", "0")
    assert "would delete 1 orphaned file(s)" in capsys.readouterr().out
    assert len(stored_files()) == 1
    call_command("filings_orphans_sweep", "--hours", "0")
    assert stored_files() == []
