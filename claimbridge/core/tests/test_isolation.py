"""Tenant isolation, checked on every route that takes an id.

No list of routes to keep up to date: the test walks Django's URL resolver
(includes and third-party apps too) and collects every route whose pattern
takes an argument. It seeds a client and a partner working a case (claims,
chat, files, tasks, notifications, a failed mail, an evidence export, a
two-factor key…) and fills each route's arguments with the ids of those real
objects. A route whose argument it has no object for fails the test, so a new
route is covered the day it is added.

Each route is then requested with GET and with a plausible POST by people who
must not reach those objects: members and admins of another client and of
another partner (each of which works with one of the two parties on other
cases), a former member of the client, and an anonymous visitor. Every answer
must be 404 (anonymous: the redirect to the log-in page). A 405 passes only
where a missing id gets the same answer, i.e. the method is refused before
any object is read. No answer may contain the case's data, and every row of
the domain tables, the stored files and the mail outbox must be as before
(no view records a refused access, so audit events are compared like any
other row).

Routes that are not per tenant are listed below with the reason. The
`leaky_urls` module proves that the walker catches a route that forgot its
scoped selector, and one whose id it cannot fill.
"""

import itertools
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.db.models import Model
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import (
    Resolver404,
    URLPattern,
    URLResolver,
    get_resolver,
    resolve,
    reverse,
)
from django.urls.resolvers import RegexPattern, RoutePattern
from django_tasks_db.models import DBTaskResult

from claimbridge.accounts.tests.factories import UserFactory
from claimbridge.accounts.tests.helpers import PASSWORD, logged_in
from claimbridge.audit.models import AuditEvent
from claimbridge.cases import services
from claimbridge.cases.forms import STATUS_FORMS
from claimbridge.cases.models import Case
from claimbridge.cases.tests import workflow
from claimbridge.core.testing import checked_upload, claim_line, submit, uploaded
from claimbridge.documents.models import Document
from claimbridge.notifications.models import Notification
from claimbridge.notifications.services import (
    deliver_due_notifications,
    enqueue_delivery,
)
from claimbridge.organisations.models import Membership, Organisation
from claimbridge.organisations.tests.factories import MembershipFactory
from claimbridge.tasks.models import Task
from conftest import membership_of

pytestmark = pytest.mark.django_db

# Routes that take an argument but are not per tenant. They are not requested:
# the argument is a secret token from an e-mail, not the id of anyone's object.
NOT_PER_TENANT = {
    "account_confirm_email": (
        "django-allauth's e-mail confirmation: the key is the HMAC-signed token "
        "mailed to the address, not an object id; a wrong key shows 'invalid link'"
    ),
    "account_reset_password_from_key": (
        "django-allauth's password reset: uidb36 and key form the one-time token "
        "mailed to the person; without a valid key the page only says the link "
        "is invalid and changes nothing"
    ),
}

# Staff-only route families that answer non-staff with their own gate
# instead of 404. Each is still requested; the gate must answer before any
# object is read.
STAFF_ONLY_NAMESPACES = {
    "admin": (
        "Django's admin, for platform staff (is_staff) only: admin_view redirects "
        "every non-staff request to the admin log-in before the object is looked "
        "up, and that page answers 403 to a signed-in non-staff person "
        "(allauth's secure_admin_login, config/urls.py)"
    ),
}

# Argument names that say nothing about the object they name: they are filled
# per route (World.route_ids) or, on a ModelAdmin's routes, with a row of its model.
GENERIC_ARGUMENTS = {"pk", "id", "object_id", "uuid", "slug"}

# An id no row has: a refusal before any object is read answers it alike.
MISSING_ID = 2_000_000_000

# A walker that finds fewer routes with an id is broken (today: 14 of the
# project's own, 56 in all with django-allauth's and the admin's).
OWN_ROUTES_FLOOR = 10
ROUTES_FLOOR = 40


# --- the resolver walk -----------------------------------------------------------


@dataclass(frozen=True)
class Route:
    """One URL pattern with arguments, with the patterns that lead to it."""

    key: str  # "cases:detail"; the pattern itself where the route has no name
    namespace: str
    pattern: str
    parts: tuple[Any, ...]
    callback: Any
    arguments: tuple[str, ...]
    positional: bool

    @property
    def is_own(self) -> bool:
        return getattr(self.callback, "__module__", "").startswith("claimbridge.")


