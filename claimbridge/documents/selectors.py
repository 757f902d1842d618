from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from claimbridge.organisations.models import Membership

from .models import Document


def documents_visible_to(membership: Membership | None) -> QuerySet[Document]:
    """Files of cases where the membership's organisation is client or partner."""
    if membership is None:
        return Document.objects.none()
    org_id = membership.organisation_id
    return Document.objects.filter(
        Q(case__client_id=org_id) | Q(case__partner_id=org_id)
    )


def get_document_for_download(
    membership: Membership | None, document_id: int
) -> Document:
    """A visible, not removed file, or 404 (also for other organisations' files)."""
    return get_object_or_404(
        documents_visible_to(membership).filter(removed_at__isnull=True), pk=document_id
    )


def case_documents(case_id: int) -> QuerySet[Document]:
    return (
        Document.objects.filter(case_id=case_id, removed_at__isnull=True)
        .select_related("uploaded_by", "organisation")
        .order_by("uploaded_at", "id")
    )
