"""Refusals with stable codes. Services raise them; the API and pages show them."""

from __future__ import annotations


class DomainError(Exception):
    """A business rule refused the request.

    Attributes:
        code: stable, upper-case identifier clients may rely on (e.g. ``CASE_ALREADY_CLOSED``).
        message: a sentence for a person.
        field: the input field at fault, if one is.
        status: the HTTP status the API answers with (409 conflict, 422 rule refused, ...).
    """

    status = 422

    def __init__(self, code: str, message: str, *, field: str | None = None, status=None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        if status is not None:
            self.status = status