def routes_with_arguments() -> list[Route]:
    """Every route of the root URLconf whose pattern takes an argument."""

    def walk(
        entries: list[Any], parts: tuple[Any, ...], namespace: str
    ) -> Iterator[Route]:
        for entry in entries:
            here = (*parts, entry.pattern)
            if isinstance(entry, URLResolver):
                inner = ":".join(filter(None, [namespace, entry.namespace]))
                yield from walk(entry.url_patterns, here, inner)
                continue
            assert isinstance(entry, URLPattern)
            arguments = [name for part in here for name in part.regex.groupindex]
            positional = any(p.regex.groups and not p.regex.groupindex for p in here)
            if not arguments and not positional:
                continue
            pattern = "".join(str(p) for p in here)
            name = entry.name and ":".join(filter(None, [namespace, entry.name]))
            yield Route(
                key=name or pattern,
                namespace=namespace,
                pattern=pattern,
                parts=here,
                callback=entry.callback,
                arguments=tuple(arguments),
                positional=positional,
            )

    return list(walk(get_resolver().url_patterns, (), ""))


_PATH_ARGUMENT = re.compile(r"<(?:[^>:]+:)?(?P<name>[^>]+)>")


def _fill_regex(regex: str, values: dict[str, str]) -> str:
    """The text a regex pattern matches with its named groups set to `values`."""
    text, i = [], 0
    regex = regex.removeprefix("^").removesuffix("$").removesuffix(r"\Z")
    while i < len(regex):
        group = re.match(r"\(\?P<(\w+)>", regex[i:])
        if group is None:
            if regex[i] == "\\" and i + 1 < len(regex):
                i += 1
            text.append(regex[i])
            i += 1
            continue
        depth, j = 1, i + group.end()
        while depth:
            if regex[j] == "\\":
                j += 1
            elif regex[j] == "(":
                depth += 1
            elif regex[j] == ")":
                depth -= 1
            j += 1
        text.append(values[group[1]])
        i = j
    return "".join(text)


def build_url(route: Route, values: dict[str, Any]) -> str:
    strings = {name: str(value) for name, value in values.items()}
    url = "/"
    for part in route.parts:
        if isinstance(part, RoutePattern):
            url += _PATH_ARGUMENT.sub(lambda m: strings[m["name"]], str(part))
        elif isinstance(part, RegexPattern):
            url += _fill_regex(part.regex.pattern, strings)
        else:
            raise TypeError(f"{type(part).__name__} is not walked")
    return url


def _reaches(url: str, route: Route) -> bool:
    try:
        match = resolve(url)
    except Resolver404:
        return False
    return match.func is route.callback and set(match.kwargs) == set(route.arguments)


# --- the world: a client and a partner working a case -----------------------------


@dataclass
class World:
    case: Case
    # Arguments named after their object, on any route: kwarg → ids to try.
    ids: dict[str, list[Any]]
    # Generic arguments (pk, object_id…), by route key.
    route_ids: dict[str, dict[str, list[Any]]]
    # A ModelAdmin's object_id: a row of its model.
    admin_rows: dict[type[Model], list[Any]]
    # Text of the case that no other organisation may ever be shown.
    secrets: list[str]
    post_body: dict[str, Any] = field(default_factory=dict)
    # The cases the other organisations work on with one of the two parties.
    their_cases: dict[str, Case] = field(default_factory=dict)

    def values_for(self, route: Route, argument: str) -> list[Any] | None:
        if argument in self.route_ids.get(route.key, {}):
            return self.route_ids[route.key][argument]
        model_admin = getattr(route.callback, "model_admin", None)
        if model_admin is not None and argument in ("object_id", "id"):
            return self.admin_rows.get(model_admin.model)
        if argument in GENERIC_ARGUMENTS:
            return None
        return self.ids.get(argument)


def _member(org: Organisation, email: str, role: str = Membership.Role.MEMBER) -> Any:
    user = UserFactory(email=email, first_name=email.split("@")[0].title())
    MembershipFactory(user=user, organisation=org, role=role)
    return user


@pytest.fixture
def partner_admin(partner_org):
    return _member(partner_org, "lotte@hansen.example", Membership.Role.ADMIN)


