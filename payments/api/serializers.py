"""Shapes of the payments API, in and out. Rules live in the services, not here.

Money goes out as strings with two decimals ("125.00"). Amounts come in as strings (or
JSON numbers) and are checked by the services, so a bad amount is refused with a stable
code (AMOUNT_NOT_POSITIVE, AMOUNT_TOO_PRECISE, ...) rather than a parser's message.
"""

from __future__ import annotations

from rest_framework import serializers

from cases.api.serializers import CourtLocalDateTimeField
from cases.models import court_local_date

from ..models import ObligationSource
from ..selectors import payee_label


def money_field(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=12, decimal_places=2, coerce_to_string=True, read_only=True, **kwargs
    )


# --- out ---------------------------------------------------------------------------------------


class ComponentBalanceSerializer(serializers.Serializer):
    component = serializers.CharField(help_text="principal, costs, interest or penalties.")
    assessed = money_field()
    waived = money_field()
    owed = money_field(help_text="Assessed less waived.")
    paid = money_field(help_text="Allocated from payments, net of voids.")
    balance = money_field(help_text="Owed less paid.")


class PayeeSerializer(serializers.Serializer):
    payee_class = serializers.CharField(help_text="individual, government or insurer.")
    name = serializers.CharField()
    party = serializers.IntegerField(allow_null=True, help_text="The victim party's id.")
    priority = serializers.IntegerField()


class ObligationSerializer(serializers.Serializer):
    """One obligation with its balance (from an ObligationBalance)."""

    id = serializers.IntegerField(source="obligation.pk")
    kind = serializers.CharField(source="obligation.kind")
    description = serializers.CharField(source="obligation.description")
    amount = money_field(source="obligation.amount", help_text="The principal ordered.")
    ordered_on = serializers.DateField(source="obligation.ordered_on")
    due_on = serializers.DateField(source="obligation.due_on", allow_null=True)
    source = serializers.CharField(source="obligation.source")
    accrues_interest = serializers.BooleanField(source="obligation.accrues_interest")
    payee = serializers.SerializerMethodField()
    assessed = money_field(help_text="Principal plus costs, interest and penalties added.")
    waived = money_field()
    owed = money_field(help_text="Assessed less waived.")
    paid = money_field()
    balance = money_field()
    components = ComponentBalanceSerializer(many=True)

    def get_payee(self, balance) -> dict | None:
        o = balance.obligation
        if not o.payee_class:
            return None
        return PayeeSerializer(
            {
                "payee_class": o.payee_class,
                "name": payee_label(o),
                "party": o.payee_party_id,
                "priority": o.payee_priority,
            }
        ).data


class BalanceSerializer(serializers.Serializer):
    """What the case owes (CaseBalance)."""

    case = serializers.CharField(source="case.number")
    court = serializers.CharField(source="case.court.code")
    assessed = money_field()
    waived = money_field()
    owed = money_field(help_text="Assessed less waived, all obligations.")
    paid = money_field(help_text="Allocated to obligations, net of voids.")
    balance = money_field(help_text="Owed less paid.")
    credit = money_field(help_text="Overpayment held for the case (applied to what it owes next).")
    obligations = ObligationSerializer(many=True)


class AllocationSerializer(serializers.Serializer):
    obligation = serializers.IntegerField(source="obligation_id")
    kind = serializers.CharField()
    description = serializers.CharField()
    component = serializers.CharField()
    amount = money_field()


class VoidSerializer(serializers.Serializer):
    reason = serializers.CharField()
    voided_by = serializers.CharField(source="voided_by.username")
    voided_at = CourtLocalDateTimeField()


