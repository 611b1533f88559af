"""The clerk's money pages, under /payments/ (plans and disbursements: plan_urls)."""

from django.urls import path

from . import views

app_name = "payments"

urlpatterns = [
    path("counter/", views.counter, name="counter"),
    path("counter/pay/", views.counter_pay, name="counter_pay"),
    path("receipts/<str:number>.pdf", views.receipt_pdf, name="receipt_pdf"),
    path("receipts/<str:number>/", views.receipt, name="receipt"),
    path("drawers/", views.drawers, name="drawers"),
    path("drawers/open/", views.drawer_open_view, name="drawer_open"),
    path("drawers/deposits/", views.deposits, name="deposits"),
    path("drawers/<int:pk>/", views.drawer_detail, name="drawer"),
    path("drawers/<int:pk>/close/", views.drawer_close_view, name="drawer_close"),
    path("drawers/<int:pk>/approve/", views.drawer_approve_view, name="drawer_approve"),
]
