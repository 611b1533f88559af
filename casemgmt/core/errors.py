"""Refusals with stable codes. Services raise them; the API and pages show them."""

from __future__ import annotations


class DomainError(Exception):
    """A business rule refused the request.

    Attributes:
        code: stable, upper-case identifier clients may rely on (e.g. ``CASE_ALREADY_CLOSED``).
        message: a sentence for a person.
        field: the input field at fault, if one is.
        status: the HTTP status the API answers with (409 conflict, 422 rule refused, ...).
        details: optional JSON-serialisable facts about the refusal (e.g. the hearings a
            new setting clashes with); the API answers them as ``details``.
    """

    status = 422

    def __init__(
        self,
        code: str,
        message: str,
        *,
        field: str | None = None,
        status=None,
        details: dict | None = None,
    ):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.details = details
        if status is not None:
            self.status = status


def error_parts(error: BaseException) -> tuple[str, str]:
    """(code, message) of a failure a worker records on its job: a DomainError's stable
    code and sentence, else the exception's class name and text."""
    code = getattr(error, "code", "") or type(error).__name__
    message = getattr(error, "message", "") or str(error)
    return str(code), message
