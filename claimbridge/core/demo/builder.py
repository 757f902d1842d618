"""Build the demo data through the services, so every row is a real one.

Organisations, people and memberships are created directly (no service writes
them yet). Every case, status change, chat message and upload goes through
`claimbridge.cases.services`, so the timeline, tasks, audit trail and outbox are
exactly what real use would leave. Each case's story is played back at its own
moments in the past (time-machine moves the clock when it is installed), so
lists, deadlines and timelines look lived-in.

Mail: notifications written while seeding are marked as already sent (and the
older ones as read); they are never mailed. Seeding queues no delivery jobs.
"""

import random
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import F
from django.test.utils import override_settings
from django.utils import timezone

from claimbridge.accounts.models import User
from claimbridge.cases import services as case_services
from claimbridge.cases.models import Case
from claimbridge.documents.validation import check_upload
from claimbridge.messaging.models import Message
from claimbridge.notifications.models import Notification
from claimbridge.organisations.models import Membership, Organisation
from claimbridge.tasks.models import Task

from . import data, pdf
from .data import DebtorSpec, OrgSpec, Scenario, Step

# Seeding runs with the dummy tasks backend: the services still "queue" their
# delivery jobs after commit, but nothing lands in the worker's queue, since the
# seeded notifications are marked sent anyway.
NO_BACKGROUND_JOBS = {
    "default": {
        "BACKEND": "django_tasks.backends.dummy.DummyBackend",
        "QUEUES": ["default"],
    }
}
# Seeded notices older than this are shown as read; newer ones stay unread.
UNREAD_WINDOW = timedelta(days=3)
# Rough rates to price one product list in several currencies (1 unit in EUR).
EUR_PER_UNIT = {
    "EUR": Decimal("1"),
    "DKK": Decimal("0.134"),
    "SEK": Decimal("0.087"),
    "NOK": Decimal("0.085"),
    "GBP": Decimal("1.17"),
    "CHF": Decimal("1.06"),
}
HOME_CURRENCY = {"DK": "DKK", "DE": "EUR", "GB": "GBP"}
REMINDERS = ["two reminders", "three reminders", "a reminder and a phone call"]
KIND_LABEL = {"client": "client", "partner": "partner", "platform": "platform staff"}


@dataclass
class Cast:
    orgs: dict[str, Organisation] = field(default_factory=dict)
    specs: dict[str, OrgSpec] = field(default_factory=dict)
    members: dict[str, list[Membership]] = field(default_factory=dict)


@dataclass
class Summary:
    organisations: int = 0
    users: int = 0
    cases: Counter[str] = field(default_factory=Counter)
    claim_lines: int = 0
    documents: int = 0
    messages: int = 0
    open_tasks: int = 0
    notifications: int = 0
    seconds: float = 0.0

    def lines(self) -> list[str]:
        statuses = ", ".join(
            f"{Case.Status(status).label.lower()} {count}"
            for status, count in sorted(self.cases.items())
        )
        return [
            f"Organisations: {self.organisations}; users: {self.users}",
            f"Cases: {sum(self.cases.values())} ({statuses})",
            f"Claim lines: {self.claim_lines}; documents: {self.documents}; "
            f"chat entries: {self.messages}; open tasks: {self.open_tasks}",
            f"Notifications: {self.notifications} (marked as sent, not mailed)",
            f"Done in {self.seconds:.1f} s",
        ]


def demo_present() -> bool:
    return Organisation.objects.filter(name__in=data.organisation_names()).exists()


def demo_logins() -> list[tuple[str, str]]:
    """(e-mail, "Organisation (kind) role; …") of each demo person in the database."""
    emails = [person.email for person in data.PEOPLE]
    memberships = (
        Membership.objects.filter(user__email__in=emails, is_active=True)
        .select_related("user", "organisation")
        .order_by("id")
    )
    described: dict[str, list[str]] = {}
    for membership in memberships:
        org = membership.organisation
        described.setdefault(membership.user.email, []).append(
            f"{org.name} ({KIND_LABEL.get(org.kind, org.kind)}), {membership.role}"
        )
    return [
        (email, "; ".join(described[email])) for email in emails if email in described
    ]


