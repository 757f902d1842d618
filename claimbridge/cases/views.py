"""The case pages: list, submission, case page and its actions."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_ratelimit.decorators import ratelimit

from claimbridge.core.exceptions import DomainError
from claimbridge.core.pagination import CappedPaginator
from claimbridge.messaging.selectors import (
    CHAT_WINDOW,
    case_chat_window,
    has_chat_after,
)
from claimbridge.notifications.selectors import unread_count
from claimbridge.notifications.services import mark_case_read
from claimbridge.organisations.middleware import SESSION_KEY
from claimbridge.organisations.models import Organisation
from claimbridge.organisations.permissions import can_submit_case

from . import services
from .evidence import build_evidence_zip
from .forms import (
    STATUS_FORMS,
    CaseForm,
    ClaimLineFormSet,
    CorrectionForm,
    EditCaseForm,
    MergeForm,
    MessageForm,
    MonthlyUpdateForm,
    UploadForm,
    uploads_from,
)
from .models import Case
from .selectors import (
    SORTS,
    case_list,
    case_page,
    case_tasks,
    cases_visible_to,
    get_case_for_user,
    merge_candidates,
)

PAGE_SIZE = 25
# Rows a list page counts before it says "of more than": a search stops counting
# sooner, because every row it counts is read and matched against the text.
COUNT_CAP, SEARCH_COUNT_CAP = 1000, 250

# The currency a new case starts with, by the client's country (editable).
HOME_CURRENCY = {
    "DK": "DKK",
    "SE": "SEK",
    "NO": "NOK",
    "IS": "ISK",
    "GB": "GBP",
    "CH": "CHF",
    "PL": "PLN",
    "CZ": "CZK",
    "HU": "HUF",
    "RO": "RON",
    "BG": "BGN",
    "US": "USD",
    "CA": "CAD",
    "AU": "AUD",
    "JP": "JPY",
}

# Which side may use which action in which statuses (DESIGN §3); the service
# checks the same moves against Case.TRANSITIONS under a row lock.
ACTIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "request-info": ("partner", (Case.Status.PENDING_VERIFICATION, Case.Status.ACTIVE)),
    "accept": (
        "partner",
        (Case.Status.PENDING_VERIFICATION, Case.Status.MORE_INFO_REQUIRED),
    ),
    "pause": ("partner", (Case.Status.ACTIVE,)),
    "resume": ("partner", (Case.Status.PAUSED,)),
    "close": ("partner", Case.OPEN_STATUSES),
    "withdraw": ("client", Case.OPEN_STATUSES),
}


def available_actions(case: Case, side: str) -> list[str]:
    return [
        name
        for name, (who, statuses) in ACTIONS.items()
        if who == side and case.status in statuses
    ]


@login_required
def case_list_view(request: HttpRequest) -> HttpResponse:
    membership = request.membership
    status = request.GET.get("status", "")
    query = request.GET.get("q", "")[:100]
    sort = request.GET.get("sort", "-last_activity_at")
    cases = case_list(membership, status=status, query=query, sort=sort)
    cap = SEARCH_COUNT_CAP if query.strip() else COUNT_CAP
    page = CappedPaginator(cases, PAGE_SIZE, cap=cap).get_page(request.GET.get("page"))
    side = "partner" if membership and membership.organisation.is_partner else "client"
    return render(
        request,
        "cases/list.html",
        {
            "page": page,
            "status": status,
            "query": query,
            "sort": sort if sort in SORTS else "-last_activity_at",
            "statuses": Case.Status.choices,
            "side": side,
            "can_submit": can_submit_case(membership),
        },
    )


@login_required
def case_new(request: HttpRequest) -> HttpResponse:
    membership = request.membership
    if not can_submit_case(membership):
        raise Http404
    country = membership.organisation.country.code
    form = CaseForm(
        request.POST or None,
        request.FILES or None,
        initial={
            "debtor_country": country,
            "currency": HOME_CURRENCY.get(country, "EUR"),
        },
    )
    lines = ClaimLineFormSet(request.POST or None, prefix="lines")
    if request.method == "POST" and "add_line" not in request.POST:
        if form.is_valid() and lines.is_valid():
            try:
                case = services.submit_case(
                    actor=request.user,
                    membership=membership,
                    partner=form.cleaned_data["partner"],
                    case_data=form.case_data(),
                    lines=[f.cleaned_data for f in lines if f.cleaned_data],
                    uploads=uploads_from(
                        form.cleaned_data["files"], form.cleaned_data["document_kind"]
                    ),
                    request_token=form.cleaned_data["request_token"],
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            except ValidationError as exc:
                form.add_error(None, "; ".join(exc.messages))
            else:
                messages.success(
                    request, _("Case %(ref)s submitted.") % {"ref": case.reference}
                )
                return redirect(case)
    elif "add_line" in request.POST:
        lines = _with_extra_line(request)
    status = 400 if request.method == "POST" and "add_line" not in request.POST else 200
    return render(
        request,
        "cases/new.html",
        {"form": form, "lines": lines, "partners": _partner_coverage()},
        status=status,
    )


def _with_extra_line(request: HttpRequest) -> Any:
    data = request.POST.copy()
    total = int(data.get("lines-TOTAL_FORMS", "1") or 1)
    data["lines-TOTAL_FORMS"] = str(min(total + 1, 200))
    formset = ClaimLineFormSet(data, prefix="lines")
    formset._errors = [{} for _f in range(len(formset.forms))]  # no errors shown yet
    formset._non_form_errors = formset.error_class()
    return formset


def _partner_coverage() -> list[tuple[Organisation, str]]:
    partners = Organisation.objects.filter(kind=Organisation.Kind.PARTNER).order_by(
        "name"
    )
    return [(p, ", ".join(c.name for c in p.covered_countries)) for p in partners]


# The close form's codes per outcome, for the script that filters them.
OUTCOME_CODES = {k: " ".join(v) for k, v in Case.OUTCOME_CODES.items()}


def _new_action_form(case: Case, name: str) -> Any:
    form_class, _target = STATUS_FORMS[name]
    return form_class(initial={"expected_status": case.status})


def _case_context(
    request: HttpRequest, case: Case, opened: str = "", **forms: Any
) -> dict[str, Any]:
    """The case page. An action's form is made only when it is shown at once:
    it came back with errors, or it was asked for (`opened`); the others load
    when their panel is opened (case_detail with ?action=)."""
    side = services.side_of(request.membership, case)
    actions = available_actions(case, side)
    action_forms = {
        name: forms.get(name)
        or (_new_action_form(case, name) if name == opened else None)
        for name in actions
    }
    full_chat = request.GET.get("chat") == "all"
    page = case_page(
        case,
        side,
        full_chat=full_chat,
        full_timeline=request.GET.get("timeline") == "all",
    )
    shown = set(action_forms)
    shown |= {"message"} if case.is_open else set()
    shown |= {"upload"} if case.status != Case.Status.MERGED else set()
    shown |= {"correction"} if services.can_correct_claims(case, side) else set()
    can_post_update = side == "partner" and case.status in services.UPDATE_STATUSES
    shown |= {"update"} if can_post_update else set()
    # Errors of a form the page does not show (the status moved on) go on top.
    page_errors = [
        error
        for name, form in forms.items()
        if name not in shown
        for error in form.non_field_errors()
    ]
    return {
        "page_errors": page_errors,
        "page": page,
        "last_entry_id": page.chat[-1].pk if page.chat else 0,
        "chat_has_earlier": page.chat_has_earlier,
        "full_chat": full_chat,
        "case": case,
        "side": side,
        "status_label": case.status_label_for(side),
        "actions": action_forms,
        "message_form": forms.get("message") or MessageForm(),
        "upload_form": forms.get("upload") or UploadForm(),
        "outcome_codes": OUTCOME_CODES,
        "can_post": case.is_open,
        "can_upload": case.status != Case.Status.MERGED,
        "can_edit": bool(services.editable_fields(case, side)),
        "can_merge": side == "partner" and case.is_open,
        "can_correct": services.can_correct_claims(case, side),
        "correction_form": forms.get("correction"),
        "can_post_update": can_post_update,
        "update_form": forms.get("update") or MonthlyUpdateForm(),
    }


def _other_membership_seeing(request: HttpRequest, case_id: int) -> Any:
    """Another of the person's active memberships whose organisation is a party
    to the case, if any (one query per other membership, only on this path)."""
    for membership in request.memberships:
        if membership != request.membership and (
            cases_visible_to(membership).filter(pk=case_id).exists()
        ):
            return membership
    return None


@login_required
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    """The case page; with ?action=<name>, that action's form open.

    The panel of an action asks for its form when opened (htmx): then only the
    form is sent. An action this user may not take now (the case moved on
    since the page was opened) is said so in the panel, or on the page.
    """
    try:
        case = get_case_for_user(request.membership, case_id)
    except Http404:
        # A link from a mail of another of the person's organisations: work there.
        other = _other_membership_seeing(request, case_id)
        if other is None:
            raise
        request.session[SESSION_KEY] = other.organisation_id
        messages.info(
            request,
            _("You are now working in %(organisation)s, whose case this is.")
            % {"organisation": other.organisation.name},
        )
        return redirect(request.get_full_path())
    opened = request.GET.get("action", "")
    if opened:
        side = services.side_of(request.membership, case)
        if opened not in available_actions(case, side):
            gone = _(
                "This action is not available any more: the case is now "
                "“%(status)s”. Reload the page to see what you can do."
            ) % {"status": case.status_label_for(side)}
            if request.headers.get("HX-Request") == "true":
                return HttpResponse(
                    format_html('<p class="warning" role="alert">{}</p>', gone)
                )
            messages.warning(request, gone)
            return redirect(case.get_absolute_url())
        if request.headers.get("HX-Request") == "true":
            return render(
                request,
                "cases/_action_form.html",
                {
                    "case": case,
                    "name": opened,
                    "form": _new_action_form(case, opened),
                    "outcome_codes": OUTCOME_CODES,
                },
            )
    mark_case_read(user=request.user, case_id=case.pk)
    return render(
        request, "cases/detail.html", _case_context(request, case, opened=opened)
    )


def _invalid(request: HttpRequest, case: Case, **forms: Any) -> HttpResponse:
    return render(
        request, "cases/detail.html", _case_context(request, case, **forms), status=400
    )


@login_required
@require_POST
@ratelimit(
    group="cases.post_message",
    key="user",
    rate="claimbridge.core.ratelimits.messages_rate",
    method="POST",
)
def post_message(request: HttpRequest, case_id: int) -> HttpResponse:
    case = get_case_for_user(request.membership, case_id)
    form = MessageForm(request.POST, request.FILES)
    if not form.is_valid():
        return _invalid(request, case, message=form)
    try:
        services.post_case_message(
            case_id=case.pk,
            actor=request.user,
            membership=request.membership,
            body=form.cleaned_data["body"],
            uploads=uploads_from(
                form.cleaned_data["files"], form.cleaned_data["kind"] or "other"
            ),
            request_token=form.cleaned_data["request_token"],
        )
    except DomainError as exc:
        form.add_error(None, exc.message)
        return _invalid(request, case, message=form)
    messages.success(request, _("Message sent."))
    return redirect(case.get_absolute_url() + "#chat")


@login_required
@require_POST
@ratelimit(
    group="cases.upload_documents",
    key="user",
    rate="claimbridge.core.ratelimits.uploads_rate",
    method="POST",
)
def upload_documents(request: HttpRequest, case_id: int) -> HttpResponse:
    case = get_case_for_user(request.membership, case_id)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _invalid(request, case, upload=form)
    try:
        documents = services.upload_case_documents(
            case_id=case.pk,
            actor=request.user,
            membership=request.membership,
            uploads=uploads_from(form.cleaned_data["files"], form.cleaned_data["kind"]),
            request_token=form.cleaned_data["request_token"],
        )
    except DomainError as exc:
        form.add_error(None, exc.message)
        return _invalid(request, case, upload=form)
    messages.success(request, _("%(count)d file(s) added.") % {"count": len(documents)})
    return redirect(case.get_absolute_url() + "#documents")


@login_required
@require_POST
def change_status(request: HttpRequest, case_id: int, action: str) -> HttpResponse:
    case = get_case_for_user(request.membership, case_id)
    if action not in STATUS_FORMS:
        raise Http404
    form_class, to_status = STATUS_FORMS[action]
    form = form_class(request.POST, request.FILES)
    if not form.is_valid():
        return _invalid(request, case, **{action: form})
    data = form.cleaned_data
    try:
        services.change_case_status(
            case_id=case.pk,
            actor=request.user,
            membership=request.membership,
            to_status=to_status,
            expected_status=data["expected_status"],
            message=data.get("message", ""),
            uploads=uploads_from(data.get("files") or []),
            close_code=data.get("close_code", ""),
            close_comment=data.get("close_comment", ""),
            recovered_amount=data.get("recovered_amount"),
            reason=data.get("reason", ""),
            confirmed=data.get("confirmed", False),
            request_token=data["request_token"],
        )
    except DomainError as exc:
        form.add_error(None, exc.message)
        return _invalid(request, case, **{action: form})
    messages.success(request, _("Status updated."))
    return redirect(case)


@login_required
@require_POST
def post_update(request: HttpRequest, case_id: int) -> HttpResponse:
    """The partner's monthly update, posted in the chat as a partner note."""
    case = get_case_for_user(request.membership, case_id)
    form = MonthlyUpdateForm(request.POST)
    if not form.is_valid():
        return _invalid(request, case, update=form)
    try:
        services.post_monthly_update(
            case_id=case.pk,
            actor=request.user,
            membership=request.membership,
            work_done=form.cleaned_data["work_done"],
            payments_received=form.cleaned_data["payments_received"],
            recommendation=form.cleaned_data["recommendation"],
            comment=form.cleaned_data["comment"],
            request_token=form.cleaned_data["request_token"],
        )
    except DomainError as exc:
        form.add_error(None, exc.message)
        return _invalid(request, case, update=form)
    messages.success(request, _("Monthly update posted."))
    return redirect(case.get_absolute_url() + "#chat")


