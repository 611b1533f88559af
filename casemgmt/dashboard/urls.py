from django.urls import path

from . import export_views, views

app_name = "dashboard"

urlpatterns = [
    path("", views.dashboard, name="index"),
    path("<slug:slug>.csv", views.export, name="export"),
    # The worker's exports, before the drill-downs' "<slug>/" (which would answer them).
    path("exports/", export_views.export_jobs, name="export_jobs"),
    path("exports/<int:pk>/", export_views.export_job_detail, name="export_job"),
    path("exports/<int:pk>/progress/", export_views.export_job_progress, name="export_progress"),
    path("exports/<int:pk>.csv", export_views.export_job_download, name="export_download"),
    path("<slug:slug>/", views.drilldown, name="list"),
]
