"""`/api/v1/...` for filings (API.md)."""

from django.urls import path

from . import views

urlpatterns = [
    path(
        "cases/<str:number>/filings/",
        views.CaseFilingListView.as_view(),
        name="case_filings",
    ),
    path("filings/<int:pk>/", views.FilingDetailView.as_view(), name="filing_detail"),
    path("filings/<int:pk>/accept/", views.FilingAcceptView.as_view(), name="filing_accept"),
    path("filings/<int:pk>/reject/", views.FilingRejectView.as_view(), name="filing_reject"),
    path(
        "documents/<int:pk>/download/",
        views.DocumentDownloadView.as_view(),
        name="document_download",
    ),
]
