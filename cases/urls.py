from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("new/", views.intake, name="intake"),
    path("new/party-row/", views.intake_party_row, name="intake_party_row"),
    path("new/<str:kind>-row/", views.intake_row, name="intake_row"),
    path("people/suggest/", views.person_suggestions, name="person_suggest"),
    path("search/", views.search, name="search"),
    path("<slug:court>/<str:number>/", views.detail, name="detail"),
    path("<slug:court>/<str:number>/register/", views.register, name="register"),
    path("<slug:court>/<str:number>/transition/", views.transition, name="transition"),
    path("<slug:court>/<str:number>/parties/add/", views.party_add, name="party_add"),
    path("<slug:court>/<str:number>/charges/add/", views.charge_add_view, name="charge_add"),
    path(
        "<slug:court>/<str:number>/charges/<int:count>/event/",
        views.charge_event,
        name="charge_event",
    ),
    path(
        "<slug:court>/<str:number>/appearances/enter/",
        views.appearance_enter_view,
        name="appearance_enter",
    ),
    path(
        "<slug:court>/<str:number>/appearances/<int:pk>/withdraw/",
        views.appearance_withdraw_view,
        name="appearance_withdraw",
    ),
]
