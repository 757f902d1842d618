"""The real routes plus two mistakes the isolation walker must catch.

Used only by `test_isolation.py`, through `@pytest.mark.urls`: a case page
that forgot its scoped selector, and a route whose id no test knows.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.utils.html import escape

from claimbridge.cases.models import Case
from config import urls as real_urls

handler429 = real_urls.handler429


@login_required
def leaky_case_summary(request: HttpRequest, case_id: int) -> HttpResponse:
    """Logged in is checked; whose case it is, is not."""
    case = Case.objects.get(pk=case_id)
    return HttpResponse(f"<h1>{escape(case.debtor_name)}</h1>")


@login_required
def invoice_preview(request: HttpRequest, invoice_id: int) -> HttpResponse:
    """A route with an id no isolation test has an object for."""
    return HttpResponse(status=404)


urlpatterns = [
    *real_urls.urlpatterns,
    path("cases/<int:case_id>/summary/", leaky_case_summary, name="leaky_case_summary"),
    path("invoices/<int:invoice_id>/preview/", invoice_preview, name="invoice_preview"),
]
