"""Acceptance: the main pages pass axe-core with no serious or critical violation.

A client member and a partner member log in through the real form (the log-in
page is checked on the way) and open the pages they work in, over data that
fills them: cases in every open status and a closed one, several claim lines,
chat messages with files, open, done and overdue tasks, unread notifications.
On each page the test runs axe-core (the copy bundled with
axe-playwright-python) and collects what it finds; a case page is checked
again with an action panel opened, since the panel's form is loaded by htmx
only then. The violations of all pages are reported together at the end, each
with its rule, impact, help text and the first elements it concerns.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import Page, expect

from claimbridge.cases import services
from claimbridge.cases.models import Case
from claimbridge.cases.tests import workflow
from claimbridge.core.testing import checked_upload, claim_line, pdf_bytes, submit
from claimbridge.core.tests.browser import *  # noqa: F403
from claimbridge.core.tests.browser import log_in
from claimbridge.tasks.models import Task

pytestmark = pytest.mark.browser

# The site's policy is `script-src 'self'`, so a <script> tag with axe's source
# would be refused. `Axe.run` hands the source to `page.evaluate`, which runs it
# through the debugging protocol (Runtime.evaluate): page policy does not apply
# to that, so the test needs neither `bypass_csp` nor any change to the policy
# it would then no longer be testing under.
AXE = Axe()
FAILING = ("serious", "critical")
TARGETS_SHOWN = 3


@dataclass
class Findings:
    """The violations of every page checked, page by page."""

    checked: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    minor: list[str] = field(default_factory=list)

    def check(self, page: Page, name: str) -> None:
        self.checked.append(name)
        results = AXE.run(page).response
        # A blank or half-loaded page would pass too: the contrast rule must
        # have found text to check.
        if "color-contrast" not in {rule["id"] for rule in results["passes"]}:
            self.failures.append(f"{name} ({page.url}): axe checked no text")
        for violation in results["violations"]:
            targets = [
                " ".join(map(str, node["target"]))
                for node in violation["nodes"][:TARGETS_SHOWN]
            ]
            more = len(violation["nodes"]) - len(targets)
            line = (
                f"{name} ({page.url}): {violation['id']} [{violation['impact']}] "
                f"{violation['help']} — {len(violation['nodes'])} element(s): "
                + ", ".join(targets)
                + (f" (+{more} more)" if more > 0 else "")
            )
            if violation["impact"] in FAILING:
                self.failures.append(line)
            else:
                self.minor.append(line)

    def open(self, page: Page, path: str, name: str) -> None:
        page.goto(path)
        self.check(page, name)


def open_action(page: Page, name: str) -> None:
    """Open an action panel of the case page and wait for its form (htmx)."""
    panel = page.get_by_test_id(f"action-{name}")
    panel.locator("summary").click()
    expect(panel.locator("form button[type=submit]")).to_be_visible()


def upload(name: str, text: str) -> Any:
    return checked_upload(name, pdf_bytes(text), kind="invoice")


@pytest.fixture
def cases(manager, client_member, agent, agent_colleague, partner_org):
    """A client's cases in several statuses, with files, chat, tasks and news."""
    pending = submit(
        manager,
        partner_org,
        lines=[claim_line("12450.00", 1), claim_line("3200.50", 2, paid="200.00")],
    )
    workflow.upload(pending, manager, "Invoice INV-1001.pdf")

    more_info = submit(
        client_member,
        partner_org,
        debtor_company_name="Søndergaard Transport ApS",
        client_reference="NM-2026-021",
        lines=[claim_line("8900.00", 3)],
    )
    workflow.request_info(
        more_info, agent, "Please send the signed framework contract for INV-1003."
    )

    active = submit(
        manager,
        partner_org,
        debtor_company_name="Vestergaard Catering I/S",
        client_reference="NM-2026-030",
        lines=[claim_line("4100.00", 4), claim_line("950.00", 5)],
    )
    workflow.accept(active, agent)
    services.post_case_message(
        case_id=active.pk,
        actor=agent,
        membership=workflow.membership_of(agent),
        body="The debtor disputes INV-1005. Do you have the delivery note?",
    )
    services.post_case_message(
        case_id=active.pk,
        actor=client_member,
        membership=workflow.membership_of(client_member),
        body="Here it is, signed by their warehouse.",
        uploads=[upload("Delivery note 2026-01-12.pdf", "Delivery note")],
    )

    paused = submit(
        manager,
        partner_org,
        debtor_company_name="Lindholm Gartneri",
        lines=[claim_line("2300.00", 6)],
    )
    workflow.accept(paused, agent)
    workflow.pause(paused, agent)

    closed = submit(
        manager,
        partner_org,
        debtor_company_name="Aalborg Værft A/S",
        lines=[claim_line("640.00", 7)],
    )
    workflow.accept(closed, agent)
    workflow.close(closed, agent)

    # One task overdue, so the lists show their overdue marks too. Seeding only:
    # no service moves a due date into the past.
    Task.objects.filter(case=pending, state=Task.State.OPEN).update(
        due_on=timezone.localdate() - timedelta(days=3)
    )
    return {"pending": pending, "more_info": more_info, "active": active}


