"""`/api/v1/programs/`, `/api/v1/referrals/`, `/api/v1/enrollments/` (API.md)."""

from django.urls import path

from . import views

urlpatterns = [
    path("programs/", views.ProgramListView.as_view(), name="programs"),
    path("programs/<int:pk>/", views.ProgramDetailView.as_view(), name="program_detail"),
    path("referrals/", views.ReferralListView.as_view(), name="referrals"),
    path("referrals/<int:pk>/", views.ReferralDetailView.as_view(), name="referral_detail"),
    path("referrals/<int:pk>/screen/", views.ReferralScreenView.as_view(), name="referral_screen"),
    path(
        "referrals/<int:pk>/consents/",
        views.ReferralConsentView.as_view(),
        name="referral_consents",
    ),
    path("referrals/<int:pk>/offer/", views.ReferralOfferView.as_view(), name="referral_offer"),
    path(
        "referrals/<int:pk>/decline/",
        views.ReferralDeclineView.as_view(),
        name="referral_decline",
    ),
    path(
        "referrals/<int:pk>/withdraw/",
        views.ReferralWithdrawView.as_view(),
        name="referral_withdraw",
    ),
    path("referrals/<int:pk>/enroll/", views.ReferralEnrollView.as_view(), name="referral_enroll"),
    path("enrollments/", views.EnrollmentListView.as_view(), name="enrollments"),
    path("enrollments/<int:pk>/", views.EnrollmentDetailView.as_view(), name="enrollment_detail"),
    path(
        "enrollments/<int:pk>/events/",
        views.EnrollmentEventListView.as_view(),
        name="enrollment_events",
    ),
    path(
        "enrollments/<int:pk>/advance/",
        views.EnrollmentAdvanceView.as_view(),
        name="enrollment_advance",
    ),
    path(
        "enrollments/<int:pk>/complete/",
        views.EnrollmentCompleteView.as_view(),
        name="enrollment_complete",
    ),
    path(
        "enrollments/<int:pk>/terminate/",
        views.EnrollmentTerminateView.as_view(),
        name="enrollment_terminate",
    ),
    path(
        "enrollments/<int:pk>/responses/",
        views.EnrollmentResponseView.as_view(),
        name="enrollment_responses",
    ),
    path(
        "enrollments/<int:pk>/flags/",
        views.EnrollmentFlagListView.as_view(),
        name="enrollment_flags",
    ),
]
