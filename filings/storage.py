"""Where document bytes live, and the promise that a failed act leaves no file behind.

Documents go to Django's default storage (``STORAGES["default"]``: a FileSystemStorage
under ``var/media`` unless configured otherwise, e.g. S3 through django-storages),
under ``documents/<court>/<yyyy>/<mm>/<random>.pdf``. The name never comes from the
uploader.

A database transaction can roll back; a written file cannot. Services that write
files therefore run inside :func:`files_removed_on_failure`: every file written
within it is deleted if the block raises (the transaction inside it rolled back),
and handed to an enclosing guard otherwise, so a failure anywhere in the outermost
act removes every file the act wrote. What no exception handler can see (the process
killed between the write and the commit, or a caller's own transaction rolled back
after the service returned) is collected by ``document_orphans_sweep`` (management
command ``filings_orphans_sweep``).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.utils import timezone

logger = logging.getLogger(__name__)

DOCUMENTS_PREFIX = "documents"

# The open guards of this thread/task, innermost last; each holds the names it wrote.
_guards: ContextVar[tuple[list[str], ...]] = ContextVar("filings_file_guards", default=())


def document_storage() -> Storage:
    """The storage documents are kept in (the `file` field's, i.e. the default storage)."""
    return default_storage


def document_file_name(*, court_code: str) -> str:
    """A fresh, unguessable storage name for a document of `court_code`."""
    now = timezone.now()
    return f"{DOCUMENTS_PREFIX}/{court_code}/{now:%Y}/{now:%m}/{uuid.uuid4().hex}.pdf"


def _delete_quietly(names: list[str]) -> None:
    storage = document_storage()
    for name in names:
        try:
            storage.delete(name)
        except Exception:  # the sweep will find it; never hide the original error
            logger.exception("could not delete %s after a failed act", name)


@contextmanager
def files_removed_on_failure() -> Iterator[None]:
    """Delete the files written inside the block if the block raises.

    Nest it outside ``transaction.atomic()``: when the block raises, the rows are
    rolled back and then the files go. On success the names pass to the enclosing
    guard, if any, which deletes them should the larger act fail later.
    """
    written: list[str] = []
    token = _guards.set((*_guards.get(), written))
    try:
        yield
    except BaseException:
        _delete_quietly(written)
        raise
    finally:
        _guards.reset(token)
    outer = _guards.get()
    if outer:
        outer[-1].extend(written)


def document_file_write(*, name: str, content: File) -> str:
    """Write `content` under `name` (or a free variant of it); return the name used.

    Must run inside :func:`files_removed_on_failure`, so that the file cannot outlive a
    rolled-back act.
    """
    guards = _guards.get()
    if not guards:
        raise RuntimeError("document_file_write() must run inside files_removed_on_failure()")
    saved = document_storage().save(name, content)
    guards[-1].append(saved)
    return saved
