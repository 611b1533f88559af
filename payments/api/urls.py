"""`/api/v1/...` for court money (API.md)."""

from django.urls import path, re_path

from . import views
from .receipt_pdf import ReceiptPdfView

urlpatterns = [
    path(
        "cases/<str:number>/obligations/",
        views.CaseObligationListView.as_view(),
        name="case_obligations",
    ),
    path(
        "cases/<str:number>/payments/",
        views.CasePaymentListView.as_view(),
        name="case_payments",
    ),
    path("cases/<str:number>/balance/", views.CaseBalanceView.as_view(), name="case_balance"),
    path("payments/<int:pk>/", views.PaymentDetailView.as_view(), name="payment_detail"),
    path("payments/<int:pk>/void/", views.PaymentVoidView.as_view(), name="payment_void"),
    # Receipt numbers are letters, digits and dashes (R2026-000123); `.pdf` is the printout.
    re_path(
        r"^receipts/(?P<number>[A-Za-z0-9-]+)/$",
        views.ReceiptDetailView.as_view(),
        name="receipt_detail",
    ),
    re_path(
        r"^receipts/(?P<number>[A-Za-z0-9-]+)\.pdf$", ReceiptPdfView.as_view(), name="receipt_pdf"
    ),
]
