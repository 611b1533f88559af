"""Notice pages. Included by casemgmt.urls as: path("notices/", include("filings.notice_urls"))."""

from django.urls import path

from . import notice_views

app_name = "notices"

urlpatterns = [
    path("batches/new/", notice_views.batch_new, name="batch_new"),
    path("batches/<int:pk>/", notice_views.batch_detail, name="batch_detail"),
    path("batches/<int:pk>/progress/", notice_views.batch_progress, name="batch_progress"),
]