def test_main_pages_have_no_serious_accessibility_violations(
    new_context, cases, client_member, agent
):
    findings = Findings()
    more_info, active = cases["more_info"], cases["active"]
    assert Case.objects.get(pk=more_info.pk).status == Case.Status.MORE_INFO_REQUIRED

    # --- the client --------------------------------------------------------
    _, client = new_context()
    findings.open(client, "/accounts/login/", "log-in page")
    log_in(client, client_member.email)
    expect(client.get_by_role("heading", name="Cases", exact=True)).to_be_visible()
    findings.check(client, "client: case list")

    client.goto(f"/cases/{more_info.pk}/")
    expect(client.get_by_test_id("owed-task")).to_be_visible()
    findings.check(client, "client: case page")
    open_action(client, "withdraw")
    findings.check(client, "client: case page, withdraw panel open")

    findings.open(client, "/cases/new/", "client: new case form")
    findings.open(client, "/tasks/?tab=ours", "client: tasks for us")
    findings.open(client, "/tasks/?tab=waiting", "client: tasks waiting on others")
    findings.open(client, "/notifications/", "client: notifications")
    findings.open(
        client, "/notifications/preferences/", "client: notification settings"
    )
    findings.open(client, "/cases/statuses/", "client: status help")

    # --- the partner -------------------------------------------------------
    _, partner = new_context()
    partner.goto("/accounts/login/")
    log_in(partner, agent.email)
    expect(partner.get_by_role("heading", name="Cases received")).to_be_visible()
    findings.check(partner, "partner: cases received")

    partner.get_by_label("Status").select_option(label="Active")
    partner.get_by_label("Search").fill("Vestergaard")
    partner.get_by_role("button", name="Apply").click()
    expect(partner.get_by_test_id("case-list").get_by_role("row")).to_have_count(2)
    findings.check(partner, "partner: cases received, searched and filtered")

    partner.get_by_role("link", name=active.reference).click()
    expect(partner.get_by_test_id("chat")).to_contain_text("Delivery note")
    findings.check(partner, "partner: case page")
    open_action(partner, "request-info")
    findings.check(partner, "partner: case page, request-info panel open")
    open_action(partner, "close")
    findings.check(partner, "partner: case page, close panel open")
    # Two panels whose forms are in the page from the start.
    partner.get_by_text("Record a correction").click()
    partner.get_by_text("Post the monthly update").click()
    expect(partner.get_by_role("button", name="Post update")).to_be_visible()
    findings.check(partner, "partner: case page, correction and update open")

    findings.open(partner, "/tasks/?tab=ours", "partner: tasks for us")
    findings.open(partner, "/tasks/?tab=waiting", "partner: tasks waiting on others")
    findings.open(partner, "/notifications/", "partner: notifications")
    findings.open(partner, "/cases/statuses/", "partner: status help")

    if findings.minor:
        print("Moderate and minor findings (not failing):")
        print("\n".join(findings.minor))
    assert not findings.failures, (
        f"Serious or critical accessibility violations on "
        f"{len(findings.checked)} pages checked:\n" + "\n".join(findings.failures)
    )
    assert len(findings.checked) == 20
