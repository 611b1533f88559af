from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from casemgmt.core import views as core_views

admin.site.site_header = "casemgmt administration"
admin.site.site_title = "casemgmt"

api_v1 = [
    path("", include("casemgmt.core.api.urls")),
    path("", include("cases.api.urls")),
    path("", include("filings.api.urls")),
    path("", include("docket.api.urls")),
    path("", include("payments.api.urls")),
    path("", include("programs.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
]

urlpatterns = [
    path("", include("casemgmt.core.urls")),
    path("cases/", include("cases.urls")),
    path("filings/", include("filings.packet_urls")),
    path("filings/", include("filings.urls")),
    path("notices/", include("filings.notice_urls")),
    path("hearings/", include("docket.urls")),
    path("calendar/", include("docket.calendar_urls")),
    path("speedy-trial/", include("docket.speedy_trial_urls")),
    path("deadlines/", include("docket.deadline_urls")),
    path("deadlines/", include("docket.deadline_case_urls")),
    path("", include("docket.portal_urls")),
    path("payments/", include("payments.urls")),
    path("payments/", include("payments.plan_urls")),
    path("programs/", include("programs.urls")),
    # The reports first: the dashboard's "<slug>/" drill-downs would answer "reports/".
    path("dashboard/", include("casemgmt.dashboard.report_urls")),
    path("dashboard/", include("casemgmt.dashboard.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api"))),
]

handler403 = core_views.permission_denied