def _membership_side(request: HttpRequest, case: Case) -> str:
    side = services.side_of(request.membership, case)
    if side is None:  # pragma: no cover - the selector already scoped the case
        raise Http404
    return side


@login_required
def merge(request: HttpRequest, case_id: int) -> HttpResponse:
    """The partner merges other cases of the same client and currency into this one."""
    case = get_case_for_user(request.membership, case_id)
    if _membership_side(request, case) != "partner" or not case.is_open:
        raise Http404
    candidates = list(merge_candidates(case))
    form = MergeForm(request.POST or None, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        try:
            services.merge_cases(
                primary_id=case.pk,
                other_ids=form.cleaned_data["cases"],
                actor=request.user,
                membership=request.membership,
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, _("Cases merged into %(ref)s.") % {"ref": case.reference}
            )
            return redirect(case)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "cases/merge.html",
        {"case": case, "form": form, "candidates": candidates},
        status=status,
    )


@login_required
def edit(request: HttpRequest, case_id: int) -> HttpResponse:
    case = get_case_for_user(request.membership, case_id)
    fields = services.editable_fields(case, _membership_side(request, case))
    if not fields:
        raise Http404
    form = EditCaseForm(request.POST or None, case=case, fields=fields)
    if request.method == "POST" and form.is_valid():
        try:
            services.edit_case(
                case_id=case.pk,
                actor=request.user,
                membership=request.membership,
                changes=form.changed_values(),
            )
        except (DomainError, ValidationError) as exc:
            form.add_error(
                None, getattr(exc, "message", None) or "; ".join(exc.messages)
            )
        else:
            messages.success(request, _("Case details saved."))
            return redirect(case)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "cases/edit.html", {"case": case, "form": form}, status=status
    )