def seed(*, now: datetime | None = None) -> Summary | None:
    """Create the demo data unless it is there; return what was created, or None."""
    if demo_present():
        return None
    started = time.monotonic()
    now = now or timezone.now()
    rng = random.Random(data.SEED)
    with (
        override_settings(TASKS=NO_BACKGROUND_JOBS),
        transaction.atomic(),
        _clock() as clock,
    ):
        clock(now - timedelta(days=400))
        cast = _create_cast()
        cases = [_play(cast, rng, clock, plan, now) for plan in _plans(cast, rng)]
        notified = _mark_notifications_sent([c.pk for c in cases], now)
    summary = Summary(
        organisations=len(cast.orgs),
        users=len(data.PEOPLE),
        cases=Counter(
            Case.objects.filter(pk__in=[c.pk for c in cases]).values_list(
                "status", flat=True
            )
        ),
        claim_lines=sum(c.claim_lines.count() for c in cases),
        documents=sum(c.documents.count() for c in cases),
        messages=Message.objects.filter(case__in=cases).count(),
        open_tasks=Task.objects.filter(case__in=cases, state=Task.State.OPEN).count(),
        notifications=notified,
    )
    summary.seconds = time.monotonic() - started
    return summary


# --- clock ------------------------------------------------------------------


@contextmanager
def _clock() -> Iterator[Callable[[datetime], None]]:
    """Yield a function that sets "now" for the services, if time-machine is here.

    Without time-machine (a production install without dev tools) everything
    is stamped with the real time; the data is the same otherwise.
    """
    try:
        import time_machine
    except ImportError:
        yield lambda moment: None
        return
    traveller = time_machine.travel(timezone.now(), tick=False)
    coordinates = traveller.start()
    try:
        yield coordinates.move_to
    finally:
        traveller.stop()


# --- organisations and people -----------------------------------------------


def _create_cast() -> Cast:
    cast = Cast()
    for spec in data.ORGANISATIONS:
        cast.specs[spec.key] = spec
        cast.orgs[spec.key] = Organisation.objects.create(
            kind=spec.kind,
            name=spec.name,
            country=spec.country,
            region=spec.region,
            time_zone=spec.time_zone,
            covered_countries=list(spec.covered),
        )
        cast.members[spec.key] = []
    # One hash for everyone: Argon2 is slow on purpose, and these are demo logins.
    password = make_password(data.PASSWORD)
    for person in data.PEOPLE:
        user = User.objects.create(
            email=person.email,
            first_name=person.first_name,
            last_name=person.last_name,
            password=password,
            is_staff=person.is_staff,
            is_superuser=person.is_staff,
        )
        for key, role in person.memberships:
            cast.members[key].append(
                Membership.objects.create(
                    user=user, organisation=cast.orgs[key], role=role
                )
            )
    return cast


# --- case plans ---------------------------------------------------------------


@dataclass
class Plan:
    scenario: Scenario
    client: str
    partner: str
    debtor: DebtorSpec
    currency: str


def _plans(cast: Cast, rng: random.Random) -> list[Plan]:
    clients = [spec for spec in data.ORGANISATIONS if spec.kind == "client"]
    partners = [spec for spec in data.ORGANISATIONS if spec.kind == "partner"]
    scenarios = [s for s in data.SCENARIOS for _ in range(s.count)]
    rng.shuffle(scenarios)
    used: Counter[str] = Counter()
    plans = []
    for index, scenario in enumerate(scenarios):
        client = clients[index % len(clients)]
        # Most of a client's cases are at home; the first market is home.
        weights = [3] + [1] * (len(client.markets) - 1)
        country, currency = rng.choices(client.markets, weights=weights)[0]
        pool = [d for d in data.DEBTORS if d.country == country]
        fewest = min(used[d.name] for d in pool)
        debtor = rng.choice([d for d in pool if used[d.name] == fewest])
        used[debtor.name] += 1
        partner = next(p for p in partners if country in p.covered)
        plans.append(Plan(scenario, client.key, partner.key, debtor, currency))
    return plans


