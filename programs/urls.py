"""Program pages. Included by casemgmt.urls as path("programs/", include("programs.urls"))."""

from django.urls import path

from . import views

app_name = "programs"

urlpatterns = [
    path("", views.caseload_page, name="caseload"),
    path("referrals/", views.referral_list, name="referrals"),
    path("referrals/<int:pk>/", views.referral_detail, name="referral"),
    path("referrals/<int:pk>/screen/", views.referral_screen, name="referral_screen"),
    path("referrals/<int:pk>/consents/", views.referral_consent, name="referral_consents"),
    path("referrals/<int:pk>/offer/", views.referral_offer, name="referral_offer"),
    path("referrals/<int:pk>/decline/", views.referral_decline, name="referral_decline"),
    path("referrals/<int:pk>/withdraw/", views.referral_withdraw, name="referral_withdraw"),
    path("referrals/<int:pk>/enroll/", views.referral_enroll, name="referral_enroll"),
    path("enrollments/<int:pk>/", views.enrollment_detail, name="enrollment"),
    path(
        "enrollments/<int:pk>/events/<slug:kind>/", views.enrollment_event, name="enrollment_event"
    ),
    path(
        "enrollments/<int:pk>/responses/<slug:kind>/",
        views.enrollment_response,
        name="enrollment_response",
    ),
    path(
        "enrollments/<int:pk>/flags/<int:flag_pk>/resolve/",
        views.flag_resolve,
        name="flag_resolve",
    ),
    path(
        "enrollments/<int:pk>/flags/<int:flag_pk>/hearing/",
        views.flag_hearing,
        name="flag_hearing",
    ),
    path("enrollments/<int:pk>/advance/", views.enrollment_advance, name="enrollment_advance"),
    path("enrollments/<int:pk>/complete/", views.enrollment_complete, name="enrollment_complete"),
    path(
        "enrollments/<int:pk>/terminate/", views.enrollment_terminate, name="enrollment_terminate"
    ),
    path("enrollments/<int:pk>/admit/", views.enrollment_admit, name="enrollment_admit"),
    path("case/<slug:court>/<str:number>/", views.case_programs, name="case"),
    path("case/<slug:court>/<str:number>/refer/", views.case_refer, name="case_refer"),
]
