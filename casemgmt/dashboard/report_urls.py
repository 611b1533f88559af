"""Monthly statistics report pages. Included by casemgmt.urls as
path("dashboard/", include("casemgmt.dashboard.report_urls")), BEFORE the dashboard's own
include (whose "<slug>/" drill-downs would otherwise answer "reports/")."""

from django.urls import path

from . import report_views

app_name = "dashboard_reports"

urlpatterns = [
    path("reports/", report_views.reports, name="reports"),
    path("reports/<int:pk>/", report_views.report_detail, name="detail"),
    path("reports/<int:pk>/progress/", report_views.report_progress, name="progress"),
    path("reports/<int:pk>.pdf", report_views.report_pdf, name="pdf"),
]