def _play(
    cast: Cast,
    rng: random.Random,
    clock: Callable[[datetime], None],
    plan: Plan,
    now: datetime,
) -> Case:
    scenario = plan.scenario
    span = max((step.day for step in scenario.steps), default=0.0)
    age = max(rng.uniform(*scenario.age), span + 0.5)
    moments = _timeline(rng, now, age, [0.0] + [step.day for step in scenario.steps])
    clock(moments[0])
    case = _submit(cast, rng, plan, moments[0].date())
    for step, moment in zip(scenario.steps, moments[1:], strict=True):
        clock(moment)
        case = _apply(cast, rng, plan, case, step, moment.date())
    return case


def _timeline(
    rng: random.Random, now: datetime, age_days: float, offsets: list[float]
) -> list[datetime]:
    """Moments for the steps: office hours on weekdays, in order, all in the past."""
    start = now - timedelta(days=age_days)
    latest = now - timedelta(minutes=5 + len(offsets))
    moments: list[datetime] = []
    for offset in offsets:
        moment = _office_hours(start + timedelta(days=offset), rng)
        if moments and moment <= moments[-1]:
            moment = moments[-1] + timedelta(minutes=rng.randint(7, 95))
        moments.append(moment)
    # A story that would end in the future is pulled back, keeping its order.
    overshoot = moments[-1] - latest
    if overshoot > timedelta(0):
        moments = [moment - overshoot for moment in moments]
    return moments


def _office_hours(moment: datetime, rng: random.Random) -> datetime:
    while moment.weekday() >= 5:
        moment -= timedelta(days=1)
    if not 7 <= moment.hour < 16:
        moment = moment.replace(hour=rng.randint(7, 15), minute=rng.randint(0, 59))
    return moment


# --- submission ------------------------------------------------------------------


def _submit(cast: Cast, rng: random.Random, plan: Plan, today: date) -> Case:
    spec = cast.specs[plan.client]
    membership = rng.choice(cast.members[plan.client])
    lines = _claim_lines(rng, spec, plan, today)
    items_of = {line["reference"]: line.pop("_items") for line in lines}
    uploads = [
        _upload(
            pdf.invoice_pdf(
                seller=_party(spec),
                buyer=_debtor_party(plan.debtor),
                number=line["reference"],
                issued_on=line["issued_on"],
                due_on=line["due_on"],
                currency=plan.currency,
                items=items_of[line["reference"]],
                bank_line=spec.bank_line,
            ),
            f"invoice-{line['reference']}.pdf",
            "invoice",
        )
        for line in lines
    ]
    return case_services.submit_case(
        actor=membership.user,
        membership=membership,
        partner=cast.orgs[plan.partner],
        case_data=_case_data(rng, plan, len(lines)),
        lines=lines,
        uploads=uploads,
    )


def _case_data(rng: random.Random, plan: Plan, line_count: int) -> dict[str, Any]:
    debtor = plan.debtor
    company = debtor.kind == "company"
    first, _, last = debtor.name.partition(" ")
    invoices = (
        "one unpaid invoice" if line_count == 1 else f"{line_count} unpaid invoices"
    )
    case_data: dict[str, Any] = {
        "debtor_kind": Case.DebtorKind.COMPANY if company else Case.DebtorKind.PERSON,
        "debtor_company_name": debtor.name if company else "",
        "debtor_first_name": "" if company else first,
        "debtor_last_name": "" if company else last,
        "debtor_registration_number": debtor.registration,
        "debtor_email": debtor.email,
        "debtor_phone": debtor.phone,
        "debtor_street": debtor.street,
        "debtor_postal_code": debtor.postal_code,
        "debtor_city": debtor.city,
        "debtor_country": debtor.country,
        "currency": plan.currency,
        "claim_type": Case.ClaimType.UNPAID_INVOICE,
        "client_reference": f"CUST-{rng.randint(10000, 99999)}",
        "description": f"{invoices.capitalize()}; {rng.choice(REMINDERS)} without "
        "payment.",
        "comments_to_partner": rng.choice(
            [
                "",
                "",
                "Long-standing customer: please call before the first letter.",
                "The debtor has paid late before but always paid in the end.",
            ]
        ),
    }
    case_data.update(plan.scenario.case)
    return case_data


