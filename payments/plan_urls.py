"""Payment plans and disbursement runs. Included by casemgmt.urls as
path("payments/", include("payments.plan_urls"))."""

from django.urls import path

from . import plan_views

app_name = "plans"

urlpatterns = [
    path("plans/", plan_views.troubled_plans, name="troubled"),
    path("plans/<int:pk>/cancel/", plan_views.plan_cancel, name="cancel"),
    path("plans/<slug:court>/<str:number>/", plan_views.case_plans, name="case"),
    path("disbursements/", plan_views.disbursements, name="disbursements"),
    path("disbursements/<int:pk>/", plan_views.disbursement_detail, name="disbursement"),
    path(
        "disbursements/<int:pk>/progress/",
        plan_views.disbursement_progress,
        name="disbursement_progress",
    ),
    path(
        "disbursements/<int:pk>/remittance/",
        plan_views.remittance_report,
        name="remittance",
    ),
    path(
        "disbursements/<int:pk>/remittance.csv",
        plan_views.remittance_download,
        name="remittance_csv",
    ),
]