@login_required
@require_POST
def correct_line(request: HttpRequest, case_id: int) -> HttpResponse:
    case = get_case_for_user(request.membership, case_id)
    form = CorrectionForm(request.POST)
    if (
        form.is_valid()
        and case.claim_lines.filter(pk=form.cleaned_data["line"]).exists()
    ):
        try:
            services.correct_claim_line(
                line_id=form.cleaned_data["line"],
                actor=request.user,
                membership=request.membership,
                principal=form.cleaned_data["principal"],
                paid=form.cleaned_data["paid"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Claim corrected."))
            return redirect(case.get_absolute_url() + "#claims")
    elif form.is_valid():
        raise Http404
    return _invalid(request, case, correction=form)


def status_help(request: HttpRequest) -> HttpResponse:
    """What each status means, who may do what in it, and what happens next."""
    return render(request, "cases/status_help.html")


@login_required
def chat_log(request: HttpRequest, case_id: int) -> HttpResponse:
    """The chat, polled by the open case page: 204 when nothing is new."""
    case = get_case_for_user(request.membership, case_id)
    try:
        since = int(request.GET.get("since", "0"))
    except ValueError:
        since = 0
    unread = unread_count(request.user, request.membership.organisation_id)
    # The page says how many unread notices its bell shows; a notice about
    # another case changes the count without a new entry here.
    if not has_chat_after(case.pk, since) and request.GET.get("unread") == str(unread):
        return HttpResponse(status=204)
    if mark_case_read(user=request.user, case_id=case.pk):
        unread = unread_count(request.user, request.membership.organisation_id)
    full_chat = request.GET.get("chat") == "all"
    chat, has_earlier = case_chat_window(case.pk, None if full_chat else CHAT_WINDOW)
    return render(
        request,
        "cases/_chat_update.html",
        {
            "case": case,
            "chat": chat,
            "chat_has_earlier": has_earlier,
            "full_chat": full_chat,
            "last_entry_id": chat[-1].pk if chat else 0,
            "unread_notifications": unread,
            # A new entry may have closed or opened tasks: the panel follows.
            "tasks": case_tasks(case.pk),
            "membership": request.membership,
        },
    )


@login_required
@require_GET
def export_evidence(request: HttpRequest, case_id: int) -> FileResponse:
    """The case's evidence ZIP: the case PDF, its files and their SHA-256 sums."""
    case = get_case_for_user(request.membership, case_id)
    export = build_evidence_zip(
        case,
        side=_membership_side(request, case),
        exported_by=request.user,
        organisation=request.membership.organisation,
    )
    services.record_evidence_export(
        case_id=case.pk,
        actor=request.user,
        membership=request.membership,
        filename=export.filename,
        sha256=export.sha256,
    )
    response = FileResponse(
        export.file,
        as_attachment=True,
        filename=export.filename,
        content_type="application/zip",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
