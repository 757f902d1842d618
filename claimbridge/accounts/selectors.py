"""Reads of accounts."""

from allauth.mfa.models import Authenticator

from .models import User

# Methods that count as a second factor; recovery codes alone do not.
SECOND_FACTORS = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)


def has_two_factor(user: User) -> bool:
    """Whether the person logs in with a second factor (TOTP or a security key)."""
    return Authenticator.objects.filter(user=user, type__in=SECOND_FACTORS).exists()
