from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from .models import AuditOutcome


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "The username or password is not right. After 5 failed attempts "
        "the account is locked for 10 minutes.",
        "inactive": "This account is disabled. Ask your supervisor.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocomplete": "username"})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})


class AuditFilterForm(forms.Form):
    """Filters of the audit page; every one is kept in the URL."""

    date_from = forms.DateField(
        required=False, label="From", widget=forms.DateInput({"type": "date"})
    )
    date_to = forms.DateField(required=False, label="To", widget=forms.DateInput({"type": "date"}))
    actor = forms.CharField(required=False, label="User", max_length=150)
    action = forms.CharField(required=False, max_length=64, help_text="e.g. auth.login_failed")
    outcome = forms.ChoiceField(
        required=False, choices=[("", "Any outcome"), *AuditOutcome.choices]
    )
    case_number = forms.CharField(required=False, label="Case number", max_length=40)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error(
                "date_to", forms.ValidationError("Must not be before From.", code="date_range")
            )
        return cleaned


class ApiTokenForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What uses it, e.g. 'Firm docketing system'.")
    expires_on = forms.DateField(
        required=False,
        label="Expires on (optional)",
        widget=forms.DateInput({"type": "date"}),
    )


class CourtSwitchForm(forms.Form):
    court = forms.IntegerField()
