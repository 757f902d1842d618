from django import forms
from django.utils.translation import gettext_lazy as _


class SecuritySettingsForm(forms.Form):
    requires_two_factor = forms.BooleanField(
        required=False,
        label=_("Require two-factor authentication for all members"),
        help_text=_(
            "Members without it are sent to set it up (an authenticator app or a "
            "security key) before they see any case."
        ),
    )
