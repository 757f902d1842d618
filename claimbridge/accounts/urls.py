"""Claimbridge's own account routes, in front of django-allauth's (config/urls.py).

`accounts:login` and `accounts:logout` name the same pages as allauth's
`account_login` and `account_logout`.
"""

from allauth.account import views as allauth_views
from django.urls import path
from django.views.generic import RedirectView

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", allauth_views.logout, name="logout"),
    path("sessions/", views.SessionsView.as_view(), name="sessions"),
    # The log-in address is the one the organisation invited; it is not
    # managed here (allauth would let a person add addresses).
    path(
        "email/",
        RedirectView.as_view(pattern_name="account_change_password"),
        name="email",
    ),
]
