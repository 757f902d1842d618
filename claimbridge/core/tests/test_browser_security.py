"""Acceptance: every main page runs under its Content-Security-Policy, in Chromium.

A client admin and a partner member log in through the real form and open each
main page (and the log-in, password reset and two-factor pages on the way). On
each page the test checks that the answer carries the policy, that the DOM has
no inline script, inline event handler or `javascript:` link, and that the
browser reported no policy violation: a listener for `securitypolicyviolation`
events is added to every page by an init script (injected by the browser's
debugging protocol, so the policy does not apply to it) and Chromium's own
"Refused to …" console messages are collected too. All problems of all pages
are reported together at the end.
"""

import re
import time
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core import mail
from django.utils.http import int_to_base36
from playwright.sync_api import BrowserContext, ConsoleMessage, Page, Response

from claimbridge.accounts.tests.helpers import totp_code
from claimbridge.cases import services
from claimbridge.core.testing import checked_upload, pdf_bytes, submit
from claimbridge.core.tests.browser import *  # noqa: F403
from claimbridge.core.tests.browser import PASSWORD, log_in
from conftest import membership_of

pytestmark = pytest.mark.browser

WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  const text = "CSP violation: " + event.violatedDirective + " blocked "
    + (event.blockedURI || "inline code") + " at " + event.sourceFile + ":"
    + event.lineNumber + " (" + (event.sample || "") + ")";
  window.__cspViolations.push(text);
  console.error(text);
});
"""

FIND_INLINE_CODE = """
() => {
  const found = [];
  for (const script of document.querySelectorAll("script:not([src])")) {
    found.push("inline <script>: " + script.textContent.trim().slice(0, 80));
  }
  for (const element of document.querySelectorAll("*")) {
    for (const attribute of element.attributes) {
      const name = attribute.name.toLowerCase();
      const value = attribute.value.trim().toLowerCase();
      if (name.startsWith("on")) {
        found.push(`<${element.localName} ${name}="${attribute.value.slice(0, 60)}">`);
      } else if (value.startsWith("javascript:")) {
        found.push(`<${element.localName} ${name}="${attribute.value.slice(0, 60)}">`);
      }
    }
  }
  return found;
}
"""

RESET_LINK = re.compile(r"https?://\S+/accounts/password/reset/key/\S+/")


@dataclass
class PolicyWatch:
    """What the pages of the test did against the policy, page by page."""

    visited: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def listen(self, page: Page) -> None:
        page.on("console", lambda message: self._console(page, message))

    def _console(self, page: Page, message: ConsoleMessage) -> None:
        text = message.text
        if "Content Security Policy" in text or text.startswith("CSP violation"):
            self.problems.append(f"{page.url}: console: {text}")

    def check(self, who: str, page: Page, response: Response | None) -> None:
        """The page just opened: its header, its DOM, its reported violations."""
        where = f"{who} {page.url}"
        self.visited.append(where)
        if response is None:
            self.problems.append(f"{where}: no response")
            return
        policy = response.headers.get("content-security-policy", "")
        if "script-src 'self'" not in policy or "unsafe-inline" in policy:
            self.problems.append(f"{where}: policy header is {policy!r}")
        for finding in page.evaluate(FIND_INLINE_CODE):
            self.problems.append(f"{where}: {finding}")
        violations = page.evaluate("window.__cspViolations")
        if violations is None:
            self.problems.append(f"{where}: the violation listener did not run")
        for violation in violations or []:
            self.problems.append(f"{where}: {violation}")

    def open(self, who: str, page: Page, path: str) -> None:
        self.check(who, page, page.goto(path))

    def submit(self, who: str, page: Page, button: str) -> None:
        """Click a form's button and check the page it leads to."""
        with page.expect_navigation() as navigation:
            page.get_by_role("button", name=button).click()
        self.check(who, page, navigation.value)


def watched(new_context: Any, watch: PolicyWatch) -> tuple[BrowserContext, Page]:
    context, page = new_context()
    context.add_init_script(WATCH_VIOLATIONS)
    watch.listen(page)
    return context, page


