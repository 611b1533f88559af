"""`/filings/...`: filing a document, the review queue, a filing, documents."""

from django.urls import path

from . import views

app_name = "filings"

urlpatterns = [
    path("queue/", views.queue, name="queue"),
    path("mine/", views.mine, name="mine"),
    path("<int:pk>/", views.filing_detail, name="detail"),
    path("<int:pk>/accept/", views.filing_accept_view, name="accept"),
    path("<int:pk>/reject/", views.filing_reject_view, name="reject"),
    path("documents/<int:pk>/download/", views.document_download, name="document_download"),
    path("documents/<int:pk>/preview/", views.document_preview, name="document_preview"),
    path(
        "documents/<int:pk>/confidentiality/",
        views.document_confidentiality_view,
        name="document_confidentiality",
    ),
    path("<slug:court>/<str:number>/new/", views.filing_new, name="new"),
]
