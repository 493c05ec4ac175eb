"""Public pages reached from an e-mail, by a signed token (no login): one-click unsubscribe, the
preference page, and the provider's delivery webhooks."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
