"""Acceptance: the info-request workflow end to end, in a real browser.

Two people of two organisations, each in their own browser context, play the
whole flow against the live server: the client submits a case through the
form; the partner asks for more information with a message and a file; the
client's mail arrives at a real SMTP server, the client follows its link, logs
in, sees the task and its due date and answers with a PDF; the partner is
mailed, accepts the case, and the timeline shows every step with actor and
time. A second client of the same partner has its own case, so that every mail
and every client page can be checked for leaks. Mail is delivered by the real
django-tasks worker, run in batch mode after each action. Each page visited is
saved as a screenshot under test-artifacts/browser/.
"""

import re
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import holidays
import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from claimbridge.cases.models import Case
from claimbridge.core.testing import pdf_bytes, submit
from claimbridge.core.tests.browser import *  # noqa: F403
from claimbridge.core.tests.browser import live_chat, log_in, run_worker
from claimbridge.notifications.smtp_sink import ReceivedMail
from claimbridge.tasks.models import Task

pytestmark = pytest.mark.browser

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
DEBTOR = "Fjordkant Byg A/S"
OTHER_DEBTOR = "Vänern Trä AB"
# Names that belong to the other client or its case: never in the first
# client's mails or pages ("Recht" is the other partner, offered on the form
# but never part of this case).
FOREIGN = ("Brennwerk", "brennwerk.example", "Vänern", "BW-77")
FOREIGN_IN_MAIL = (*FOREIGN, "Recht")
REQUEST = (
    "Please send the signed framework contract for INV-1001. The debtor writes "
    "that no contract was ever signed; their letter is attached."
)
ANSWER = "Here is the framework contract, signed by the debtor's CEO on 3 March."
REQUEST_FILE = "Debtor letter 2026-02-14.pdf"
ANSWER_FILE = "Signed contract.pdf"
TIME_SHOWN = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")


def pdf(name: str, text: str) -> dict[str, Any]:
    return {"name": name, "mimeType": "application/pdf", "buffer": pdf_bytes(text)}


def danish_business_days_after(moment: datetime, days: int) -> date:
    """Count business days the long way, apart from the app's calendar code."""
    day = moment.astimezone(COPENHAGEN).date()
    public_holidays = holidays.country_holidays("DK", years=[day.year, day.year + 1])
    while days:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in public_holidays:
            days -= 1
    return day


def as_shown(day: date) -> str:
    """A date as the task lists show it (`D Y-m-d`)."""
    return f"{'Mon Tue Wed Thu Fri Sat Sun'.split()[day.weekday()]} {day:%Y-%m-%d}"


def as_in_mail(day: date) -> str:
    """A date as the info-request mail writes it (`l, j F Y`)."""
    weekday = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
    month = (
        "January February March April May June July August September October "
        "November December"
    ).split()
    return f"{weekday[day.weekday()]}, {day.day} {month[day.month - 1]} {day.year}"


def bodies(mail: ReceivedMail) -> tuple[str, str]:
    plain = mail.message.get_body(preferencelist=("plain",))
    html = mail.message.get_body(preferencelist=("html",))
    assert plain is not None and html is not None, mail.message
    return plain.get_content(), html.get_content()


def check_mails(
    mails: list[ReceivedMail],
    *,
    to: list[str],
    subject: str,
    link: str,
    contains: list[str],
) -> None:
    """One mail per recipient, exactly `to`; each with the link and the texts."""
    received = sorted(address for mail in mails for address in mail.rcpt_tos)
    assert received == sorted(to), [(m.rcpt_tos, m.subject) for m in mails]
    for mail in mails:
        plain, html = bodies(mail)
        assert str(mail.message["To"]) == mail.rcpt_tos[0]
        # A long non-ASCII subject is folded after "Subject:", so it decodes
        # with a leading space; mail programs drop it.
        assert mail.subject.strip().startswith(subject), mail.subject
        assert link in plain, plain
        assert f'href="{link}"' in html, html
        for text in contains:
            assert text in plain, f"{text!r} not in mail:\n{plain}"
        everything = mail.subject + plain + html
        for name in FOREIGN_IN_MAIL:
            assert name not in everything, f"{name!r} leaked into mail:\n{plain}"


def assert_nothing_foreign(page: Page) -> None:
    html = page.content()
    for name in FOREIGN:
        assert name not in html, f"{name!r} leaked into {page.url}"


