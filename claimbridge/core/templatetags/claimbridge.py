"""Template filters of the whole site."""

import json
from typing import Any

from django import template
from django.core.serializers.json import DjangoJSONEncoder

register = template.Library()


@register.filter
def to_json(value: Any) -> str:
    """The value as JSON text, escaped like any text where it is placed.

    For data that a static script reads from an element's text or attribute,
    where Django's `json_script` would need an inline <script> element, which
    the Content-Security-Policy forbids.
    """
    return json.dumps(value, cls=DjangoJSONEncoder)