class PaymentSerializer(serializers.Serializer):
    """A payment with its receipt number and allocations. Context: `details` (payment id ->
    selectors.PaymentDetail) and `tz`."""

    id = serializers.IntegerField()
    case = serializers.CharField(source="case.number")
    court = serializers.CharField(source="court.code")
    receipt = serializers.CharField(source="receipt.number")
    amount = money_field()
    method = serializers.CharField()
    reference = serializers.CharField()
    payer = serializers.CharField(source="payer_name")
    payer_party = serializers.IntegerField(source="payer_party_id", allow_null=True)
    received_at = CourtLocalDateTimeField()
    posted_by = serializers.CharField(source="posted_by.username")
    drawer = serializers.IntegerField(source="drawer_id")
    allocations = serializers.SerializerMethodField()
    credit = serializers.SerializerMethodField(
        help_text="Part of the payment held as credit (string, two decimals)."
    )
    voided = serializers.SerializerMethodField()
    void = serializers.SerializerMethodField()

    def _detail(self, payment):
        return self.context["details"][payment.pk]

    def get_allocations(self, payment) -> list[dict]:
        return AllocationSerializer(self._detail(payment).allocations, many=True).data

    def get_credit(self, payment) -> str:
        return f"{self._detail(payment).credit:.2f}"

    def get_voided(self, payment) -> bool:
        return hasattr(payment, "void")

    def get_void(self, payment) -> dict | None:
        if not hasattr(payment, "void"):
            return None
        return VoidSerializer(payment.void, context=self.context).data


class ReceiptSerializer(serializers.Serializer):
    """The receipt: number, date, court, case, payer, amount, method, allocation and clerk
    (the payment's fields, flat, with `payment` its id). A voided payment's receipt stays
    and says so."""

    number = serializers.CharField()
    court = serializers.SerializerMethodField()
    issued_at = CourtLocalDateTimeField()
    issued_on = serializers.SerializerMethodField(help_text="Court-local date of issue.")
    clerk = serializers.SerializerMethodField(help_text="Who took the payment.")

    def get_court(self, receipt) -> dict:
        return {"code": receipt.court.code, "name": receipt.court.name}

    def get_issued_on(self, receipt) -> str:
        return court_local_date(receipt.court, receipt.issued_at).isoformat()

    def get_clerk(self, receipt) -> str:
        user = receipt.payment.posted_by
        return user.get_full_name() or user.username

    def to_representation(self, receipt) -> dict:
        data = PaymentSerializer(receipt.payment, context=self.context).data
        data["payment"] = data.pop("id")
        data.pop("receipt")
        data.pop("court")
        return {**super().to_representation(receipt), **data}


# --- in ----------------------------------------------------------------------------------------


class AmountField(serializers.CharField):
    """An amount as sent (string or JSON number); the services check it."""

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("trim_whitespace", True)
        super().__init__(**kwargs)


class ObligationCreateSerializer(serializers.Serializer):
    kind = serializers.CharField(
        help_text="special_assessment, restitution, fine, fee, cost, interest or penalty."
    )
    amount = AmountField(help_text='e.g. "125.00".')
    description = serializers.CharField(required=False, allow_blank=True, max_length=200)
    ordered_on = serializers.DateField(required=False, allow_null=True)
    due_on = serializers.DateField(required=False, allow_null=True)
    source = serializers.ChoiceField(
        choices=[ObligationSource.ORDER, ObligationSource.MANUAL],
        default=ObligationSource.ORDER,
    )
    payee_class = serializers.CharField(required=False, allow_blank=True, default="")
    payee_party = serializers.IntegerField(required=False, allow_null=True)
    payee_name = serializers.CharField(required=False, allow_blank=True, default="")
    payee_priority = serializers.IntegerField(required=False, min_value=0, default=0)
    accrues_interest = serializers.BooleanField(required=False, default=False)


class PaymentCreateSerializer(serializers.Serializer):
    amount = AmountField(help_text='e.g. "125.00": more than zero, at most two decimals.')
    method = serializers.CharField(help_text="cash, check, card or money_order.")
    payer = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=200, help_text="Who paid."
    )
    payer_party = serializers.IntegerField(required=False, allow_null=True)
    reference = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=60,
        help_text="Check number (required for checks), card or money-order reference.",
    )
    received_at = serializers.DateTimeField(required=False, allow_null=True)


class PaymentVoidSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, help_text="Why (required).")