def _claim_lines(
    rng: random.Random, spec: OrgSpec, plan: Plan, today: date
) -> list[dict[str, Any]]:
    # A private person buys one thing; a business may owe several invoices.
    is_person = plan.debtor.kind == "person"
    count = 1 if is_person else rng.choice([1, 1, 1, 2, 2, 3, 4])
    due = today - timedelta(days=rng.randint(35, 160))
    lines = []
    for _ in range(count):
        terms = rng.choice([14, 30])
        issued = due - timedelta(days=terms)
        items = _items(rng, spec, plan.currency, most=1 if is_person else 3)
        principal = sum((item.amount for item in items), Decimal("0"))
        paid = Decimal("0.00")
        if rng.random() < 0.15:
            paid = (principal * Decimal("0.3")).quantize(Decimal("1"))
        lines.append(
            {
                "reference": _invoice_number(rng, spec, issued),
                "issued_on": issued,
                "due_on": due,
                "principal": principal,
                "paid": paid,
                "_items": items,
            }
        )
        due -= timedelta(days=rng.randint(10, 45))
    lines.sort(key=lambda line: line["issued_on"])
    return lines


def _invoice_number(rng: random.Random, spec: OrgSpec, issued: date) -> str:
    # Numbers grow with the issue date, as a real invoice series does.
    number = issued.timetuple().tm_yday * 10 + rng.randint(0, 9)
    return f"{spec.invoice_prefix}{issued.year}-{number:04d}"


def _items(
    rng: random.Random, spec: OrgSpec, currency: str, *, most: int
) -> list[pdf.InvoiceItem]:
    home = HOME_CURRENCY[spec.country]
    rate = EUR_PER_UNIT[home] / EUR_PER_UNIT[currency]
    items = []
    for description, low, high in rng.sample(spec.products, rng.randint(1, most)):
        unit = (Decimal(rng.randint(low, high)) * rate).quantize(
            Decimal("1"), rounding=ROUND_HALF_UP
        )
        items.append(pdf.InvoiceItem(description, rng.randint(1, most), unit))
    return items


# --- steps -----------------------------------------------------------------------


def _apply(
    cast: Cast, rng: random.Random, plan: Plan, case: Case, step: Step, today: date
) -> Case:
    membership = rng.choice(
        cast.members[plan.client if step.side == "client" else plan.partner]
    )
    text = _fill(step.text, cast, plan, case)
    uploads = [
        _letter(cast, plan, case, step.side, kind, title, today)
        for kind, title in step.docs
    ]
    if step.do == "message":
        case_services.post_case_message(
            case_id=case.pk,
            actor=membership.user,
            membership=membership,
            body=text,
            uploads=uploads,
        )
    elif step.do == "upload":
        case_services.upload_case_documents(
            case_id=case.pk,
            actor=membership.user,
            membership=membership,
            uploads=uploads,
        )
    else:
        recovered = None
        if step.recovered == "full":
            recovered = case.outstanding
        elif step.recovered:
            recovered = (case.outstanding * Decimal(step.recovered)).quantize(
                Decimal("0.01")
            )
        case_services.change_case_status(
            case_id=case.pk,
            actor=membership.user,
            membership=membership,
            to_status=step.to,
            expected_status=case.status,
            message=text,
            uploads=uploads,
            close_code=step.close_code,
            close_comment=_fill(step.comment, cast, plan, case),
            recovered_amount=recovered,
            reason=step.reason,
            confirmed=step.confirmed,
        )
    return Case.objects.get(pk=case.pk)