@pytest.fixture
def world(
    manager,
    client_member,
    agent,
    agent_colleague,
    partner_admin,
    partner_org,
    client_org,
    other_client_org,
    other_partner_org,
    outsider,
    outsider_partner,
):
    """Nordlys Møbler (client) and Hansen Inkasso (partner) working a case.

    The case went pending → more info → active, with chat, files from both
    sides, a monthly update, open tasks for each side, notifications (one of
    them a failed mail), an evidence export and a second case that could be
    merged into it. Brennwerk (another client) also works with Hansen, and
    Recht & Inkasso (another partner) with Nordlys, each on its own case.
    """
    case = submit(
        manager,
        partner_org,
        lines=[claim_line("12450.00", 1), claim_line("3800.50", 2)],
        debtor_company_name="Fjordkant Byg A/S",
        client_reference="NM-2026-017",
    )
    workflow.request_info(case, agent, "Please send the signed framework contract.")
    services.post_case_message(
        case_id=case.pk,
        actor=manager,
        membership=membership_of(manager),
        body="The framework contract is attached, signed in March.",
        uploads=[checked_upload("Rammeaftale Fjordkant.pdf", kind="contract")],
    )
    workflow.upload(case, agent, "Rykker 2 Fjordkant.pdf")
    workflow.accept(case, agent)
    workflow.monthly_update(case, agent)
    workflow.post(case, agent, "Fjordkant promised 5,000 DKK by Friday.")
    services.record_evidence_export(
        case_id=case.pk,
        actor=manager,
        membership=membership_of(manager),
        filename=f"{case.reference}-evidence.zip",
        sha256="9f2c" * 16,
    )
    second = submit(
        client_member,
        partner_org,
        debtor_company_name="Skovbryn Tømrer ApS",
        client_reference="NM-2026-031",
        currency="DKK",
    )
    brennwerk_case = submit(
        outsider, partner_org, debtor_company_name="Keller Haustechnik GmbH"
    )
    recht_case = submit(
        client_member, other_partner_org, debtor_company_name="Vestkyst Auto A/S"
    )

    case.refresh_from_db()
    assert case.status == Case.Status.ACTIVE
    client_doc = Document.objects.get(case=case, organisation=client_org)
    partner_doc = Document.objects.get(case=case, organisation=partner_org)
    client_task = Task.objects.get(case=case, organisation=client_org, state="open")
    partner_task = Task.objects.get(case=second, organisation=partner_org, state="open")
    # The worker gave up on the client's info-request mail (SMTP refused it).
    failed = Notification.objects.filter(
        case=case, recipient=manager, kind=Notification.Kind.INFO_REQUESTED
    ).get()
    Notification.objects.filter(pk=failed.pk).update(
        email_status=Notification.EmailStatus.FAILED,
        attempts=3,
        last_error="550 mailbox unavailable",
    )
    partner_notice = Notification.objects.filter(case=case, recipient=agent).first()
    logged_in(manager)  # the victim has a session (UserSession) too
    security_key = Authenticator.objects.create(
        user=manager,
        type=Authenticator.Type.WEBAUTHN,
        data={"name": "Office YubiKey", "credential": {}},
    )
    address = EmailAddress.objects.create(
        user=manager, email=manager.email, primary=True, verified=True
    )
    enqueue_delivery()  # the outbox job (DBTaskResult)
    export_event = AuditEvent.objects.filter(
        case=case, action=AuditEvent.Action.EVIDENCE_EXPORTED
    ).get()

    return World(
        case=case,
        their_cases={"Brennwerk": brennwerk_case, "Recht & Inkasso": recht_case},
        ids={
            "case_id": [case.pk, second.pk],
            "document_id": [client_doc.pk, partner_doc.pk],
            "task_id": [client_task.pk, partner_task.pk],
            "notification_id": [failed.pk, partner_notice.pk],
            "action": list(STATUS_FORMS),
            "content_type_id": [ContentType.objects.get_for_model(Case).pk],
            "app_label": ["cases"],
        },
        route_ids={
            "mfa_remove_webauthn": {"pk": [security_key.pk]},
            "mfa_edit_webauthn": {"pk": [security_key.pk]},
            "admin:view_on_site": {"object_id": [case.pk]},
            "admin:auth_user_password_change": {"id": [manager.pk]},
            # Any admin address no other admin route answers.
            "admin/(?P<url>.*)$": {"url": [f"debtors/{case.pk}/"]},
        },
        admin_rows={
            Case: [case.pk],
            Organisation: [client_org.pk],
            type(manager): [manager.pk],
            AuditEvent: [export_event.pk],
            Group: [Group.objects.create(name="Support desk").pk],
            EmailAddress: [address.pk],
            Authenticator: [security_key.pk],
            UserSession: [UserSession.objects.filter(user=manager).first().pk],
            DBTaskResult: [DBTaskResult.objects.first().pk],
        },
        secrets=[
            "Fjordkant",
            "Skovbryn",
            "NM-2026-017",
            "framework contract",
            "Rammeaftale",
            "Rykker",
            manager.email,
        ],
        post_body={
            # One body that every form on these routes would accept.
            "body": "We will pay the rest next week.",
            "kind": "other",
            "message": "Please send the delivery notes.",
            "expected_status": case.status,
            "reason": "Debtor asked for a payment plan.",
            "outcome": Case.Outcome.NONE,
            "close_code": "debtor_insolvent",
            "close_comment": "Insolvency filed.",
            "confirmed": "on",
            "work_done": "Called the debtor twice.",
            "payments_received": "0",
            "recommendation": "continue",
            "cases": [second.pk],
            "line": case.claim_lines.order_by("pk").first().pk,
            "principal": "9000.00",
            "paid": "0",
            "due_on": (date.today() + timedelta(days=10)).isoformat(),
            "assignee": agent_colleague.pk,
            "debtor_company_name": "Fjordkant Byg ApS",
            "debtor_email": "attacker@example.com",
            "name": "Stolen key",
            "organisation": client_org.pk,
            "requires_two_factor": "on",
        },
    )


