from django.urls import path

from . import views

app_name = "dashboard"

urlpatterns = [
    path("", views.dashboard, name="index"),
    path("<slug:slug>.csv", views.export, name="export"),
    path("<slug:slug>/", views.drilldown, name="list"),
]
