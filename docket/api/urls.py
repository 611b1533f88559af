from django.urls import include, path

from .calendar_views import CalendarView
from .deadline_case_views import CaseDeadlineListView
from .deadline_views import DeadlineComputeView
from .speedy_trial_views import ExcludablePeriodEndView, ExcludablePeriodListView, SpeedyTrialView

urlpatterns = [
    path("", include("docket.api.schedule_urls")),
    path("calendar/", CalendarView.as_view(), name="calendar"),
    path("deadlines/compute/", DeadlineComputeView.as_view(), name="deadline_compute"),
    path("cases/<str:number>/deadlines/", CaseDeadlineListView.as_view(), name="case_deadlines"),
    path("cases/<str:number>/speedy-trial/", SpeedyTrialView.as_view(), name="speedy_trial"),
    path(
        "cases/<str:number>/speedy-trial/excludable-periods/",
        ExcludablePeriodListView.as_view(),
        name="speedy_trial_periods",
    ),
    path(
        "cases/<str:number>/speedy-trial/excludable-periods/<int:pk>/end/",
        ExcludablePeriodEndView.as_view(),
        name="speedy_trial_period_end",
    ),
]