def timeline_rows(page: Page) -> list[dict[str, str]]:
    return (
        page.get_by_test_id("timeline")
        .locator("li")
        .evaluate_all(
            """items => items.map(li => ({
            at: li.querySelector('time').getAttribute('datetime'),
            shown: li.querySelector('time').textContent.trim(),
            action: li.querySelector('strong').textContent.trim(),
            actor: li.querySelector('.actor').textContent.trim(),
            summary: (li.querySelector('.summary') || {textContent: ''}).textContent,
        }))"""
        )
    )


def check_timeline(
    page: Page, steps: list[tuple[str, str, str]], since: datetime
) -> None:
    """Every step, in this order, with its actor and a time in the test's span."""
    rows = timeline_rows(page)
    until = timezone.now() + timedelta(seconds=1)
    previous = since
    for row in rows:
        at = datetime.fromisoformat(row["at"])
        assert TIME_SHOWN.match(row["shown"]), row
        assert row["shown"] == f"{at:%Y-%m-%d %H:%M:%S}", row
        assert previous - timedelta(seconds=1) <= at <= until, row
        previous = at
    found = 0
    for row in rows:
        if found == len(steps):
            break
        action, actor, text = steps[found]
        if (
            row["action"] == action
            and row["actor"].startswith(actor)
            and text in row["summary"]
        ):
            found += 1
    listing = "\n".join(f"{r['action']} | {r['actor']} | {r['summary']}" for r in rows)
    assert found == len(steps), f"Missing from the timeline: {steps[found]}\n{listing}"


def seen_by(
    steps: list[tuple[str, str, str]], organisation: str
) -> list[tuple[str, str, str]]:
    """The steps one organisation sees: mail deliveries to its own people only."""
    return [
        ("E-mail sent", f"System ({organisation})", text)
        if action == "E-mail sent"
        else (action, actor, text)
        for action, actor, text in steps
        if action != "E-mail sent" or actor == organisation
    ]


