"""How django-allauth behaves for Claimbridge: invite-only, same answers for all."""

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

# One sentence for a wrong password and for an address without an account, so
# the answer does not tell whether an account exists.
WRONG_CREDENTIALS = _("E-mail and password do not match an account.")
TOO_MANY_ATTEMPTS = _("Too many attempts — try again in a few minutes.")


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "email_password_mismatch": WRONG_CREDENTIALS,
        "too_many_login_attempts": TOO_MANY_ATTEMPTS,
        "rate_limited": TOO_MANY_ATTEMPTS,
    }

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # People join by invitation of their organisation's admin.
        return False
