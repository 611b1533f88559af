"""The speedy-trial clock's page and forms, mounted at /speedy-trial/ (the case page's
Speedy trial panel links and posts here)."""

from django.urls import path

from . import speedy_trial_views as views

app_name = "speedy_trial"

urlpatterns = [
    path("<slug:court>/<str:number>/", views.speedy_trial_page, name="case"),
    path("<slug:court>/<str:number>/dates/", views.speedy_trial_dates, name="dates"),
    path("<slug:court>/<str:number>/periods/", views.excludable_period_add_view, name="period_add"),
    path(
        "<slug:court>/<str:number>/periods/<int:pk>/end/",
        views.excludable_period_end_view,
        name="period_end",
    ),
]
