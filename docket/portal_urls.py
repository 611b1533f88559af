"""Mounted at the site root: the attorney portal under `portal/`, and the iCal feed at
`calendar/feeds/<secret>.ics` (API.md: feeds live outside the API)."""

from django.urls import path

from . import portal_views

app_name = "portal"

urlpatterns = [
    path("portal/cases/", portal_views.my_cases, name="cases"),
    path("portal/calendar/", portal_views.my_calendar, name="calendar"),
    path("portal/calendar/feed/", portal_views.feed_settings, name="feed"),
    path("calendar/feeds/<str:token>.ics", portal_views.feed_ics, name="feed_ics"),
]
