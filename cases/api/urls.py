"""`/api/v1/cases/...` (API.md). A case is addressed by its number."""

from django.urls import path

from . import views

urlpatterns = [
    path("cases/", views.CaseListView.as_view(), name="case_list"),
    path("cases/<str:number>/", views.CaseDetailView.as_view(), name="case_detail"),
    path(
        "cases/<str:number>/transition/",
        views.CaseTransitionView.as_view(),
        name="case_transition",
    ),
    path(
        "cases/<str:number>/confidentiality/",
        views.CaseConfidentialityView.as_view(),
        name="case_confidentiality",
    ),
    path("cases/<str:number>/parties/", views.CasePartyListView.as_view(), name="case_parties"),
    path(
        "cases/<str:number>/appearances/",
        views.AppearanceListView.as_view(),
        name="case_appearances",
    ),
    path(
        "cases/<str:number>/appearances/<int:appearance_id>/withdraw/",
        views.AppearanceWithdrawView.as_view(),
        name="case_appearance_withdraw",
    ),
    path("cases/<str:number>/charges/", views.ChargeListView.as_view(), name="case_charges"),
    path(
        "cases/<str:number>/charges/<int:count>/plea/",
        views.ChargePleaView.as_view(),
        name="case_charge_plea",
    ),
    path(
        "cases/<str:number>/charges/<int:count>/disposition/",
        views.ChargeDispositionView.as_view(),
        name="case_charge_disposition",
    ),
    path("cases/<str:number>/docket/", views.DocketView.as_view(), name="case_docket"),
]
