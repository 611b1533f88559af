from django.urls import include, path

from .calendar_views import CalendarView

urlpatterns = [
    path("", include("docket.api.schedule_urls")),
    path("calendar/", CalendarView.as_view(), name="calendar"),
]
