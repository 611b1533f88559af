"""The project's URLs with the monthly report pages in front, as casemgmt.urls is to include
them (tests of the pages pass before and after the include line is added there)."""

from django.urls import include, path

from casemgmt.urls import urlpatterns as project

urlpatterns = [path("dashboard/", include("casemgmt.dashboard.report_urls")), *project]
