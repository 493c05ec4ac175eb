"""``{% load deferred %}`` ``{{ stored|say }}``: a sentence the system stored as a deferred
message (``core.deferred``), in the reader's language; a plain stored string as it was written."""

from typing import Any

from django import template

from relais.core.deferred import say as _say

register = template.Library()


@register.filter
def say(value: Any) -> str:
    return _say(value)
