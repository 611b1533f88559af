"""Case packet pages. Included by casemgmt.urls as:
path("filings/", include("filings.packet_urls")) (before the filings include)."""

from django.urls import path

from . import packet_views

app_name = "packets"

urlpatterns = [
    path("packets/<int:pk>/", packet_views.packet_detail, name="detail"),
    path("packets/<int:pk>/progress/", packet_views.packet_progress, name="progress"),
    path("<slug:court>/<str:number>/packets/new/", packet_views.packet_new, name="new"),
]
