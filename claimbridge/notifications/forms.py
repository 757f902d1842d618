"""Input shape of the notification settings; the service decides what they may do."""

from typing import Any

from django import forms

from .models import Notification, NotificationPreference

Choice = NotificationPreference.Choice


class PreferencesForm(forms.Form):
    """One choice per category; information requests cannot be switched off."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for category, label in Notification.Category.choices:
            choices = [
                (value, text)
                for value, text in Choice.choices
                if not (
                    value == Choice.OFF
                    and category in NotificationPreference.ALWAYS_MAILED
                )
            ]
            self.fields[category] = forms.ChoiceField(
                label=label, choices=choices, widget=forms.RadioSelect
            )
