"""Labels of choices, cheaply: the lists show one per row."""

from django.db.models import Choices


def choice_label(choices: type[Choices], value: str) -> str:
    """The translated label of `value`, or the value itself if it is unknown.

    Django's generated `get_FOO_display()` builds a dict of every lazy label on
    each call (about 0.1 ms); a case list, timeline or task list calls it once
    per row. Looking the value up in the enum is a dictionary access.
    """
    try:
        return str(choices(value).label)
    except ValueError:
        return value
