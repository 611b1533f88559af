"""What a worker records of a failure on its job (casemgmt.core.errors.error_parts)."""

from __future__ import annotations

from casemgmt.core.errors import DomainError, error_parts


def test_a_refusal_keeps_its_stable_code_and_sentence():
    refusal = DomainError("EXPORT_NOT_ALLOWED", "The requester no longer supervises courts.")

    assert error_parts(refusal) == (
        "EXPORT_NOT_ALLOWED",
        "The requester no longer supervises courts.",
    )


def test_any_other_failure_is_named_by_its_class_and_text():
    assert error_parts(ValueError("no such template")) == ("ValueError", "no such template")
    assert error_parts(KeyError("x")) == ("KeyError", "'x'")
