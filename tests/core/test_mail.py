"""Which SMTP failures are worth retrying (RFC 5321 4.2.1: 4xx transient, 5xx permanent)."""

from __future__ import annotations

import smtplib

import pytest

from casemgmt.core.mail import smtp_error_is_transient


@pytest.mark.parametrize(
    ("exc", "transient"),
    [
        (smtplib.SMTPResponseException(451, b"try later"), True),
        (smtplib.SMTPResponseException(550, b"no such user"), False),
        (smtplib.SMTPRecipientsRefused({"a@x": (452, b"full"), "b@x": (421, b"busy")}), True),
        (smtplib.SMTPRecipientsRefused({"a@x": (452, b"full"), "b@x": (550, b"no")}), False),
        (smtplib.SMTPRecipientsRefused({}), False),
        (smtplib.SMTPServerDisconnected("gone"), True),
        (ConnectionRefusedError(), True),
        (TimeoutError(), True),
        (smtplib.SMTPNotSupportedError(), False),
        (ValueError("bad address"), False),
    ],
)
def test_only_4xx_replies_and_connection_trouble_are_retried(exc, transient):
    assert smtp_error_is_transient(exc) is transient
