import datetime
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("%(value)s is not a known time zone."), params={"value": value}
        )


class Organisation(models.Model):
    """A client (creditor), a collection partner, or the platform operators."""

    class Kind(models.TextChoices):
        CLIENT = "client", _("Client")
        PARTNER = "partner", _("Collection partner")
        PLATFORM = "platform", _("Platform")

    kind = models.CharField(max_length=16, choices=Kind.choices)
    name = models.CharField(max_length=200)
    country = CountryField()
    # Subdivision code of the `holidays` package (German state, UK nation, US state).
    region = models.CharField(max_length=10, blank=True)
    time_zone = models.CharField(
        max_length=64, default="Europe/Berlin", validators=[validate_time_zone]
    )
    # Partners: the debtor countries they take cases for.
    covered_countries = CountryField(multiple=True, blank=True)
    # Set by the organisation's admins: members must use two-factor log-in
    # (organisations.middleware.RequireTwoFactorMiddleware).
    requires_two_factor = models.BooleanField(
        _("require two-factor authentication"), default=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def local_today(self) -> "datetime.date":
        """Today's date in the organisation's time zone."""
        return timezone.now().astimezone(zoneinfo.ZoneInfo(self.time_zone)).date()

    @property
    def is_client(self) -> bool:
        return self.kind == self.Kind.CLIENT

    @property
    def is_partner(self) -> bool:
        return self.kind == self.Kind.PARTNER

    @property
    def is_platform(self) -> bool:
        return self.kind == self.Kind.PLATFORM


class Membership(models.Model):
    """A person's place in one organisation, with a role."""

    class Role(models.TextChoices):
        ADMIN = "admin", _("Admin")
        MEMBER = "member", _("Member")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], name="membership_unique_user_org"
            )
        ]
        ordering = ["organisation__name"]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation} ({self.role})"

    @property
    def is_admin(self) -> bool:
        return self.role == self.Role.ADMIN
