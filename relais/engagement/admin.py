"""Admin screens of network animation: the suppression list and the partners' e-mail choices."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from relais.engagement.models import Preference, Suppression


@admin.register(Suppression)
class SuppressionAdmin(admin.ModelAdmin):
    list_display = ["email", "reason", "at", "detail"]
    list_filter = ["reason"]
    search_fields = ["email"]
    date_hierarchy = "at"
    ordering = ["-at"]

    def save_model(self, request: HttpRequest, obj: Suppression, form: Any, change: bool) -> None:
        # The list is compared lower-cased (preferences.suppressed_among): store it so.
        obj.email = obj.email.strip().lower()
        super().save_model(request, obj, form, change)


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ["partner", "language", "news", "challenges", "digest", "unsubscribed_at"]
    list_filter = ["language", "news", "challenges", "digest"]
    search_fields = ["partner__email", "partner__last_name", "partner__company_name"]
    raw_id_fields = ["partner"]
