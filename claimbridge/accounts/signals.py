"""Log-ins, password and two-factor changes in the audit trail.

The signals of Django's auth and of django-allauth join the log-in flows, which
must not know about the audit trail, to it. Each event names the person as
actor (a failed log-in: the account the address belongs to, if any), so the
admins of the person's organisations see it in their security log.
"""

from typing import Any

from allauth.account.signals import password_changed, password_reset
from allauth.mfa.models import Authenticator
from allauth.mfa.signals import (
    authentication_failed,
    authenticator_added,
    authenticator_removed,
    authenticator_reset,
)
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from claimbridge.audit.models import AuditEvent
from claimbridge.audit.services import record_event

from .models import User


def _client(request: HttpRequest | None) -> dict[str, str]:
    if request is None:
        return {}
    from allauth.core.internal.httpkit import get_client_ip

    return {"ip": get_client_ip(request) or ""}


def _method(authenticator: Authenticator) -> str:
    return str(Authenticator.Type(authenticator.type).label)


@receiver(user_logged_in)
def record_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record_event(
        action=AuditEvent.Action.USER_LOGGED_IN,
        actor=user,
        organisation=None,
        changes=_client(request),
        summary=user.email,
    )


@receiver(user_login_failed)
def record_failed_login(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    # The address as typed; the answer to the person never says whether it
    # belongs to an account, the audit trail does.
    typed = str(credentials.get("email") or credentials.get("username") or "")[:200]
    record_event(
        action=AuditEvent.Action.USER_LOGIN_FAILED,
        actor=User.objects.filter(email__iexact=typed).first() if typed else None,
        organisation=None,
        changes=_client(request),
        summary=typed,
    )


@receiver(password_changed)
def record_password_changed(
    sender: Any, request: Any, user: Any, **kwargs: Any
) -> None:
    record_event(
        action=AuditEvent.Action.USER_PASSWORD_CHANGED,
        actor=user,
        organisation=None,
        changes=_client(request),
        summary=user.email,
    )


@receiver(password_reset)
def record_password_reset(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record_event(
        action=AuditEvent.Action.USER_PASSWORD_RESET,
        actor=user,
        organisation=None,
        changes=_client(request),
        summary=user.email,
    )


@receiver(authenticator_added)
def record_mfa_added(
    sender: Any, request: Any, user: Any, authenticator: Authenticator, **kwargs: Any
) -> None:
    record_event(
        action=AuditEvent.Action.MFA_ADDED,
        actor=user,
        organisation=None,
        changes={"method": authenticator.type, **_client(request)},
        summary=_method(authenticator),
    )


@receiver(authenticator_removed)
def record_mfa_removed(
    sender: Any, request: Any, user: Any, authenticator: Authenticator, **kwargs: Any
) -> None:
    record_event(
        action=AuditEvent.Action.MFA_REMOVED,
        actor=user,
        organisation=None,
        changes={"method": authenticator.type, **_client(request)},
        summary=_method(authenticator),
    )


@receiver(authenticator_reset)
def record_mfa_reset(
    sender: Any, request: Any, user: Any, authenticator: Authenticator, **kwargs: Any
) -> None:
    record_event(
        action=AuditEvent.Action.MFA_RESET,
        actor=user,
        organisation=None,
        changes={"method": authenticator.type, **_client(request)},
        summary=_method(authenticator),
    )


@receiver(authentication_failed)
def record_mfa_failed(
    sender: Any, request: Any, user: Any, authenticator: Any = None, **kwargs: Any
) -> None:
    record_event(
        action=AuditEvent.Action.MFA_FAILED,
        actor=user,
        organisation=None,
        changes=_client(request),
        summary=user.email,
    )
