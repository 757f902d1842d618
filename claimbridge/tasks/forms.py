"""Input shapes of the Tasks page; the services decide what the input may do."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from claimbridge.accounts.models import User


class AssignForm(forms.Form):
    """Whom the task goes to: a colleague, or nobody (the whole organisation)."""

    assignee = forms.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Unassigned"),
        label=_("Assign to"),
    )

    def __init__(self, *args: Any, colleagues: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        field.queryset = User.objects.filter(pk__in=[c.pk for c in colleagues])
        field.label_from_instance = lambda user: user.display_name


class PostponeForm(forms.Form):
    due_on = forms.DateField(
        label=_("New deadline"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 300}),
        error_messages={"required": _("Give the reason for postponing the task.")},
    )
