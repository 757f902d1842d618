"""Domain errors: a broken business rule, shown to a person as a sentence."""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A business rule refused the action; the message is shown to the user."""

    default_message = _("This action is not possible.")

    def __init__(self, message: str | None = None) -> None:
        self.message = str(message or self.default_message)
        super().__init__(self.message)


class PermissionDenied(DomainError):
    default_message = _("You may not do this.")


class TransitionNotAllowed(DomainError):
    default_message = _("This status change is not allowed now.")


class ConcurrentChange(DomainError):
    default_message = _(
        "The case changed meanwhile. Reload the page to see its current state."
    )
