"""Deadline pages of cases and "My deadlines", mounted at /deadlines/ (next to the public
calculator of docket.deadline_urls, which has its own sub-paths)."""

from django.urls import path

from . import deadline_case_views as views

app_name = "case_deadlines"

urlpatterns = [
    path("mine/", views.my_deadlines, name="mine"),
    path("case/<slug:court>/<str:number>/", views.case_deadlines, name="case"),
    path("case/<slug:court>/<str:number>/new/", views.case_deadline_new, name="new"),
    path(
        "case/<slug:court>/<str:number>/<int:pk>/close/",
        views.case_deadline_close,
        name="close",
    ),
]
