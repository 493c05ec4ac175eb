"""``{% load money %}``: the former name of ``{% load formatting %}``, the same filters (one
library, registered under both names) for templates that still load it."""

from relais.core.templatetags.formatting import register

__all__ = ["register"]