@pytest.fixture
def other_client_admin(other_client_org):
    return _member(other_client_org, "chefin@brennwerk.example", Membership.Role.ADMIN)


@pytest.fixture
def other_partner_admin(other_partner_org):
    return _member(other_partner_org, "kanzlei@recht.example", Membership.Role.ADMIN)


@pytest.fixture
def former_client_member(client_org, other_client_org):
    """Left Nordlys (membership revoked), now works at Brennwerk."""
    user = _member(other_client_org, "jonas@brennwerk.example")
    MembershipFactory(user=user, organisation=client_org, is_active=False)
    return user


@pytest.fixture
def intruders(
    outsider,
    other_client_admin,
    outsider_partner,
    other_partner_admin,
    former_client_member,
) -> dict[str, Client]:
    """Browsers of people outside the case, logged in through the log-in form.

    Each also confirmed its password again (allauth's reauthentication), so
    the pages that ask for it (two-factor keys) get as far as the object.
    """
    people = {
        "member of another client": outsider,
        "admin of another client": other_client_admin,
        "member of another partner": outsider_partner,
        "admin of another partner": other_partner_admin,
        "former member of the client": former_client_member,
    }
    browsers = {name: logged_in(user) for name, user in people.items()}
    for browser in browsers.values():
        again = browser.post(reverse("account_reauthenticate"), {"password": PASSWORD})
        assert again.status_code == 302
    return {**browsers, "anonymous": Client()}


# --- what must not change -------------------------------------------------------


# Tables an intruder's own requests write to, with what they hold. Django's and
# allauth's session tables are not compared either, for the same reason.
OWN_TRAFFIC_TABLES = {
    "core.RateCounter": "rate-limit counters, keyed by the intruder's own user",
}


def _snapshot_models() -> list[type[Model]]:
    """Every table of Claimbridge's apps (M2M tables too) and the third-party
    tables that hold a person's or the outbox's data."""
    models = [
        model
        for config in apps.get_app_configs()
        if config.name.startswith("claimbridge.")
        for model in config.get_models(include_auto_created=True)
        if model._meta.label not in OWN_TRAFFIC_TABLES
    ]
    return [*models, Group, EmailAddress, Authenticator, DBTaskResult]


def snapshot() -> dict[str, Any]:
    rows = {
        model._meta.label: list(model._default_manager.order_by("pk").values())
        for model in _snapshot_models()
    }
    media = Path(settings.MEDIA_ROOT)
    rows["stored files"] = (
        sorted(str(p) for p in media.rglob("*")) if media.exists() else []
    )
    return rows