def _fill(text: str, cast: Cast, plan: Plan, case: Case) -> str:
    if not text:
        return ""
    first_line = case.claim_lines.order_by("issued_on", "id").first()
    return text.format(
        debtor=case.debtor_name,
        invoice=first_line.reference if first_line else "",
        amount=f"{case.outstanding:,.2f} {case.currency}",
        client=cast.orgs[plan.client].name,
        partner=cast.orgs[plan.partner].name,
    )


def _letter(
    cast: Cast, plan: Plan, case: Case, side: str, kind: str, title: str, today: date
) -> case_services.Upload:
    sender = cast.specs[plan.client if side == "client" else plan.partner]
    first_line = case.claim_lines.order_by("issued_on", "id").first()
    reference = first_line.reference if first_line else case.reference
    amount = f"{case.outstanding:,.2f} {case.currency}"
    paragraphs = {
        "correspondence": [
            f"Regarding invoice {reference}: the amount of {amount} is overdue.",
            "Please pay within 8 days, or contact us if there is a problem with the "
            "delivery or the invoice.",
            "Kind regards",
            sender.name,
        ],
        "contract": [
            f"We confirm your order as quoted, invoiced under {reference}.",
            "Delivery within 3 weeks; payment 30 days net. Our general terms of sale "
            "apply.",
            "Signed for the customer: ______________________",
        ],
        "proof_of_delivery": [
            f"Goods for order {reference} delivered complete and received in good "
            "order.",
            "Received by: ______________________   Date: ____________",
        ],
    }.get(kind, [f"Regarding {reference}.", sender.name])
    if title == "Payment plan agreement":
        paragraphs = [
            f"The debtor pays {amount} in three monthly instalments, the first on the "
            "28th.",
            "If an instalment is more than 10 days late the whole balance becomes due.",
            "Signed for the debtor: ______________________",
        ]
    data_bytes = pdf.letter_pdf(
        sender=_party(sender),
        recipient=_debtor_party(plan.debtor),
        title=title,
        written_on=today,
        paragraphs=paragraphs,
    )
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    return _upload(data_bytes, f"{slug}-{reference}.pdf", kind)


def _upload(content: bytes, name: str, kind: str) -> case_services.Upload:
    file = SimpleUploadedFile(name, content, content_type="application/pdf")
    detected = check_upload(file, name=name, size=len(content))
    return case_services.Upload(file=file, detected=detected, kind=kind)


def _party(spec: OrgSpec) -> pdf.Party:
    return pdf.Party(
        spec.name,
        spec.street,
        spec.city_line,
        _country_name(spec.country),
        spec.registration,
    )


def _debtor_party(debtor: DebtorSpec) -> pdf.Party:
    return pdf.Party(
        debtor.name,
        debtor.street,
        f"{debtor.postal_code} {debtor.city}",
        _country_name(debtor.country),
        debtor.registration,
    )


def _country_name(code: str) -> str:
    from django_countries import countries

    return str(countries.name(code))


# --- mail ------------------------------------------------------------------------


def _mark_notifications_sent(case_ids: list[int], now: datetime) -> int:
    """Seeded notices count as mailed already, so the demo mailbox starts empty."""
    pending = Notification.objects.filter(
        case_id__in=case_ids, email_status=Notification.EmailStatus.PENDING
    )
    pending.filter(created_at__lt=now - UNREAD_WINDOW).update(read_at=F("created_at"))
    return pending.update(
        email_status=Notification.EmailStatus.SENT,
        sent_at=F("created_at"),
        next_attempt_at=None,
        attempts=1,
    )
