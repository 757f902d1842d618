import factory

from claimbridge.accounts.tests.factories import UserFactory
from claimbridge.cases.tests.factories import CaseFactory
from claimbridge.messaging.models import Message


class MessageFactory(factory.django.DjangoModelFactory):
    """A chat message written straight to the database (no workflow effects)."""

    class Meta:
        model = Message

    case = factory.SubFactory(CaseFactory)
    kind = Message.Kind.MESSAGE
    author = factory.SubFactory(UserFactory)
    organisation = factory.LazyAttribute(lambda o: o.case.client)
    body = factory.Sequence(lambda n: f"Message number {n} about the unpaid invoices.")
