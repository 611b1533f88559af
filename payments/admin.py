"""Back-office configuration of court money: the fee schedule and each court's payment
settings (allocation priority, disbursement minimum, plan thresholds) are data, edited
here. Money records are shown read-only: they change only through the services, which
keep the ledger balanced and the audit trail whole (and the database refuses edits)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import Q

from .allocation import policy_from_dict
from .models import (
    CashDrawer,
    FeeScheduleEntry,
    LedgerEntry,
    LedgerTransaction,
    Obligation,
    Payment,
    PaymentSettings,
    Receipt,
)


class FeeScheduleEntryForm(forms.ModelForm):
    class Meta:
        model = FeeScheduleEntry
        fields = [
            "court",
            "event_code",
            "case_type",
            "kind",
            "description",
            "amount",
            "effective_from",
            "effective_to",
        ]

    def clean(self):
        data = super().clean()
        court, code = data.get("court"), data.get("event_code")
        start, end = data.get("effective_from"), data.get("effective_to")
        if court and code and start:
            # One fee in force per court, event and case type on any day.
            overlapping = FeeScheduleEntry.objects.filter(
                court=court, event_code=code.strip().upper(), case_type=data.get("case_type")
            ).filter(Q(effective_to__isnull=True) | Q(effective_to__gte=start))
            if end is not None:
                overlapping = overlapping.filter(effective_from__lte=end)
            if self.instance.pk:
                overlapping = overlapping.exclude(pk=self.instance.pk)
            if overlapping.exists():
                raise forms.ValidationError(
                    "Another fee for this event and case type is in force during these dates; "
                    "end it (effective to) before this one starts.",
                    code="FEE_OVERLAPS",
                )
        return data

    def clean_event_code(self):
        return self.cleaned_data["event_code"].strip().upper()


@admin.register(FeeScheduleEntry)
class FeeScheduleEntryAdmin(admin.ModelAdmin):
    form = FeeScheduleEntryForm
    list_display = [
        "event_code",
        "description",
        "case_type",
        "kind",
        "amount",
        "effective_from",
        "effective_to",
        "court",
    ]
    list_filter = ["court", "kind", "event_code"]
    search_fields = ["event_code", "description"]

    def has_delete_permission(self, request, obj=None):
        return False  # end a fee with `effective to`; assessed obligations point to it


class PaymentSettingsForm(forms.ModelForm):
    class Meta:
        model = PaymentSettings
        fields = [
            "court",
            "allocation_policy",
            "disbursement_minimum",
            "installment_delinquent_after_days",
            "plan_default_after_days",
        ]

    def clean_allocation_policy(self):
        data = self.cleaned_data["allocation_policy"] or {}
        try:
            policy_from_dict(data)
        except (ValueError, TypeError, KeyError) as exc:
            raise forms.ValidationError(
                f"Not a valid allocation priority: {exc}", code="ALLOCATION_POLICY_INVALID"
            ) from exc
        return data


@admin.register(PaymentSettings)
class PaymentSettingsAdmin(admin.ModelAdmin):
    form = PaymentSettingsForm
    list_display = [
        "court",
        "disbursement_minimum",
        "installment_delinquent_after_days",
        "plan_default_after_days",
    ]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Money records: look, never touch."""

    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Obligation)
class ObligationAdmin(ReadOnlyAdmin):
    list_display = ["case", "kind", "description", "amount", "ordered_on", "source", "payee_name"]
    list_filter = ["court", "kind", "source"]
    search_fields = ["case__number", "description", "payee_name"]
    list_select_related = ["case"]
    raw_id_fields = ["case", "payee_party", "docket_entry"]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["pk", "case", "amount", "method", "payer_name", "received_at", "posted_by"]
    list_filter = ["court", "method"]
    search_fields = ["case__number", "payer_name", "receipt__number", "reference"]
    list_select_related = ["case", "posted_by"]


@admin.register(Receipt)
class ReceiptAdmin(ReadOnlyAdmin):
    list_display = ["number", "court", "payment", "issued_at"]
    list_filter = ["court", "year"]
    search_fields = ["number"]


class LedgerEntryInline(admin.TabularInline):
    model = LedgerEntry
    fields = ["account", "amount", "case", "obligation", "component", "drawer", "method"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(LedgerTransaction)
class LedgerTransactionAdmin(ReadOnlyAdmin):
    list_display = ["pk", "kind", "court", "case", "payment", "memo", "posted_at", "posted_by"]
    list_filter = ["court", "kind"]
    search_fields = ["case__number", "memo"]
    list_select_related = ["court", "case", "posted_by"]
    inlines = [LedgerEntryInline]


@admin.register(CashDrawer)
class CashDrawerAdmin(ReadOnlyAdmin):
    list_display = ["pk", "clerk", "court", "business_date", "opening_float", "status"]
    list_filter = ["court", "status", "business_date"]
    list_select_related = ["clerk", "court"]
