from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from claimbridge.accounts.selectors import has_two_factor
from claimbridge.audit.selectors import security_log as security_events
from claimbridge.core.exceptions import DomainError
from claimbridge.core.pagination import CappedPaginator

from . import services
from .forms import SecuritySettingsForm
from .middleware import SESSION_KEY
from .permissions import can_manage_security
from .selectors import memberships_of

SECURITY_LOG_PAGE_SIZE = 50


@login_required
@require_POST
def switch(request: HttpRequest) -> HttpResponse:
    try:
        organisation_id = int(request.POST.get("organisation", ""))
    except ValueError as exc:
        raise Http404 from exc
    if not 0 < organisation_id < 2**63:  # no such id; SQLite cannot even compare it
        raise Http404
    if (
        not memberships_of(request.user)
        .filter(organisation_id=organisation_id)
        .exists()
    ):
        raise Http404
    request.session[SESSION_KEY] = organisation_id
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "cases:list"
    return redirect(target)


@login_required
def security_settings(request: HttpRequest) -> HttpResponse:
    """The organisation's security rules, for its admins (404 for anyone else)."""
    membership = request.membership
    if not can_manage_security(membership):
        raise Http404
    organisation = membership.organisation
    form = SecuritySettingsForm(
        request.POST or None,
        initial={"requires_two_factor": organisation.requires_two_factor},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.set_two_factor_requirement(
                membership=membership,
                actor=request.user,
                required=form.cleaned_data["requires_two_factor"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Security settings saved."))
            return redirect("organisations:security")
    return render(
        request,
        "organisations/security.html",
        {
            "form": form,
            "has_two_factor": has_two_factor(request.user),
        },
        status=400 if form.errors else 200,
    )


@login_required
def security_log(request: HttpRequest) -> HttpResponse:
    """Log-ins, failed log-ins, two-factor changes and file downloads (admins only)."""
    membership = request.membership
    if not can_manage_security(membership):
        raise Http404
    events = security_events(membership.organisation_id)
    page = CappedPaginator(events, SECURITY_LOG_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "organisations/security_log.html", {"page": page})
