"""Forms: file a document (counter and e-filing), review (reject), the queue's filters."""

from __future__ import annotations

from django import forms

from cases.models import Confidentiality

from .models import FilingType, RejectionReason


class FilingForm(forms.Form):
    """One form for the counter and for e-filing; the view decides which service runs."""

    filing_type = forms.ModelChoiceField(
        queryset=FilingType.objects.none(),
        label="Filing type",
        empty_label="Choose the type of document",
    )
    title = forms.CharField(
        label="Title",
        max_length=300,
        help_text="As on the document, e.g. “Defendant's motion to continue trial”.",
    )
    file = forms.FileField(
        label="Document (PDF)",
        help_text="One PDF, not password-protected.",
        # The browser's own file input: USWDS's enhanced one replaces the field's
        # accessible name ("Document (PDF)") with its drag-and-drop instructions.
        widget=forms.FileInput(attrs={"accept": ".pdf,application/pdf"}),
    )
    confidentiality = forms.ChoiceField(label="Confidentiality", required=False)

    def __init__(self, *args, filing_types, confidentiality_choices, max_bytes: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["filing_type"].queryset = FilingType.objects.filter(
            pk__in=[t.pk for t in filing_types]
        ).order_by("name")
        self.fields["filing_type"].label_from_instance = lambda t: t.name
        labels = dict(Confidentiality.choices)
        self.fields["confidentiality"].choices = [
            ("", "Same as the case"),
            *((value, labels[value]) for value in confidentiality_choices),
        ]
        self.fields[
            "file"
        ].help_text = f"One PDF, not password-protected, at most {max_bytes / (1024 * 1024):g} MB."


class RejectForm(forms.Form):
    reason = forms.ModelChoiceField(
        queryset=RejectionReason.objects.none(), label="Reason", empty_label="Choose a reason"
    )
    note = forms.CharField(
        label="Note to the filer",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, reasons, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].queryset = reasons


class QueueFilterForm(forms.Form):
    court = forms.ChoiceField(label="Court", required=False)
    type = forms.ChoiceField(label="Filing type", required=False)

    def __init__(self, *args, courts, filing_types, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["court"].choices = [("", "All courts"), *((c.code, c.name) for c in courts)]
        names: dict[str, str] = {}
        for t in filing_types:
            names.setdefault(t.code, t.name)
        self.fields["type"].choices = [
            ("", "All types"),
            *sorted(names.items(), key=lambda item: item[1]),
        ]


class DocumentConfidentialityForm(forms.Form):
    """Seal, unseal or mark confidential an existing document (judges and supervisors)."""

    confidentiality = forms.ChoiceField(label="Confidentiality")
    reason = forms.CharField(
        label="Order or reason",
        max_length=500,
        help_text="Cite the order, e.g. “Order of 2026-03-02 granting motion to seal”.",
    )

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(Confidentiality.choices)
        self.fields["confidentiality"].choices = [(value, labels[value]) for value in choices]
