"""The hearing pages, mounted at /hearings/ (the case page's Hearings panel links here)."""

from django.urls import path

from . import views

app_name = "hearings"

urlpatterns = [
    path("new/<slug:court>/<str:number>/", views.hearing_new, name="new"),
    path("new/<slug:court>/<str:number>/check/", views.hearing_new_check, name="new_check"),
    path("<int:pk>/", views.hearing_detail, name="detail"),
    path("<int:pk>/continue/", views.hearing_continue_view, name="continue"),
    path("<int:pk>/reschedule/", views.hearing_reschedule_view, name="reschedule"),
    path("<int:pk>/vacate/", views.hearing_vacate_view, name="vacate"),
    path("<int:pk>/outcome/", views.hearing_outcome_view, name="outcome"),
    path(
        "<int:pk>/<str:which>/check/",
        views.hearing_change_check,
        name="change_check",
    ),
]
