import factory

from claimbridge.accounts.tests.factories import UserFactory
from claimbridge.cases.tests.factories import CaseFactory
from claimbridge.notifications.models import Notification


class NotificationFactory(factory.django.DjangoModelFactory):
    """A notification row as queue_email writes it, without rendering templates."""

    class Meta:
        model = Notification

    recipient = factory.SubFactory(UserFactory)
    case = factory.SubFactory(CaseFactory)
    organisation = factory.LazyAttribute(lambda o: o.case.client)
    kind = Notification.Kind.MESSAGE_POSTED
    subject = factory.LazyAttribute(lambda o: f"[{o.case.reference}] New message")
    body_text = "A new message."
    body_html = "<p>A new message.</p>"
