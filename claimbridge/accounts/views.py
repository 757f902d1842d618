"""Log-in and account pages: django-allauth's views with Claimbridge's rules."""

from http import HTTPStatus
from typing import Any

from allauth.account.views import LoginView as AllauthLoginView
from allauth.usersessions.views import ListUserSessionsView
from django.forms.forms import NON_FIELD_ERRORS
from django.http import HttpResponse

from claimbridge.audit.models import AuditEvent
from claimbridge.audit.services import record_event


class LoginView(AllauthLoginView):
    """allauth's log-in; a throttled attempt is answered with 429.

    The page and the sentence are the same whether or not the account exists.
    """

    def form_invalid(self, form: Any) -> HttpResponse:
        response = super().form_invalid(form)
        if form.has_error(NON_FIELD_ERRORS, "too_many_login_attempts"):
            response.status_code = HTTPStatus.TOO_MANY_REQUESTS
        return response


class SessionsView(ListUserSessionsView):
    """The person's sessions; "log out everywhere else" is recorded."""

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        record_event(
            action=AuditEvent.Action.USER_SESSIONS_ENDED,
            actor=self.request.user,
            organisation=None,
            summary=self.request.user.email,
        )
        return response
