from django.db.models import Q, QuerySet

from claimbridge.organisations.models import Membership

from .models import AuditEvent

NOTIFICATION_ACTIONS = (
    AuditEvent.Action.NOTIFICATION_SENT,
    AuditEvent.Action.NOTIFICATION_FAILED,
    AuditEvent.Action.NOTIFICATION_RESENT,
)


def case_timeline(
    case_id: int, viewer_organisation_id: int | None = None
) -> QuerySet[AuditEvent]:
    """A case's events, oldest first, with actor and organisation joined.

    For a viewer, mail deliveries to the other organisation's people are left
    out: who received which e-mail there is that organisation's business.
    """
    events = AuditEvent.objects.filter(case_id=case_id)
    if viewer_organisation_id is not None:
        events = events.exclude(
            Q(action__in=NOTIFICATION_ACTIONS)
            & ~Q(organisation_id=viewer_organisation_id)
        )
    return events.select_related("actor", "organisation").order_by("created_at", "id")


# What the security log shows: a person's account events, and who took files.
ACCOUNT_ACTIONS = (
    AuditEvent.Action.USER_LOGGED_IN,
    AuditEvent.Action.USER_LOGIN_FAILED,
    AuditEvent.Action.USER_PASSWORD_CHANGED,
    AuditEvent.Action.USER_PASSWORD_RESET,
    AuditEvent.Action.USER_SESSIONS_ENDED,
    AuditEvent.Action.MFA_ADDED,
    AuditEvent.Action.MFA_REMOVED,
    AuditEvent.Action.MFA_RESET,
    AuditEvent.Action.MFA_FAILED,
)


def security_log(organisation_id: int) -> QuerySet[AuditEvent]:
    """One organisation's security events, newest first.

    Account events (log-ins, failed log-ins, password and two-factor changes) of
    its active members; downloads of its files, by anyone, and downloads by its
    members; evidence exports of its cases; changes of its security settings.
    Failed log-ins for addresses without an account belong to nobody.
    """
    members = Membership.objects.filter(
        organisation_id=organisation_id, is_active=True
    ).values("user_id")
    shown = (
        Q(action__in=ACCOUNT_ACTIONS, actor_id__in=members)
        | Q(
            action=AuditEvent.Action.DOCUMENT_DOWNLOADED,
            organisation_id=organisation_id,
        )
        | Q(
            action=AuditEvent.Action.DOCUMENT_DOWNLOADED,
            changes__owner=organisation_id,
        )
        | Q(
            action=AuditEvent.Action.EVIDENCE_EXPORTED,
            case__client_id=organisation_id,
        )
        | Q(
            action=AuditEvent.Action.EVIDENCE_EXPORTED,
            case__partner_id=organisation_id,
        )
        | Q(
            action=AuditEvent.Action.SECURITY_SETTINGS_CHANGED,
            organisation_id=organisation_id,
        )
    )
    return (
        AuditEvent.objects.filter(shown)
        .select_related("actor", "organisation", "case")
        .order_by("-created_at", "-id")
    )
