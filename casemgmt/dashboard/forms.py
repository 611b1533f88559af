"""The dashboard's filter: court, case type, period and the continuance threshold, all in the
URL (GET) so that a view of the figures can be shared or bookmarked."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.http import QueryDict
from django.utils import timezone

from casemgmt.core.models import Court
from cases.models import CaseType

from .selectors import DashboardScope

LAST_MONTH, THIS_MONTH, THIS_QUARTER, YEAR_TO_DATE, CUSTOM = (
    "last_month",
    "this_month",
    "this_quarter",
    "year_to_date",
    "custom",
)
PERIODS = [
    (LAST_MONTH, "Last month"),
    (THIS_MONTH, "This month"),
    (THIS_QUARTER, "This quarter"),
    (YEAR_TO_DATE, "Year to date"),
    (CUSTOM, "Dates chosen below"),
]
DEFAULT_CONTINUED = 2
MAX_SPAN_DAYS = 366 * 10  # a decade of history at most; a longer range is a typing error
FILTER_FIELDS = ("court", "case_type", "period", "start", "end", "continued")


def period_dates(period: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of a preset period, court-local; "this" periods end today."""
    if period == THIS_MONTH:
        return today.replace(day=1), today
    if period == THIS_QUARTER:
        return dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1), today
    if period == YEAR_TO_DATE:
        return dt.date(today.year, 1, 1), today
    # Last month: the last full calendar month (the default).
    end = today.replace(day=1) - dt.timedelta(days=1)
    return end.replace(day=1), end


class CourtChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Court) -> str:
        return obj.name


class CaseTypeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: CaseType) -> str:
        return f"{obj.court.code}: {obj.name} ({obj.code})" if self.many_courts else obj.name

    many_courts = False


class DashboardFilterForm(forms.Form):
    """Which figures: one of the supervisor's courts (default: the court they work in), a
    case type of that court or all, a period (default: the last full month) and N for
    "hearings set more than N times".

    A court or case type outside the user's courts is a field error, never another
    court's figures.
    """

    court = CourtChoiceField(queryset=Court.objects.none(), required=False, empty_label=None)
    case_type = CaseTypeChoiceField(
        queryset=CaseType.objects.none(),
        required=False,
        empty_label="All case types",
        label="Case type",
    )
    period = forms.ChoiceField(choices=PERIODS, required=False, label="Period")
    start = forms.DateField(
        required=False,
        label="From",
        widget=forms.DateInput({"type": "date"}, format="%Y-%m-%d"),
        help_text="With “Dates chosen below”.",
    )
    end = forms.DateField(
        required=False,
        label="To",
        widget=forms.DateInput({"type": "date"}, format="%Y-%m-%d"),
        help_text="Inclusive.",
    )
    continued = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=50,
        label="Hearings set more than (times)",
    )

    def __init__(self, data: QueryDict, *, courts, default_court: Court | None):
        super().__init__(data)
        self.courts = list(courts)
        self.default_court = default_court
        self.fields["court"].queryset = Court.objects.filter(pk__in=[c.pk for c in self.courts])
        self.fields["court"].choices = [(c.pk, c.name) for c in self.courts]
        case_types = CaseType.objects.filter(court__in=[c.pk for c in self.courts]).select_related(
            "court"
        )
        self.fields["case_type"].queryset = case_types.order_by("court__name", "name", "code")
        self.fields["case_type"].many_courts = len(self.courts) > 1
        if len(self.courts) <= 1:
            self.fields["court"].widget = forms.HiddenInput()

    def clean(self):
        cleaned = super().clean()
        if self.errors.get("court"):
            return cleaned
        court = cleaned.get("court") or self.default_court
        if court is None:
            self.add_error(None, forms.ValidationError("You work in no court.", code="no_court"))
            return cleaned
        cleaned["court"] = court
        case_type = cleaned.get("case_type")
        if case_type is not None and case_type.court_id != court.pk:
            self.add_error(
                "case_type",
                forms.ValidationError(f"Choose a case type of {court.name}.", code="other_court"),
            )
        today = court.local_today()
        period = cleaned.get("period") or ""
        start, end = cleaned.get("start"), cleaned.get("end")
        if not period:
            # Dates without a period are a range of one's own; nothing at all is last month.
            period = CUSTOM if (start or end or "start" in self.errors) else LAST_MONTH
        cleaned["period"] = period
        if period == CUSTOM:
            if not start and "start" not in self.errors:
                self.add_error("start", forms.ValidationError("Enter a date.", code="required"))
            if not end and "end" not in self.errors:
                self.add_error("end", forms.ValidationError("Enter a date.", code="required"))
        else:
            start, end = period_dates(period, today)
            cleaned["start"], cleaned["end"] = start, end
        if start and end:
            if start > end:
                self.add_error(
                    "end", forms.ValidationError("Must not be before From.", code="date_range")
                )
            elif (end - start).days > MAX_SPAN_DAYS:
                self.add_error(
                    "end",
                    forms.ValidationError("Choose a range of ten years or less.", code="too_long"),
                )
        cleaned["continued"] = cleaned.get("continued") or DEFAULT_CONTINUED
        if not self.errors:
            # The inputs show what is measured (a preset's dates, the default court).
            data = self.data.copy()
            data.update(
                {
                    "court": str(court.pk),
                    "period": period,
                    "start": start.isoformat(),
                    "end": end.isoformat(),
                    "continued": str(cleaned["continued"]),
                }
            )
            self.data = data
        return cleaned

    def scope(self) -> DashboardScope:
        """The figures' scope; call after is_valid()."""
        data = self.cleaned_data
        court = data["court"]
        return DashboardScope(
            court=court,
            case_type=data.get("case_type"),
            start=data["start"],
            end=data["end"],
            today=court.local_today(),
            now=timezone.now(),
            continued_more_than=data["continued"],
            period=data["period"],
        )


def scope_query(scope: DashboardScope, **extra) -> str:
    """The filters of `scope` as a query string with explicit dates, for links from a
    figure to its list (the list then counts what the figure counted, even when "last
    month" has moved on since) and for the exports."""
    query = QueryDict(mutable=True)
    query["court"] = str(scope.court.pk)
    if scope.case_type is not None:
        query["case_type"] = str(scope.case_type.pk)
    query["period"] = CUSTOM
    query["start"] = scope.start.isoformat()
    query["end"] = scope.end.isoformat()
    query["continued"] = str(scope.continued_more_than)
    for key, value in extra.items():
        if value is not None and value != "":
            query[key] = str(value)
    return query.urlencode()
