import uuid

import factory

from claimbridge.accounts.tests.factories import UserFactory
from claimbridge.cases.tests.factories import CaseFactory
from claimbridge.documents.models import Document


class DocumentFactory(factory.django.DjangoModelFactory):
    """A document row only: no bytes are stored (for list and query-count tests)."""

    class Meta:
        model = Document

    case = factory.SubFactory(CaseFactory)
    organisation = factory.LazyAttribute(lambda o: o.case.client)
    uploaded_by = factory.SubFactory(UserFactory)
    kind = Document.Kind.INVOICE
    file = factory.LazyFunction(lambda: f"documents/2026/01/{uuid.uuid4().hex}")
    original_name = factory.Sequence(lambda n: f"invoice-{1000 + n}.pdf")
    extension = "pdf"
    content_type = "application/pdf"
    size = 2048
    sha256 = "0" * 64
