"""The public deadline calculator, mounted at /deadlines/ (next to the case deadline
pages of docket.deadline_case_urls)."""

from django.urls import path

from . import deadline_views

app_name = "deadlines"

urlpatterns = [
    path("calculator/", deadline_views.calculator, name="calculator"),
]