def changed_tables(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return [label for label in before if before[label] != after[label]]


# --- the walker -------------------------------------------------------------------


@dataclass(frozen=True)
class Leak:
    route: str
    url: str = ""
    persona: str = ""
    method: str = ""
    problem: str = ""

    def __str__(self) -> str:
        where = f" {self.method} {self.url} as {self.persona}" if self.url else ""
        return f"{self.route}:{where} {self.problem}"


def _post_data(body: dict[str, Any]) -> dict[str, Any]:
    files = {"files": uploaded("Betalingsaftale.pdf")}
    return {**body, **files, "request_token": str(uuid.uuid4())}


def _request(client: Client, method: str, url: str, body: dict[str, Any]) -> Any:
    if method == "GET":
        return client.get(url)
    return client.post(url, _post_data(body))


def _is_redirect_to(response: Any, target: str) -> bool:
    if response.status_code != 302:
        return False
    location = urlsplit(response["Location"])
    return location.path == target and "next" in parse_qs(location.query)


def _shows_secret(response: Any, secrets: list[str]) -> str | None:
    # Reading a streamed body (a file download) to its end also closes it the
    # way the test client expects; closing it by hand would close the
    # database connection of the test.
    content = (
        b"".join(response.streaming_content)
        if getattr(response, "streaming", False)
        else response.content
    )
    text = content.decode(errors="replace")
    return next((s for s in secrets if s in text), None)


def _verdict(
    route: Route, persona: str, response: Any, missing: Any | None, secrets: list[str]
) -> str | None:
    secret = _shows_secret(response, secrets)
    if secret is not None:
        return f"answered {response.status_code} showing {secret!r}"
    status = response.status_code
    if route.namespace in STAFF_ONLY_NAMESPACES:
        if _is_redirect_to(response, reverse(f"{route.namespace}:login")):
            return None
        return f"answered {status}, not the {route.namespace} log-in gate"
    if status == 404:
        return None
    if persona == "anonymous" and _is_redirect_to(
        response, resolve_url(settings.LOGIN_URL)
    ):
        return None
    if status == 405 and missing is not None and missing.status_code == 405:
        return None
    return f"answered {status} instead of 404"


def _combinations(route: Route, world: World) -> tuple[list[dict[str, Any]], list[str]]:
    choices, unknown = {}, []
    for argument in route.arguments:
        values = world.values_for(route, argument)
        if values is None:
            unknown.append(argument)
        else:
            choices[argument] = values
    combos = [
        dict(zip(choices, values, strict=True))
        for values in itertools.product(*choices.values())
    ]
    return combos, unknown


def _staff_gate_leaks(namespace: str, browsers: dict[str, Client]) -> list[Leak]:
    """The gate's log-in page refuses signed-in non-staff, sends others to log in."""
    leaks = []
    login = reverse(f"{namespace}:login")
    for persona, client in browsers.items():
        response = client.get(login)
        anonymous_ok = persona == "anonymous" and _is_redirect_to(
            response, resolve_url(settings.LOGIN_URL)
        )
        if not anonymous_ok and not (
            persona != "anonymous" and response.status_code == 403
        ):
            leaks.append(
                Leak(
                    namespace,
                    login,
                    persona,
                    "GET",
                    f"gate answered {response.status_code}",
                )
            )
    return leaks


def find_leaks(
    routes: list[Route], world: World, browsers: dict[str, Client]
) -> list[Leak]:
    """Requests every route with the world's ids as every browser; what leaked.

    A route whose arguments cannot be filled, or whose built URL reaches
    another route, is reported too: it is not covered.
    """
    leaks: list[Leak] = []
    keys = {route.key for route in routes}
    namespaces = {route.namespace for route in routes}
    leaks += [
        Leak(key, problem="is allow-listed but no longer exists")
        for key in NOT_PER_TENANT
        if key not in keys
    ] + [
        Leak(f"{ns}:*", problem="is allow-listed but no longer exists")
        for ns in STAFF_ONLY_NAMESPACES
        if ns not in namespaces
    ]
    for route in routes:
        if route.key in NOT_PER_TENANT:
            continue
        if route.positional:
            leaks.append(Leak(route.key, problem="takes positional arguments"))
            continue
        combos, unknown = _combinations(route, world)
        if unknown:
            leaks.append(
                Leak(
                    route.key,
                    problem=f"takes {', '.join(unknown)}, which the isolation test has "
                    "no object for: add it to the `world` fixture",
                )
            )
            continue
        for values in combos:
            url = build_url(route, values)
            if not _reaches(url, route):
                leaks.append(
                    Leak(route.key, url, problem="the built URL reaches another route")
                )
                continue
            probe = build_url(
                route,
                {k: MISSING_ID if isinstance(v, int) else v for k, v in values.items()},
            )
            for (persona, client), method in itertools.product(
                browsers.items(), ("GET", "POST")
            ):
                try:
                    response = _request(client, method, url, world.post_body)
                    missing = (
                        _request(client, method, probe, world.post_body)
                        if response.status_code == 405
                        else None
                    )
                except Exception as exc:  # noqa: BLE001 - a crash is a finding
                    leaks.append(
                        Leak(route.key, url, persona, method, f"raised {exc!r}")
                    )
                    continue
                problem = _verdict(route, persona, response, missing, world.secrets)
                if problem:
                    leaks.append(Leak(route.key, url, persona, method, problem))
    for namespace in sorted(namespaces & set(STAFF_ONLY_NAMESPACES)):
        leaks += _staff_gate_leaks(namespace, browsers)
    return leaks


def _report(leaks: list[Leak]) -> str:
    return "\n".join(str(leak) for leak in leaks)


# --- the tests --------------------------------------------------------------------


def test_no_route_with_an_id_reaches_another_organisations_objects(
    world, intruders, django_capture_on_commit_callbacks
):
    routes = routes_with_arguments()
    checked = [r for r in routes if r.key not in NOT_PER_TENANT]
    deliver_due_notifications()  # the world's own mails go out first
    mail.outbox.clear()
    before = snapshot()

    # Whatever a request leaves for after its commit (a delivery job, a file
    # removal) runs too, so its effects would show below.
    with django_capture_on_commit_callbacks(execute=True):
        leaks = find_leaks(routes, world, intruders)
    deliver_due_notifications()

    print(f"isolation: {len(checked)} routes with an id checked")
    assert leaks == [], "\n" + _report(leaks)
    assert changed_tables(before, snapshot()) == []
    assert mail.outbox == []
    assert len([r for r in checked if r.is_own]) >= OWN_ROUTES_FLOOR
    assert len(checked) >= ROUTES_FLOOR


@pytest.mark.urls("claimbridge.core.tests.leaky_urls")
def test_walker_reports_a_route_without_a_scoped_selector(world, intruders):
    routes = routes_with_arguments()

    leaks = find_leaks(routes, world, intruders)

    leaked = {(leak.route, leak.persona, leak.method) for leak in leaks}
    signed_in = [p for p in intruders if p != "anonymous"]
    assert {
        ("leaky_case_summary", p, m) for p in signed_in for m in ("GET", "POST")
    } <= leaked
    assert any(
        leak.route == "invoice_preview" and "invoice_id" in leak.problem
        for leak in leaks
    )
    assert {leak.route for leak in leaks} == {"leaky_case_summary", "invoice_preview"}


def test_urls_are_built_from_path_and_regex_patterns():
    routes = {route.key: route for route in routes_with_arguments()}

    status = build_url(
        routes["cases:change_status"], {"case_id": 7, "action": "accept"}
    )
    reset = build_url(
        routes["account_reset_password_from_key"], {"uidb36": "2s", "key": "c8q-1f"}
    )

    assert status == "/cases/7/status/accept/"
    assert reset == "/accounts/password/reset/key/2s-c8q-1f/"


def test_ids_in_a_form_body_never_reach_another_organisations_objects(
    world, intruders, agent
):
    """The intruders' own pages, sent ids of the case in the form instead."""
    brennwerk, recht = (
        world.their_cases["Brennwerk"],
        world.their_cases["Recht & Inkasso"],
    )
    recht_task = Task.objects.get(case=recht, state="open")
    attempts = [
        # A claim line of the case, corrected through Brennwerk's own case.
        (
            "member of another client",
            "cases:correct_line",
            [brennwerk.pk],
            {"line": world.post_body["line"], "principal": "1.00", "paid": "0"},
            404,
        ),
        # The case merged into Recht's case of the same client.
        (
            "admin of another partner",
            "cases:merge",
            [recht.pk],
            {"cases": world.ids["case_id"], "confirmed": "on"},
            400,
        ),
        # Recht's task handed to Hansen's agent.
        (
            "member of another partner",
            "tasks:assign",
            [recht_task.pk],
            {"assignee": agent.pk},
            302,
        ),
    ] + [
        (
            persona,
            "organisations:switch",
            [],
            {
                "organisation": world.case.client_id,
                "next": world.case.get_absolute_url(),
            },
            404,
        )
        for persona in intruders
        if persona != "anonymous"
    ]
    before = snapshot()

    answers = [
        (
            persona,
            name,
            intruders[persona].post(reverse(name, args=args), body).status_code,
        )
        for persona, name, args, body, _expected in attempts
    ]
    case_pages = {
        persona: browser.get(world.case.get_absolute_url()).status_code
        for persona, browser in intruders.items()
        if persona != "anonymous"
    }

    assert answers == [(p, n, expected) for p, n, _a, _b, expected in attempts]
    assert set(case_pages.values()) == {404}
    assert changed_tables(before, snapshot()) == []
