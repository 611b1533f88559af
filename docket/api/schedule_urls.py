"""`/api/v1/cases/{number}/hearings/` and `/api/v1/hearings/{id}/` (API.md)."""

from django.urls import path

from . import schedule_views as views

urlpatterns = [
    path(
        "cases/<str:number>/hearings/",
        views.CaseHearingListView.as_view(),
        name="case_hearings",
    ),
    path("hearings/<int:pk>/", views.HearingDetailView.as_view(), name="hearing_detail"),
]
