"""Seeds the benchmark data set with bulk writes (COPY on PostgreSQL).

The rows are written straight to the tables, not through the services: the
point is a realistic shape of data at scale in minutes, not the workflow
(which the tests cover). Every model column is filled from the model's own
metadata, so a field added later with a default needs no change here.
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, models, transaction

from claimbridge.accounts.models import User
from claimbridge.audit.models import AuditEvent
from claimbridge.cases.models import Case, ClaimLine, StatusChange
from claimbridge.documents.models import Document
from claimbridge.messaging.models import Message
from claimbridge.notifications.models import Notification
from claimbridge.organisations.models import Membership, Organisation
from claimbridge.tasks.models import Task

from .manifest import PASSWORD, Manifest, scale_cases

EMAIL_DOMAIN = "bench.claimbridge.example"
CLIENTS, PARTNERS, MEMBERS = 20, 10, 10
HOT_CASES = 20  # the case pages of op (c): 200 chat entries and 20 files each
HOT_CHAT, HOT_FILES = 200, 20
POST_CASES = 50  # the cases op (d) posts to
STORED_FILES = 300  # real small files; many Document rows share them

FIRST = (
    "Anna Lars Mette Jens Sofie Henrik Ida Peter Karin Mikkel Eva Thomas Lena Ole "
    "Maria Jan Kirsten Søren Ulla Klaus Julia Markus Sarah Stefan Laura Tobias Emma "
    "Felix Hannah Paul Olivia James Charlotte Oliver Amelia George Isla Harry"
).split()
LAST = (
    "Hansen Jensen Nielsen Pedersen Andersen Christensen Larsen Sørensen Rasmussen "
    "Petersen Madsen Kristensen Olsen Thomsen Poulsen Johansen Møller Mortensen "
    "Lindberg Holmberg Bergström Lundqvist Eriksson Karlsson Nilsson Svensson "
    "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Hoffmann Bergmann "
    "Lindemann Holmes Smith Taylor Brown Wilson Evans Lund Engberg Holmgren"
).split()
COMPANY_WORDS = (
    "Nordlys Fjord Skov Havn Stein Bjerg Holm Lund Berg Dal Vind Sol Elv Kyst Eng "
    "Alpen Rhein Brenn Falken Linden Tannen Eichen Thames Cedar Harbour Granite "
    "Meridian Atlas Polar Baltic Aurora Vega Nova Orion Kobalt Ember Willow Hirsch"
).split()
COMPANY_KINDS = (
    "Møbler Logistik Byg Transport Handel Data Energi Foods Consulting Bau Technik "
    "Handwerk Software Textil Maskin Trading Services Media Retail Print"
).split()
LEGAL = ("ApS", "A/S", "AB", "GmbH", "Ltd", "AS", "Oy", "KG")
COUNTRIES = ("DK", "SE", "DE", "GB", "NO", "FI", "NL", "AT")
CITIES = {
    "DK": "Aarhus",
    "SE": "Malmö",
    "DE": "Hamburg",
    "GB": "Leeds",
    "NO": "Bergen",
    "FI": "Turku",
    "NL": "Utrecht",
    "AT": "Graz",
}
CURRENCY = {"DK": "DKK", "SE": "SEK", "NO": "NOK", "GB": "GBP"}
SENTENCES = (
    "The debtor called and promised to pay by the end of the month.",
    "Please find the signed contract attached.",
    "We sent a second reminder by registered mail today.",
    "The debtor disputes the second invoice; the goods were delivered late.",
    "Payment plan agreed: three monthly instalments.",
    "Could you confirm the delivery address on the original order?",
    "No answer on the phone; we will try again on Monday.",
    "The debtor asked for a copy of the invoice.",
    "Partial payment received, the rest is expected next week.",
    "We have checked the registry: the company is still trading.",
    "Thank you, we will forward this to our legal team.",
    "The debtor's bank confirmed the transfer.",
)
# Status mix of a partner's book: mostly active and closed.
STATUS_WEIGHTS = (
    (Case.Status.PENDING_VERIFICATION, 10),
    (Case.Status.MORE_INFO_REQUIRED, 5),
    (Case.Status.ACTIVE, 45),
    (Case.Status.PAUSED, 5),
    (Case.Status.CLOSED, 33),
    (Case.Status.MERGED, 2),
)
CLOSE_CODES = (
    Case.CloseCode.PAID_IN_FULL,
    Case.CloseCode.PARTIALLY_PAID,
    Case.CloseCode.DEBTOR_INSOLVENT,
    Case.CloseCode.UNECONOMICAL,
    Case.CloseCode.WITHDRAWN_BY_CLIENT,
)
OPEN = frozenset(Case.OPEN_STATUSES)


# --- writing rows -----------------------------------------------------------------


class Writer:
    """Writes tuples to one model's table: COPY on PostgreSQL, executemany elsewhere.

    `columns` are attnames the caller provides in each row, in order; every
    other concrete field gets its default, prepared once.
    """

    def __init__(self, model: type[models.Model], columns: Sequence[str]) -> None:
        self.model = model
        fields = {f.attname: f for f in model._meta.concrete_fields}
        missing = [c for c in columns if c not in fields]
        if missing:
            raise RuntimeError(f"{model.__name__} has no column(s) {missing}")
        rest = [
            f for name, f in fields.items() if name not in columns and not f.primary_key
        ]
        defaults = []
        for f in rest:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                raise RuntimeError(
                    f"{model.__name__}.{f.name} must be given by the seeder"
                )
            value = f.get_default()
            if value is None and not f.null:
                raise RuntimeError(f"{model.__name__}.{f.name} has no default: seed it")
            defaults.append(f.get_db_prep_save(value, connection))
        self.table = model._meta.db_table
        self.columns = [fields[c].column for c in columns] + [f.column for f in rest]
        self.defaults = tuple(defaults)
        self.count = 0

    def write(self, rows: Iterable[tuple[Any, ...]]) -> int:
        defaults = self.defaults
        quoted = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        table = connection.ops.quote_name(self.table)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                sql = f"COPY {table} ({quoted}) FROM STDIN"
                with cursor.cursor.copy(sql) as copy:
                    for row in rows:
                        copy.write_row(row + defaults)
                        self.count += 1
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                # Table and column names come from the models, not from input.
                sql = f"INSERT INTO {table} ({quoted}) VALUES ({marks})"  # noqa: S608
                batch: list[tuple[Any, ...]] = []
                for row in rows:
                    batch.append(row + defaults)
                    if len(batch) >= 20_000:
                        cursor.executemany(sql, batch)
                        self.count += len(batch)
                        batch = []
                if batch:
                    cursor.executemany(sql, batch)
                    self.count += len(batch)
        return self.count


# --- the plan of the data set ------------------------------------------------------


@dataclass
class CasePlan:
    id: int
    client: int  # index into clients
    partner: int  # index into partners
    status: str
    created: float  # epoch seconds
    last: float
    lines: int
    messages: int = 0
    documents: int = 0
    first_message_id: int = 0
    first_document_id: int = 0


class Seeder:
    def __init__(self, scale: str, *, seed: int = 2026, out: Any = print) -> None:
        self.scale = scale
        self.n = scale_cases(scale)
        self.factor = self.n / 100_000
        self.rng = random.Random(seed)
        self.out = out
        self.pg = connection.vendor == "postgresql"
        self.now = time.time()
        self.counts: dict[str, int] = {}

    # Values as the backend stores them: aware datetimes on PostgreSQL, Django's
    # naive-UTC text on SQLite.
    def ts(self, epoch: float) -> Any:
        value = datetime.fromtimestamp(epoch, UTC)
        return value if self.pg else str(value.replace(tzinfo=None))

    def day(self, value: date) -> Any:
        return value if self.pg else value.isoformat()

    def money(self, value: Decimal) -> Any:
        return value if self.pg else str(value)

    def flag(self, value: bool) -> Any:
        return value if self.pg else int(value)

    def run(self) -> Manifest:
        started = time.monotonic()
        if not self.pg:
            with connection.cursor() as cursor:
                # Outside a transaction only; the rows are consistent by construction.
                cursor.execute("PRAGMA foreign_keys = OFF")
        with transaction.atomic(), self._bulk_mode():
            self._organisations()
            self._plan_cases()
            self._timed("cases", self._cases)
            self._timed("claim lines", self._claim_lines)
            self._timed("status changes", self._status_changes)
            self._timed("documents", self._documents)
            self._timed("messages", self._messages)
            self._timed("attachments", self._attachments)
            self._timed("tasks", self._tasks)
            self._timed("audit events", self._audit_events)
            self._timed("notifications", self._notifications)
            self._reset_sequences()
        if not self.pg:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA foreign_keys = ON")
        self._timed("analyze", self._analyze, rows=False)
        seconds = time.monotonic() - started
        total = sum(self.counts.values())
        self.out(
            f"seeded {total:,} rows in {seconds:.1f} s ({total / seconds:,.0f} rows/s, "
            f"{self.n / seconds:,.0f} cases/s)"
        )
        partner = self.partners[0]
        client = self.clients[0]
        return Manifest(
            scale=self.scale,
            vendor=connection.vendor,
            cases=self.n,
            partner_id=partner.pk,
            client_id=client.pk,
            partner_users=[u.email for u in self.members[partner.pk]],
            client_users=[u.email for u in self.members[client.pk]],
            hot_cases=[c.id for c in self.plans[:HOT_CASES]],
            post_cases=self.post_cases,
            counts=self.counts,
            seconds=round(seconds, 1),
        )

    @contextmanager
    def _bulk_mode(self) -> Iterator[None]:
        """Load without secondary indexes and foreign-key triggers, then rebuild.

        Keeping a dozen B-tree and trigram indexes up to date row by row, and
        queueing a deferred foreign-key check per row until COMMIT, costs far
        more than building the indexes once from the loaded tables.
        """
        tables = [
            m._meta.db_table
            for m in (
                Case,
                ClaimLine,
                StatusChange,
                Document,
                Message,
                Task,
                AuditEvent,
                Notification,
                Message.attachments.through,
            )
        ]
        with connection.cursor() as cursor:
            if self.pg:
                cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
                try:
                    with transaction.atomic():
                        # Skips the foreign-key triggers; needs a superuser.
                        cursor.execute("SET LOCAL session_replication_role = replica")
                except Exception:  # noqa: BLE001 - then the checks run at COMMIT
                    self.out("  (foreign keys checked at commit: not a superuser)")
                cursor.execute(
                    "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
                    "JOIN pg_class i ON i.oid = x.indexrelid "
                    "JOIN pg_class t ON t.oid = x.indrelid "
                    "WHERE t.relname = ANY(%s) "
                    "AND NOT x.indisprimary AND NOT x.indisunique",
                    [tables],
                )
            else:
                marks = ", ".join(["%s"] * len(tables))
                cursor.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' "  # noqa: S608
                    "AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%%' "
                    f"AND tbl_name IN ({marks})",
                    tables,
                )
            indexes = cursor.fetchall()
            for name, _sql in indexes:
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        yield
        started = time.monotonic()
        with connection.cursor() as cursor:
            for _name, sql in indexes:
                cursor.execute(sql)
        seconds = time.monotonic() - started
        self.out(f"  {'indexes':<15} {len(indexes):>11} built {seconds:7.1f} s")

    def _timed(self, label: str, step: Any, rows: bool = True) -> None:
        started = time.monotonic()
        count = step()
        seconds = time.monotonic() - started
        if rows:
            self.counts[label] = count
            self.out(
                f"  {label:<15} {count:>11,} rows {seconds:7.1f} s "
                f"({count / max(seconds, 1e-6):,.0f}/s)"
            )
        else:
            self.out(f"  {label:<15} {'':>16} {seconds:7.1f} s")

    # --- organisations and people (a few hundred rows, through the ORM) ---------

    def _organisations(self) -> None:
        password = make_password(PASSWORD)
        self.clients = [
            Organisation.objects.create(
                kind=Organisation.Kind.CLIENT,
                name=f"{COMPANY_WORDS[i]} {COMPANY_KINDS[i]} {LEGAL[i % 4]}",
                country=COUNTRIES[i % len(COUNTRIES)],
                time_zone="Europe/Copenhagen",
            )
            for i in range(CLIENTS)
        ]
        self.partners = [
            Organisation.objects.create(
                kind=Organisation.Kind.PARTNER,
                name=f"{LAST[i]} Inkasso {LEGAL[i % len(LEGAL)]}",
                country=COUNTRIES[i % len(COUNTRIES)],
                covered_countries=list(COUNTRIES),
                time_zone="Europe/Berlin",
            )
            for i in range(PARTNERS)
        ]
        self.members: dict[int, list[User]] = {}
        users, memberships = [], []
        for kind, orgs in (("client", self.clients), ("partner", self.partners)):
            for i, org in enumerate(orgs):
                people = [
                    User(
                        email=f"{kind}{i:02d}.user{j:02d}@{EMAIL_DOMAIN}",
                        first_name=FIRST[(i * 7 + j) % len(FIRST)],
                        last_name=LAST[(i * 3 + j) % len(LAST)],
                        password=password,
                    )
                    for j in range(MEMBERS)
                ]
                users.extend(people)
                self.members[org.pk] = people
        User.objects.bulk_create(users)
        # bulk_create sets pks on PostgreSQL and SQLite alike.
        for org_id, people in self.members.items():
            for j, user in enumerate(people):
                role = Membership.Role.ADMIN if j == 0 else Membership.Role.MEMBER
                memberships.append(
                    Membership(user=user, organisation_id=org_id, role=role)
                )
        Membership.objects.bulk_create(memberships)
        self.counts["people"] = len(users) + len(memberships) + CLIENTS + PARTNERS

    # --- the plan: who, when, how many of each --------------------------------

    def _plan_cases(self) -> None:
        rng, n = self.rng, self.n
        base = (
            Case.objects.order_by("-id").values_list("id", flat=True).first() or 0
        ) + 1
        statuses = [s for s, _w in STATUS_WEIGHTS]
        weights = [w for _s, w in STATUS_WEIGHTS]
        # Partner 0 (the benchmarked one) holds a fifth of all cases, client 0 a tenth.
        partner_weights = [20] + [80 / (PARTNERS - 1)] * (PARTNERS - 1)
        client_weights = [10] + [90 / (CLIENTS - 1)] * (CLIENTS - 1)
        partners = rng.choices(range(PARTNERS), partner_weights, k=n)
        clients = rng.choices(range(CLIENTS), client_weights, k=n)
        status_of = rng.choices(statuses, weights, k=n)
        three_years = 3 * 365 * 86400
        self.plans = []
        for i in range(n):
            created = self.now - rng.random() * three_years
            last = created + rng.random() * (self.now - created)
            self.plans.append(
                CasePlan(
                    id=base + i,
                    client=clients[i],
                    partner=partners[i],
                    status=status_of[i],
                    created=created,
                    last=last,
                    lines=rng.randint(1, 19),
                )
            )
        # The hot cases: active, of partner 0 and client 0, busy recently.
        for plan in self.plans[:HOT_CASES]:
            plan.client, plan.partner, plan.status = 0, 0, Case.Status.ACTIVE
            plan.created = self.now - 400 * 86400
            plan.last = self.now - rng.random() * 86400
            plan.messages, plan.documents = HOT_CHAT, HOT_FILES
        post = self.plans[HOT_CASES : HOT_CASES + POST_CASES]
        for plan in post:
            plan.client, plan.partner, plan.status = 0, 0, Case.Status.ACTIVE
        self.post_cases = [p.id for p in post]
        # Chat entries and files over the rest, a few busy cases and many quiet ones.
        rest = self.plans[HOT_CASES:]
        for attr, total in (("messages", 10 * n), ("documents", 2 * n)):
            left = max(total - HOT_CASES * getattr(self.plans[0], attr), 0)
            for index in rng.choices(range(len(rest)), k=left):
                setattr(rest[index], attr, getattr(rest[index], attr) + 1)
        message_id = (
            Message.objects.order_by("-id").values_list("id", flat=True).first() or 0
        ) + 1
        document_id = (
            Document.objects.order_by("-id").values_list("id", flat=True).first() or 0
        ) + 1
        for plan in self.plans:
            plan.first_message_id, plan.first_document_id = message_id, document_id
            message_id += plan.messages
            document_id += plan.documents
        self.user_ids = {
            org: [u.pk for u in people] for org, people in self.members.items()
        }

    def _debtor(self, plan: CasePlan) -> tuple[str, str, str, str, str]:
        rng = self.rng
        if rng.random() < 0.7:
            suffix = rng.choice(("", "berg", "holm", "lund", ""))
            company = (
                f"{rng.choice(COMPANY_WORDS)}{suffix} "
                f"{rng.choice(COMPANY_KINDS)} {rng.choice(LEGAL)}"
            )
            return Case.DebtorKind.COMPANY, company, "", "", company
        first, last = rng.choice(FIRST), rng.choice(LAST)
        return Case.DebtorKind.PERSON, "", first, last, f"{first} {last}"

    # --- the tables -------------------------------------------------------------

    def _cases(self) -> int:
        columns = [
            "id",
            "client_id",
            "partner_id",
            "created_by_id",
            "status",
            "currency",
            "claim_type",
            "dispute_state",
            "client_reference",
            "description",
            "debtor_kind",
            "debtor_company_name",
            "debtor_first_name",
            "debtor_last_name",
            "debtor_name",
            "debtor_registration_number",
            "debtor_email",
            "debtor_phone",
            "debtor_street",
            "debtor_postal_code",
            "debtor_city",
            "debtor_country",
            "total_principal",
            "total_paid",
            "close_code",
            "closed_on",
            "recovered_amount",
            "created_at",
            "updated_at",
            "last_activity_at",
        ]
        writer = Writer(Case, columns)
        rng = self.rng
        self.totals: dict[int, tuple[list[Decimal], list[Decimal]]] = {}

        def rows() -> Iterator[tuple[Any, ...]]:
            for plan in self.plans:
                client = self.clients[plan.client]
                country = rng.choice(COUNTRIES)
                kind, company, first, last, name = self._debtor(plan)
                principals = [
                    Decimal(rng.randrange(5_000, 2_500_000)) / 100
                    for _ in range(plan.lines)
                ]
                paid = [
                    (p / 2).quantize(Decimal("0.01"))
                    if rng.random() < 0.1
                    else Decimal("0.00")
                    for p in principals
                ]
                self.totals[plan.id] = (principals, paid)
                closed = plan.status == Case.Status.CLOSED
                code = rng.choice(CLOSE_CODES) if closed else ""
                yield (
                    plan.id,
                    client.pk,
                    self.partners[plan.partner].pk,
                    self.user_ids[client.pk][plan.id % MEMBERS],
                    plan.status,
                    CURRENCY.get(country, "EUR"),
                    Case.ClaimType.UNPAID_INVOICE,
                    Case.DisputeState.NOT_DISPUTED,
                    f"{client.name[:3].upper()}-{plan.id:07d}",
                    "Unpaid invoices for goods delivered.",
                    kind,
                    company,
                    first,
                    last,
                    name,
                    f"{country}{plan.id * 7919 % 100_000_000:08d}",
                    f"accounts{plan.id}@debtor.example",
                    "",
                    f"{rng.choice(COMPANY_WORDS)}vej {plan.id % 200 + 1}",
                    f"{plan.id % 9000 + 1000}",
                    CITIES[country],
                    country,
                    self.money(sum(principals, Decimal("0.00"))),
                    self.money(sum(paid, Decimal("0.00"))),
                    code,
                    self.day(datetime.fromtimestamp(plan.last, UTC).date())
                    if closed
                    else None,
                    self.money(sum(paid, Decimal("0.00")))
                    if code in CLOSE_CODES[:2]
                    else None,
                    self.ts(plan.created),
                    self.ts(plan.last),
                    self.ts(plan.last),
                )

        return writer.write(rows())

    def _claim_lines(self) -> int:
        writer = Writer(
            ClaimLine,
            ["case_id", "reference", "issued_on", "due_on", "principal", "paid"],
        )

        def rows() -> Iterator[tuple[Any, ...]]:
            for plan in self.plans:
                principals, paid = self.totals[plan.id]
                issued = datetime.fromtimestamp(plan.created, UTC).date() - timedelta(
                    days=90
                )
                for k in range(plan.lines):
                    on = issued - timedelta(days=k * 14)
                    yield (
                        plan.id,
                        f"INV-{plan.id:07d}-{k + 1:02d}",
                        self.day(on),
                        self.day(on + timedelta(days=30)),
                        self.money(principals[k]),
                        self.money(paid[k]),
                    )

        count = writer.write(rows())
        del self.totals
        return count

    def _history(self, plan: CasePlan) -> list[str]:
        """The statuses a case went through, from submission to now."""
        path = [Case.Status.PENDING_VERIFICATION]
        if plan.status == Case.Status.MORE_INFO_REQUIRED:
            path.append(plan.status)
        elif plan.status != Case.Status.PENDING_VERIFICATION:
            path.append(Case.Status.ACTIVE)
            if plan.status != Case.Status.ACTIVE:
                path.append(plan.status)
        return path

    def _status_changes(self) -> int:
        writer = Writer(
            StatusChange,
            [
                "case_id",
                "from_status",
                "to_status",
                "actor_id",
                "organisation_id",
                "created_at",
            ],
        )

        def rows() -> Iterator[tuple[Any, ...]]:
            for plan in self.plans:
                path = self._history(plan)
                span = (plan.last - plan.created) / len(path)
                client = self.clients[plan.client].pk
                partner = self.partners[plan.partner].pk
                for k, status in enumerate(path):
                    org = client if k == 0 else partner
                    yield (
                        plan.id,
                        path[k - 1] if k else "",
                        status,
                        self.user_ids[org][plan.id % MEMBERS],
                        org,
                        self.ts(plan.created + k * span),
                    )

        return writer.write(rows())

    def _files(self) -> list[tuple[str, str, str, int, str, str]]:
        """A few hundred real small files that the Document rows share."""
        root = Path(settings.MEDIA_ROOT) / "documents" / "bench"
        root.mkdir(parents=True, exist_ok=True)
        files = []
        for i in range(STORED_FILES):
            if i % 3 == 0:
                name, ext, ctype = f"invoice-{i:03d}.pdf", "pdf", "application/pdf"
                body = (
                    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
                    b"2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\n"
                    b"trailer<</Root 1 0 R>>\n"
                    + f"% bench file {i}\n".encode()
                    + b"%%EOF\n"
                )
            else:
                name, ext, ctype = f"reminder-{i:03d}.txt", "txt", "text/plain"
                body = f"Reminder {i}: please pay the overdue invoices.\n".encode()
            key = f"documents/bench/{i:03d}.{ext}"
            (root / f"{i:03d}.{ext}").write_bytes(body)
            files.append(
                (key, name, ext, len(body), hashlib.sha256(body).hexdigest(), ctype)
            )
        return files

    def _documents(self) -> int:
        files = self._files()
        kinds = [k for k, _label in Document.Kind.choices]
        writer = Writer(
            Document,
            [
                "id",
                "case_id",
                "organisation_id",
                "uploaded_by_id",
                "kind",
                "file",
                "original_name",
                "extension",
                "content_type",
                "size",
                "sha256",
                "uploaded_at",
            ],
        )
        rng = self.rng

        def rows() -> Iterator[tuple[Any, ...]]:
            for plan in self.plans:
                span = plan.last - plan.created
                for k in range(plan.documents):
                    org = (
                        self.clients[plan.client]
                        if k % 2 == 0
                        else self.partners[plan.partner]
                    ).pk
                    key, name, ext, size, sha, ctype = files[(plan.id + k) % len(files)]
                    yield (
                        plan.first_document_id + k,
                        plan.id,
                        org,
                        self.user_ids[org][k % MEMBERS],
                        kinds[k % len(kinds)],
                        key,
                        name,
                        ext,
                        ctype,
                        size,
                        sha,
                        self.ts(plan.created + span * rng.random()),
                    )

        return writer.write(rows())

    def _messages(self) -> int:
        writer = Writer(
            Message,
            [
                "id",
                "case_id",
                "kind",
                "author_id",
                "organisation_id",
                "body",
                "created_at",
            ],
        )
        rng = self.rng

        def rows() -> Iterator[tuple[Any, ...]]:
            for plan in self.plans:
                if not plan.messages:
                    continue
                client = self.clients[plan.client].pk
                partner = self.partners[plan.partner].pk
                step = (plan.last - plan.created) / (plan.messages + 1)
                for k in range(plan.messages):
                    at = self.ts(plan.created + step * (k + 1))
                    if k % 5 == 4:
                        yield (
                            plan.first_message_id + k,
                            plan.id,
                            Message.Kind.SYSTEM,
                            None,
                            None,
                            "Status changed to Active.",
                            at,
                        )
                        continue
                    org = client if k % 2 == 0 else partner
                    yield (
                        plan.first_message_id + k,
                        plan.id,
                        Message.Kind.MESSAGE,
                        self.user_ids[org][(plan.id + k) % MEMBERS],
                        org,
                        rng.choice(SENTENCES),
                        at,
                    )

        return writer.write(rows())

    def _attachments(self) -> int:
        """A third of the files came with a chat message of the same case."""
        through = Message.attachments.through
        writer = Writer(through, ["message_id", "document_id"])

        def rows() -> Iterator[tuple[Any, ...]]:
            for plan in self.plans:
                if not plan.messages:
                    continue
                for k in range(0, plan.documents, 3):
                    message = plan.first_message_id + (k * 5 + 1) % plan.messages
                    if (message - plan.first_message_id) % 5 == 4:  # a system note
                        message -= 1
                    yield (message, plan.first_document_id + k)

        return writer.write(rows())

    def _tasks(self) -> int:
        """Open tasks on open cases (partner 0 owes 10,000 at 100k), the rest done."""
        rng = self.rng
        target_open = round(10_000 * self.factor)
        total = 3 * self.n
        writer = Writer(
            Task,
            [
                "case_id",
                "organisation_id",
                "kind",
                "state",
                "due_on",
                "created_at",
                "closed_at",
                "closed_by_id",
                "resolution",
            ],
        )
        today = datetime.fromtimestamp(self.now, UTC).date()
        partner_kind = {
            Case.Status.PENDING_VERIFICATION: Task.Kind.REVIEW_NEW_CASE,
            Case.Status.MORE_INFO_REQUIRED: Task.Kind.REPLY_TO_MESSAGE,
            Case.Status.ACTIVE: Task.Kind.MONTHLY_UPDATE,
            Case.Status.PAUSED: Task.Kind.FOLLOW_UP_PAUSED,
        }
        self.task_events: list[tuple[int, int, int, str, str, float, float | None]] = []

        def task(plan: CasePlan, org: int, kind: str, state: str) -> tuple[Any, ...]:
            created = plan.created + (plan.last - plan.created) * rng.random()
            due = datetime.fromtimestamp(created, UTC).date() + timedelta(
                days=rng.randint(1, 20)
            )
            if state == Task.State.OPEN:
                due = today + timedelta(days=rng.randint(-10, 20))
                closed = None
            else:
                closed = created + 86400 * rng.random() * 5
            actor = self.user_ids[org][plan.id % MEMBERS]
            self.task_events.append((plan.id, org, actor, kind, state, created, closed))
            return (
                plan.id,
                org,
                kind,
                state,
                self.day(due),
                self.ts(created),
                self.ts(closed) if closed else None,
                actor if state == Task.State.DONE else None,
                "Done" if state == Task.State.DONE else ("Cancelled" if closed else ""),
            )

        def rows() -> Iterator[tuple[Any, ...]]:
            made = 0
            owed = 0  # partner 0's open tasks
            kinds = [k for k, _label in Task.Kind.choices]
            for plan in self.plans:
                client = self.clients[plan.client].pk
                partner = self.partners[plan.partner].pk
                if plan.status in OPEN:
                    if plan.partner == 0:
                        if owed < target_open:
                            owed += 1
                            yield task(
                                plan,
                                partner,
                                partner_kind[plan.status],
                                Task.State.OPEN,
                            )
                            made += 1
                    elif rng.random() < 0.5:
                        yield task(
                            plan, partner, partner_kind[plan.status], Task.State.OPEN
                        )
                        made += 1
                    if plan.status == Case.Status.MORE_INFO_REQUIRED:
                        yield task(
                            plan, client, Task.Kind.PROVIDE_INFORMATION, Task.State.OPEN
                        )
                        made += 1
                    elif plan.status == Case.Status.ACTIVE and rng.random() < 0.2:
                        yield task(
                            plan, client, Task.Kind.REPLY_TO_MESSAGE, Task.State.OPEN
                        )
                        made += 1
                # Finished tasks: the review of every case, then a share of the rest.
                yield task(plan, partner, Task.Kind.REVIEW_NEW_CASE, Task.State.DONE)
                made += 1
            left = total - made
            for plan in rng.choices(self.plans, k=max(left, 0)):
                org = (
                    self.partners[plan.partner]
                    if rng.random() < 0.7
                    else self.clients[plan.client]
                ).pk
                state = Task.State.DONE if rng.random() < 0.85 else Task.State.CANCELLED
                yield task(plan, org, rng.choice(kinds), state)

        return writer.write(rows())

    def _audit_events(self) -> int:
        writer = Writer(
            AuditEvent,
            [
                "created_at",
                "actor_id",
                "organisation_id",
                "case_id",
                "action",
                "changes",
                "summary",
            ],
        )
        dumps = json.dumps

        def rows() -> Iterator[tuple[Any, ...]]:
            A = AuditEvent.Action
            for plan in self.plans:
                client = self.clients[plan.client].pk
                partner = self.partners[plan.partner].pk
                path = self._history(plan)
                span = (plan.last - plan.created) / len(path)
                creator = self.user_ids[client][plan.id % MEMBERS]
                yield (
                    self.ts(plan.created),
                    creator,
                    client,
                    plan.id,
                    A.CASE_CREATED,
                    dumps({"lines": plan.lines}),
                    "Case submitted",
                )
                for k in range(1, len(path)):
                    yield (
                        self.ts(plan.created + k * span),
                        self.user_ids[partner][plan.id % MEMBERS],
                        partner,
                        plan.id,
                        A.CASE_STATUS_CHANGED,
                        dumps({"status": [path[k - 1], path[k]]}),
                        "",
                    )
                step = (plan.last - plan.created) / (plan.messages + 1)
                for k in range(plan.messages):
                    if k % 5 == 4:
                        continue
                    org = client if k % 2 == 0 else partner
                    yield (
                        self.ts(plan.created + step * (k + 1)),
                        self.user_ids[org][(plan.id + k) % MEMBERS],
                        org,
                        plan.id,
                        A.MESSAGE_POSTED,
                        dumps(
                            {"message": plan.first_message_id + k, "kind": "message"}
                        ),
                        SENTENCES[(plan.id + k) % len(SENTENCES)][:200],
                    )
                dstep = (plan.last - plan.created) / (plan.documents + 1)
                for k in range(plan.documents):
                    org = client if k % 2 == 0 else partner
                    yield (
                        self.ts(plan.created + dstep * (k + 1)),
                        self.user_ids[org][k % MEMBERS],
                        org,
                        plan.id,
                        A.DOCUMENT_ADDED,
                        dumps({"document": plan.first_document_id + k}),
                        "",
                    )
            for case_id, org, actor, kind, state, created, closed in self.task_events:
                yield (
                    self.ts(created),
                    actor,
                    org,
                    case_id,
                    A.TASK_OPENED,
                    dumps({"kind": kind}),
                    "",
                )
                if closed is not None:
                    action = (
                        A.TASK_CLOSED if state == Task.State.DONE else A.TASK_CANCELLED
                    )
                    yield (
                        self.ts(closed),
                        actor,
                        org,
                        case_id,
                        action,
                        dumps({"kind": kind, "state": ["open", state]}),
                        "",
                    )

        count = writer.write(rows())
        del self.task_events
        return count

    def _notifications(self) -> int:
        """A message notice per person for a share of their cases; a few unread."""
        rng = self.rng
        writer = Writer(
            Notification,
            [
                "recipient_id",
                "organisation_id",
                "case_id",
                "kind",
                "subject",
                "body_text",
                "body_html",
                "link",
                "created_at",
                "read_at",
                "email_status",
                "attempts",
                "sent_at",
            ],
        )
        site = settings.SITE_URL

        def rows() -> Iterator[tuple[Any, ...]]:
            for plan in self.plans:
                if rng.random() >= 0.5:
                    continue
                for org in (
                    self.clients[plan.client].pk,
                    self.partners[plan.partner].pk,
                ):
                    recipient = self.user_ids[org][rng.randrange(MEMBERS)]
                    at = self.ts(plan.last)
                    unread = plan.last > self.now - 3 * 86400
                    yield (
                        recipient,
                        org,
                        plan.id,
                        Notification.Kind.MESSAGE_POSTED,
                        f"New message on case CB-{plan.id:06d}",
                        "There is a new message on the case.",
                        "<p>There is a new message on the case.</p>",
                        f"{site}/cases/{plan.id}/",
                        at,
                        None if unread else at,
                        Notification.EmailStatus.SENT,
                        1,
                        at,
                    )

        return writer.write(rows())

    def _reset_sequences(self) -> None:
        sql = connection.ops.sequence_reset_sql(
            no_style(),
            [
                Case,
                ClaimLine,
                StatusChange,
                Document,
                Message,
                Task,
                AuditEvent,
                Notification,
                Message.attachments.through,
            ],
        )
        with connection.cursor() as cursor:
            for statement in sql:
                cursor.execute(statement)

    def _analyze(self) -> int:
        with connection.cursor() as cursor:
            if self.pg:
                cursor.execute("VACUUM (ANALYZE)")
            else:
                cursor.execute("ANALYZE")
        return 0
