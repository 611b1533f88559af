"""Forms of the clerk's money pages: the counter, drawers, close-out, approval, deposits.

Forms only parse what was typed. The rules (positive amounts, two decimals, an open
drawer, ...) are the services' and come back as DomainError codes, which the views put
on the field they are about; what a form refuses itself carries a stable code too.
"""

from __future__ import annotations

import uuid

from django import forms
from django.core.exceptions import ValidationError

from .models import PaymentMethod

DATE = {"type": "date"}
MONEY_INPUT = {"inputmode": "decimal", "autocomplete": "off", "spellcheck": "false"}
OTHER_PAYER = "other"


def money_text(value: str) -> str:
    """'$1,234.50' -> '1234.50': what the clerk typed, without the dollar sign and thousands
    separators. Nothing else is changed: the service refuses an amount that is not exactly
    dollars and cents (AMOUNT_INVALID, AMOUNT_TOO_PRECISE, ...), so a typo is never turned
    into another amount."""
    return (value or "").strip().replace(",", "").replace("$", "").strip()


class MoneyField(forms.CharField):
    """An amount as typed; `payments.services.money_parse` decides whether it is money."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(MONEY_INPUT))
        kwargs.setdefault("max_length", 20)
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        return money_text(super().to_python(value))

    def validate(self, value):
        if self.required and not value:  # the service's code for it, on the page too
            raise ValidationError("Enter an amount. (AMOUNT_REQUIRED)", code="AMOUNT_REQUIRED")


class CaseLookupForm(forms.Form):
    number = forms.CharField(
        label="Case number",
        max_length=40,
        widget=forms.TextInput(
            {"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}
        ),
    )
    court = forms.SlugField(required=False, widget=forms.HiddenInput)


class PaymentForm(forms.Form):
    """A payment at the counter. `token` is issued with the form and spent by the first
    post: a second submit of the same form (double click, back button, retry) finds the
    payment it already made instead of making another."""

    token = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)
    court = forms.SlugField(widget=forms.HiddenInput)
    number = forms.CharField(max_length=40, widget=forms.HiddenInput)
    amount = MoneyField(label="Amount received ($)")
    # A CharField: an unknown method reaches the service, which refuses it (UNKNOWN_METHOD).
    method = forms.CharField(
        label="Method",
        max_length=20,
        initial=PaymentMethod.CASH,
        widget=forms.Select(choices=PaymentMethod.choices),
    )
    reference = forms.CharField(
        label="Check or card reference",
        max_length=60,
        required=False,
        help_text="Check number (required for checks), card or money order reference.",
        widget=forms.TextInput({"autocomplete": "off"}),
    )
    payer = forms.ChoiceField(label="Payer")
    payer_name = forms.CharField(
        label="Payer's name",
        max_length=200,
        required=False,
        help_text="With payer “Someone else” (a relative, an employer).",
        widget=forms.TextInput({"autocomplete": "off"}),
    )

    def __init__(self, *args, parties=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.parties = {str(p.pk): p for p in parties}
        self.fields["payer"].choices = [
            *((str(p.pk), f"{p.person} ({p.get_role_display().lower()})") for p in parties),
            (OTHER_PAYER, "Someone else (type the name)"),
        ]
        # The defendant usually pays: theirs is the default (else the first party).
        default = next((p for p in parties if p.role == "defendant"), None) or next(
            iter(parties), None
        )
        self.fields["payer"].initial = str(default.pk) if default else OTHER_PAYER

    def clean(self):
        data = super().clean()
        payer = data.get("payer")
        # A party pays under their own name; someone else under the name typed.
        data["payer_party"] = self.parties.get(payer) if payer != OTHER_PAYER else None
        if payer != OTHER_PAYER:
            data["payer_name"] = ""
        return data


class DrawerOpenForm(forms.Form):
    opening_float = MoneyField(
        label="Opening float ($)", help_text="The cash in the drawer before the first payment."
    )


class DrawerCloseForm(forms.Form):
    counted_cash = MoneyField(label="Cash counted ($)", help_text="Float included.")
    counted_checks = MoneyField(label="Checks counted ($)")
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=2000,
        widget=forms.Textarea({"rows": 2}),
        help_text="Explain any difference (it is recorded with the close-out).",
    )


class DrawerApproveForm(forms.Form):
    note = forms.CharField(
        label="Approval note", required=False, max_length=2000, widget=forms.Textarea({"rows": 2})
    )


class DepositReportForm(forms.Form):
    court = forms.ChoiceField(label="Court")
    date = forms.DateField(label="Business date", widget=forms.DateInput(DATE))

    def __init__(self, *args, courts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.courts = {c.code: c for c in courts}
        self.fields["court"].choices = [(c.code, c.name) for c in courts]

    def clean_court(self):
        return self.courts[self.cleaned_data["court"]]