def log_in_and_check(watch: PolicyWatch, who: str, page: Page, email: str) -> None:
    watch.open(who, page, "/accounts/login/")
    with page.expect_navigation() as navigation:
        log_in(page, email)
    watch.check(who, page, navigation.value)


@pytest.fixture
def case(manager, agent, partner_org):
    """A submitted case with a file and a chat message, so its page is complete."""
    case = submit(manager, partner_org)
    services.upload_case_documents(
        case_id=case.pk,
        actor=manager,
        membership=membership_of(manager),
        uploads=[checked_upload("invoice-1001.pdf", pdf_bytes("INV-1001"))],
    )
    services.post_case_message(
        case_id=case.pk,
        actor=agent,
        membership=membership_of(agent),
        body="Please send the signed contract.",
    )
    return case


def test_every_main_page_keeps_to_the_content_security_policy(
    new_context, settings, case, manager, agent
):
    # The test's clock and the server's may lie one 30-second step apart.
    settings.MFA_TOTP_TOLERANCE = 1
    watch = PolicyWatch()
    case_page = f"/cases/{case.pk}/"

    _, visitor = watched(new_context, watch)
    watch.open("anonymous", visitor, "/accounts/password/reset/")
    visitor.locator("input[name=email]").fill(manager.email)
    watch.submit("anonymous", visitor, "Reset My Password")
    [reset_mail] = mail.outbox
    watch.open("anonymous", visitor, RESET_LINK.search(reset_mail.body).group())

    _, client_page = watched(new_context, watch)
    log_in_and_check(watch, "client", client_page, manager.email)
    for path in [
        case_page,
        "/cases/new/",
        "/tasks/",
        "/notifications/",
        "/notifications/preferences/",
        "/cases/statuses/",
        "/organisations/security/",
        "/organisations/security/log/",
        "/accounts/sessions/",
        "/accounts/password/change/",
        "/accounts/2fa/",
    ]:
        watch.open("client", client_page, path)
    # Two-factor set-up: the password again, the QR code, then the recovery codes.
    watch.open("client", client_page, "/accounts/2fa/totp/activate/")
    client_page.locator("input[name=password]").fill(PASSWORD)
    watch.submit("client", client_page, "Confirm")
    secret = client_page.locator("#authenticator_secret").input_value()
    client_page.locator("input[name=code]").fill(totp_code(secret, time.time()))
    watch.submit("client", client_page, "Activate")
    watch.open("client", client_page, "/accounts/2fa/webauthn/add/")
    # Logging in again now asks for the second factor.
    watch.submit("client", client_page, "Log out")
    with client_page.expect_navigation() as navigation:
        log_in(client_page, manager.email)
    watch.check("client", client_page, navigation.value)

    _, partner_page = watched(new_context, watch)
    log_in_and_check(watch, "partner", partner_page, agent.email)
    for path in [
        case_page,
        "/tasks/",
        "/notifications/",
        "/notifications/preferences/",
        "/cases/statuses/",
        "/accounts/2fa/",
    ]:
        watch.open("partner", partner_page, path)

    assert not watch.problems, "\n".join(watch.problems)
    assert not watch.problems, "\n".join(watch.problems)
    assert [where.split("/", 3)[-1] for where in watch.visited] == [
        "accounts/password/reset/",
        "accounts/password/reset/done/",
        f"accounts/password/reset/key/{int_to_base36(manager.pk)}-set-password/",
        "accounts/login/",
        "cases/",
        f"cases/{case.pk}/",
        "cases/new/",
        "tasks/",
        "notifications/",
        "notifications/preferences/",
        "cases/statuses/",
        "organisations/security/",
        "organisations/security/log/",
        "accounts/sessions/",
        "accounts/password/change/",
        "accounts/2fa/",
        "accounts/reauthenticate/?next=%2Faccounts%2F2fa%2Ftotp%2Factivate%2F",
        "accounts/2fa/totp/activate/",
        "accounts/2fa/recovery-codes/",
        "accounts/2fa/webauthn/add/",
        "accounts/login/",
        "accounts/2fa/authenticate/",
        "accounts/login/",
        "cases/",
        f"cases/{case.pk}/",
        "tasks/",
        "notifications/",
        "notifications/preferences/",
        "cases/statuses/",
        "accounts/2fa/",
    ]