def test_info_request_workflow_end_to_end(
    live_server,
    smtp_inbox,
    new_context,
    screenshot,
    client_org,
    partner_org,
    other_partner_org,
    manager,
    client_member,
    agent,
    agent_colleague,
    outsider,
):
    started = timezone.now() - timedelta(seconds=1)
    # The partner works for another client too; its case must stay out of sight.
    submit(
        outsider,
        partner_org,
        debtor_company_name=OTHER_DEBTOR,
        debtor_country="SE",
        debtor_city="Göteborg",
        currency="SEK",
        client_reference="BW-77",
    )
    run_worker()
    smtp_inbox.take()

    # --- the client submits the case through the form -------------------------
    _, client = new_context()
    client.goto("/cases/")
    expect(client.get_by_role("heading", name="Log in to Claimbridge")).to_be_visible()
    screenshot(client, "client-login")
    log_in(client, manager.email)
    expect(client.get_by_role("heading", name="Cases", exact=True)).to_be_visible()
    expect(client.get_by_text("No cases yet.")).to_be_visible()
    assert_nothing_foreign(client)
    screenshot(client, "client-cases-empty")

    client.get_by_role("link", name="Submit a case").click()
    expect(client.get_by_role("heading", name="Submit a case")).to_be_visible()
    client.get_by_label("Debtor is a").select_option(label="Company")
    client.get_by_label("Company name").fill(DEBTOR)
    client.get_by_label("Registration or VAT number").fill("DK12345678")
    client.get_by_label("E-mail").fill("bogholderi@fjordkant.example")
    client.get_by_label("Phone").fill("+45 32 12 34 56")
    client.get_by_label("Street").fill("Havnegade 4")
    client.get_by_label("Postal code").fill("8000")
    client.get_by_label("City").fill("Aarhus")
    client.get_by_label("Country").select_option(label="Denmark")
    client.get_by_label("Currency").select_option("DKK")
    # By role: a label's text includes the required-field asterisk.
    claim_type = client.get_by_role("combobox", name="Claim type", exact=True)
    claim_type.select_option(label="Unpaid invoice")
    dispute = client.get_by_role("combobox", name="Dispute", exact=True)
    dispute.select_option(label="Not disputed")
    client.get_by_label("Your reference").fill("NM-2026-017")
    client.get_by_label("Description").fill("Office furniture delivered in January.")
    today = timezone.localdate()
    # The claim-line inputs have no labels (see the report), hence the names.
    client.locator('[name="lines-0-reference"]').fill("INV-1001")
    client.locator('[name="lines-0-issued_on"]').fill(f"{today - timedelta(days=75)}")
    client.locator('[name="lines-0-due_on"]').fill(f"{today - timedelta(days=45)}")
    # A number input: the "12 450,00" that MoneyField accepts cannot be typed.
    client.locator('[name="lines-0-principal"]').fill("12 450,00")
    client.get_by_label("Collection partner").select_option(label=partner_org.name)
    client.get_by_label("Comments to the partner").fill("Customer since 2019.")
    client.get_by_label("Document type").select_option(label="Original invoice")
    client.get_by_label("Documents").set_input_files(
        pdf("Invoice INV-1001.pdf", "Invoice INV-1001")
    )
    screenshot(client, "client-new-case-form")
    client.get_by_role("button", name="Submit case").click()

    expect(client.get_by_role("status")).to_contain_text("submitted")
    expect(client).to_have_url(re.compile(r"/cases/\d+/$"))
    case = Case.objects.get(pk=int(client.url.rstrip("/").rsplit("/", 1)[1]))
    reference, case_url = case.reference, f"{live_server.url}/cases/{case.pk}/"
    assert (case.client, case.partner, case.created_by) == (
        client_org,
        partner_org,
        manager,
    )
    expect(
        client.get_by_role("heading", name=f"{reference} · {DEBTOR}")
    ).to_be_visible()
    expect(client.get_by_test_id("case-status")).to_have_text("Pending verification")
    expect(client.get_by_test_id("total-principal")).to_have_text("12,450.00")
    expect(client.get_by_test_id("documents")).to_contain_text("Invoice INV-1001.pdf")
    expect(client.get_by_test_id("case-tasks")).to_contain_text(
        f"Review new case — {partner_org.name}"
    )
    screenshot(client, "client-case-submitted")
    client.get_by_role("link", name="Cases", exact=True).click()
    expect(client.get_by_test_id("case-list")).to_contain_text("Pending verification")
    screenshot(client, "client-cases-pending")

    run_worker()
    check_mails(
        smtp_inbox.take(),
        to=[agent.email, agent_colleague.email],
        subject=f"[{reference}] New case from {client_org.name}: {DEBTOR}",
        link=case_url,
        contains=[DEBTOR, "12450.00 DKK"],
    )

    # --- the partner asks for more information --------------------------------
    partner_context, partner = new_context()
    partner.goto("/accounts/login/")
    screenshot(partner, "partner-login")
    log_in(partner, agent.email)
    expect(partner.get_by_role("heading", name="Cases received")).to_be_visible()
    cases = partner.get_by_test_id("case-list")
    expect(cases).to_contain_text(OTHER_DEBTOR)  # both clients' cases are listed
    row = cases.get_by_role("row").filter(
        has=partner.get_by_role("link", name=reference)
    )
    expect(row).to_contain_text(client_org.name)
    expect(row).to_contain_text("Pending verification")
    screenshot(partner, "partner-cases-received")

    row.get_by_role("link", name=reference).click()
    expect(partner.get_by_test_id("case-status")).to_have_text("Pending verification")
    expect(partner.get_by_test_id("case-tasks")).to_contain_text("Review new case")
    assert_nothing_foreign(partner)
    screenshot(partner, "partner-case-pending")

    request_info = partner.get_by_test_id("action-request-info")
    request_info.get_by_text("Ask the client for more information").click()
    request_info.get_by_label("What is needed, and why").fill(REQUEST)
    # Not by label: the chat's and the upload's file inputs share its id
    # "id_files", so the label points at the chat's input (see the report).
    expect(request_info.get_by_text("Attach files")).to_be_visible()
    request_info.locator("input[type=file]").set_input_files(
        pdf(REQUEST_FILE, "We never signed a contract with Nordlys.")
    )
    screenshot(partner, "partner-request-info-form")
    request_info.get_by_role("button", name="Send request").click()

    expect(partner.get_by_role("status")).to_have_text("Status updated.")
    expect(partner.get_by_test_id("case-status")).to_have_text("More info required")
    task = Task.objects.get(case=case, kind=Task.Kind.PROVIDE_INFORMATION)
    due = danish_business_days_after(task.created_at, 2)
    assert (task.organisation, task.state, task.due_on) == (
        client_org,
        Task.State.OPEN,
        due,
    )
    expect(partner.get_by_test_id("case-tasks")).to_contain_text(
        f"Provide more information — {client_org.name} due {as_shown(due)}"
    )
    expect(partner.get_by_test_id("chat")).to_contain_text(REQUEST)
    expect(partner.get_by_test_id("chat")).to_contain_text(REQUEST_FILE)
    screenshot(partner, "partner-case-more-info")

    run_worker()
    info_mails = smtp_inbox.take()
    check_mails(
        info_mails,
        to=[manager.email, client_member.email],
        subject=f"[{reference}] More information needed: {DEBTOR}",
        link=case_url,
        contains=[partner_org.name, REQUEST, REQUEST_FILE, as_in_mail(due)],
    )

    partner.get_by_role("link", name="Tasks", exact=True).click()
    partner.get_by_role("link", name="Waiting on others").click()
    waiting = (
        partner.get_by_test_id("task-list")
        .get_by_role("row")
        .filter(has_text=reference)
    )
    expect(waiting).to_contain_text("Provide more information")
    expect(waiting).to_contain_text(client_org.name)
    expect(waiting.get_by_test_id("due-on")).to_have_text(as_shown(due))
    screenshot(partner, "partner-tasks-waiting")
    waiting.get_by_role("link", name=reference).click()  # and stays on the case page
    expect(partner.get_by_test_id("case-status")).to_have_text("More info required")

    client.reload()
    mine = (
        client.get_by_test_id("case-list").get_by_role("row").filter(has_text=reference)
    )
    expect(mine).to_contain_text("Needs additional details")
    expect(client.get_by_test_id("unread-count")).to_have_text("1")
    assert_nothing_foreign(client)
    screenshot(client, "client-cases-needs-details")

    # --- a colleague of the client follows the mail, logs in and answers ------
    mail = next(m for m in info_mails if m.rcpt_tos == [client_member.email])
    link = re.search(r"https?://\S+/cases/\d+/", bodies(mail)[0]).group(0)
    _, clerk = new_context()
    clerk.goto(link)
    expect(clerk.get_by_role("heading", name="Log in to Claimbridge")).to_be_visible()
    screenshot(clerk, "clerk-login-from-mail")
    log_in(clerk, client_member.email)
    expect(clerk).to_have_url(case_url)
    expect(clerk.get_by_test_id("case-status")).to_have_text("Needs additional details")
    expect(clerk.get_by_test_id("chat")).to_contain_text(REQUEST)
    expect(clerk.get_by_test_id("case-tasks")).to_contain_text(f"due {as_shown(due)}")
    assert_nothing_foreign(clerk)
    screenshot(clerk, "clerk-case-needs-details")

    clerk.get_by_role("link", name="Tasks", exact=True).click()
    expect(clerk.get_by_role("link", name="For us")).to_have_attribute(
        "aria-current", "page"
    )
    ours = (
        clerk.get_by_test_id("task-list").get_by_role("row").filter(has_text=reference)
    )
    expect(ours).to_contain_text("Provide more information")
    expect(ours.get_by_test_id("due-on")).to_have_text(as_shown(due))
    expect(ours.get_by_test_id("due-on")).to_have_attribute("datetime", due.isoformat())
    assert_nothing_foreign(clerk)
    screenshot(clerk, "clerk-tasks-for-us")

    ours.get_by_role("link", name=reference).click()
    answer = clerk.get_by_test_id("message-form")
    answer.get_by_label("Message").fill(ANSWER)
    answer.get_by_label("Attach files").set_input_files(
        pdf(ANSWER_FILE, "Contract, signed")
    )
    screenshot(clerk, "clerk-answer-form")
    answer.get_by_role("button", name="Send message").click()

    last_entry = clerk.get_by_test_id("chat").locator(":scope > li").last
    expect(last_entry).to_contain_text(ANSWER)
    expect(last_entry).to_contain_text(ANSWER_FILE)
    expect(
        clerk.get_by_test_id("case-tasks").locator("li").filter(has_text="Provide more")
    ).to_contain_text("Done: Answered by message")
    expect(clerk.get_by_test_id("documents")).to_contain_text(ANSWER_FILE)
    task.refresh_from_db()
    assert (task.state, task.closed_by) == (Task.State.DONE, client_member)
    assert task.closed_by_message.body == ANSWER
    screenshot(clerk, "clerk-case-answered")

    clerk.get_by_role("link", name="Tasks", exact=True).click()
    expect(clerk.get_by_text("No open tasks. Well done.")).to_be_visible()
    screenshot(clerk, "clerk-tasks-done")

    # The partner's open case page shows the answer without being reloaded.
    with live_chat(partner_context):
        expect(partner.get_by_test_id("chat")).to_contain_text(ANSWER)
    expect(partner.get_by_test_id("chat")).to_contain_text(ANSWER_FILE)
    screenshot(partner, "partner-case-live-answer")

    run_worker()
    check_mails(
        smtp_inbox.take(),
        # The agent saw the answer arrive on the open case page (which marked
        # it read), so only the colleague is mailed about it.
        to=[agent_colleague.email],
        subject=f"[{reference}] New message from {client_member.display_name}",
        link=case_url,
        contains=[ANSWER, ANSWER_FILE],
    )

    # --- the partner sees the answer and accepts ------------------------------
    partner.get_by_role("link", name="Tasks", exact=True).click()
    partner.get_by_role("link", name="Waiting on others").click()
    expect(partner.get_by_text("Nothing is owed to you right now.")).to_be_visible()
    screenshot(partner, "partner-tasks-nothing-waiting")

    partner.get_by_role("link", name="Cases received", exact=True).click()
    partner.get_by_role("link", name=reference).click()
    expect(partner.get_by_test_id("chat")).to_contain_text(ANSWER)
    expect(
        partner.get_by_test_id("case-tasks")
        .locator("li")
        .filter(has_text="Provide more")
    ).to_contain_text("Done: Answered by message")
    expect(partner.get_by_test_id("documents")).to_contain_text(ANSWER_FILE)
    accept = partner.get_by_test_id("action-accept")
    accept.get_by_text("Accept case").click()
    screenshot(partner, "partner-accept-form")
    accept.get_by_role("button", name="Accept", exact=True).click()

    expect(partner.get_by_role("status")).to_have_text("Status updated.")
    expect(partner.get_by_test_id("case-status")).to_have_text("Active")
    assert not Task.objects.filter(case=case, state=Task.State.OPEN).exists()

    run_worker()
    check_mails(
        smtp_inbox.take(),
        to=[manager.email, client_member.email],
        subject=f"[{reference}] Active: {DEBTOR}",
        link=case_url,
        contains=['from "More info required" to "Active"'],
    )

    # --- the timeline tells the story, to both sides --------------------------
    # Each side sees the mails sent to its own people, not the other side's.
    partner_mail, client_mail = partner_org.name, client_org.name
    steps = [
        ("Case submitted", manager.display_name, f"Submitted to {partner_org.name}"),
        ("File added", manager.display_name, "Invoice INV-1001.pdf"),
        ("Task opened", manager.display_name, "Review new case"),
        ("E-mail sent", partner_mail, "New case from"),
        ("E-mail sent", partner_mail, "New case from"),
        (
            "Status changed",
            agent.display_name,
            "Pending verification → More info required",
        ),
        ("File added", agent.display_name, REQUEST_FILE),
        ("Message posted", agent.display_name, REQUEST[:60]),
        ("Task done", agent.display_name, "Review new case"),
        (
            "Task opened",
            agent.display_name,
            f"Provide more information for {client_org.name}",
        ),
        ("E-mail sent", client_mail, "More information needed"),
        ("E-mail sent", client_mail, "More information needed"),
        ("File added", client_member.display_name, ANSWER_FILE),
        ("Message posted", client_member.display_name, ANSWER[:60]),
        ("Task done", client_member.display_name, "Provide more information"),
        ("E-mail sent", partner_mail, "New message"),
        ("Status changed", agent.display_name, "More info required → Active"),
        ("E-mail sent", client_mail, f"[{reference}] Active"),
        ("E-mail sent", client_mail, f"[{reference}] Active"),
    ]
    # The whole timeline: the case page alone shows the latest events only.
    partner.goto(f"{case_url}?timeline=all#timeline")
    check_timeline(partner, seen_by(steps, partner_mail), since=started)
    expect(partner.get_by_test_id("timeline")).not_to_contain_text("@nordlys.example")
    assert_nothing_foreign(partner)
    screenshot(partner, "partner-case-active")

    client.goto(f"{case_url}?timeline=all#timeline")
    expect(client.get_by_test_id("case-status")).to_have_text("Active")
    check_timeline(client, seen_by(steps, client_mail), since=started)
    expect(client.get_by_test_id("timeline")).not_to_contain_text("@hansen.example")
    assert_nothing_foreign(client)
    screenshot(client, "client-case-active")
