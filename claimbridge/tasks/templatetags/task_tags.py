"""Template tags of the Tasks page."""

from collections.abc import Iterable
from html import escape
from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def assignee_options(people: Iterable[Any], assigned_id: int | None) -> SafeString:
    """The <option>s of a task's "Assign to" list, the assignee selected.

    Written here rather than by a loop in the template: the page shows one such
    list per task, and the template engine spent more than half of the page's
    time on them (docs/performance.md). Every text is escaped here.
    """
    options = [
        f'<option value=""{"" if assigned_id else " selected"}>'
        f"{escape(str(_('Unassigned')))}</option>"
    ]
    options.extend(
        f'<option value="{int(person.pk)}"'
        f"{' selected' if person.pk == assigned_id else ''}>"
        f"{escape(str(person.display_name))}</option>"
        for person in people
    )
    return mark_safe("".join(options))  # noqa: S308 - escaped above
