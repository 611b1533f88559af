from django.urls import include, path

urlpatterns = [
    path("", include("docket.api.schedule_urls")),
]
