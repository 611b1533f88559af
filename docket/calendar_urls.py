from django.urls import path

from . import calendar_views

app_name = "calendar"

urlpatterns = [
    path("", calendar_views.day, name="day"),
    path("sheet.pdf", calendar_views.sheet_pdf, name="sheet_pdf"),
]
