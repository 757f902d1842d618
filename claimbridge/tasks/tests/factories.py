from datetime import date, timedelta

import factory

from claimbridge.cases.tests.factories import CaseFactory
from claimbridge.tasks.models import Task


class TaskFactory(factory.django.DjangoModelFactory):
    """An open task written straight to the database (no audit event)."""

    class Meta:
        model = Task

    case = factory.SubFactory(CaseFactory)
    organisation = factory.LazyAttribute(lambda o: o.case.partner)
    kind = Task.Kind.REVIEW_NEW_CASE
    due_on = factory.LazyFunction(lambda: date.today() + timedelta(days=1))
