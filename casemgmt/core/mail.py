"""Outgoing mail shared by the apps (notices, filer e-mails, deadline digests)."""

from __future__ import annotations

import smtplib


def smtp_error_is_transient(exc: Exception) -> bool:
    """Whether the mail server may accept the message later, so a retry is worth it.

    SMTP reply codes 4xx are transient (RFC 5321 4.2.1); so is connection trouble
    (refused connections, timeouts, unreachable hosts: OSError), but not other SMTP errors.
    """
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in exc.recipients.values()]
        return bool(codes) and all(400 <= code < 500 for code in codes)
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return True
    return isinstance(exc, OSError) and not isinstance(exc, smtplib.SMTPException)
