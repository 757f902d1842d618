"""Log-ins in the audit trail.

Django's auth signals join the log-in flow, which must not know about the audit
trail, to it.
"""

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from claimbridge.audit.models import AuditEvent
from claimbridge.audit.services import record_event


@receiver(user_logged_in)
def record_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record_event(
        action=AuditEvent.Action.USER_LOGGED_IN,
        actor=user,
        organisation=None,
        summary=user.email,
    )


@receiver(user_login_failed)
def record_failed_login(sender: Any, credentials: dict[str, Any], **kwargs: Any) -> None:
    # The attempted address is kept as typed; no account is revealed by it.
    record_event(
        action=AuditEvent.Action.USER_LOGIN_FAILED,
        actor=None,
        organisation=None,
        summary=str(credentials.get("username", ""))[:200],
    )
