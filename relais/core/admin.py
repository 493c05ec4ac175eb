from typing import Any

from django.apps import apps
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from relais.core.formatting import format_number
from relais.core.legal_labels import legal_label, legal_unit
from relais.core.models import (
    AuditEntry,
    Departement,
    EventDelivery,
    LegalParameter,
    OutboxEvent,
)


@admin.register(LegalParameter)
class LegalParameterAdmin(admin.ModelAdmin):
    """Admins keep the legal figures current; an unconfirmed default is shown as such."""

    list_display = [
        "key",
        "shown_label",
        "shown_value",
        "shown_unit",
        "valid_from",
        "confirmed",
        "source",
    ]
    list_filter = ["confirmed", "unit"]
    search_fields = ["key", "label", "source"]
    ordering = ["key", "-valid_from"]

    @admin.display(description=_("value"), ordering="value")
    def shown_value(self, obj: LegalParameter) -> str:
        """73, 34, 18,6: the figure, not the column's four decimals (73,0000)."""
        return format_number(obj.value)

    @admin.display(description=_("label"), ordering="label")
    def shown_label(self, obj: LegalParameter) -> str:
        """In the reader's language: the rows were seeded in one (``core.legal_labels``)."""
        return legal_label(obj)

    @admin.display(description=_("unit"), ordering="unit")
    def shown_unit(self, obj: LegalParameter) -> str:
        return legal_unit(obj.unit)

    @admin.display(description=_("status"))
    def status(self, obj: LegalParameter) -> str:
        return str(_("confirmed")) if obj.confirmed else str(_("unconfirmed default"))


@admin.register(Departement)
class DepartementAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "region", "kind"]
    list_filter = ["kind", "region"]
    search_fields = ["code", "name"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Evidence (audit log, signatures): shown, never added, edited or deleted."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """Read-only: the log is never edited, not even by an administrator."""

    list_display = ["at", "actor", "subject_type", "subject_id", "action", "target"]
    list_filter = ["action", "subject_type"]
    search_fields = ["target", "reason"]


class DeliveryInline(admin.TabularInline):
    model = EventDelivery
    fields = ("handler", "attempts", "next_attempt_at", "done_at", "last_error")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(OutboxEvent)
class OutboxEventAdmin(ReadOnlyAdmin):
    """The domain events and, for each, who took it; ``manage.py events --replay`` retries."""

    list_display = ["pk", "kind", "created_at", "delivered_at"]
    list_filter = [("delivered_at", admin.EmptyFieldListFilter), "kind"]
    inlines = [DeliveryInline]


# django-tasks-db names its app and two columns in English only: the same admin, with those
# names translated. Its model's names go through gettext but it ships no catalogue: they are
# listed here so that makemessages keeps them in ours.
TASK_NAMES = (
    gettext_noop("Task Result"),
    gettext_noop("Task Results"),
    gettext_noop("enqueued at"),
    gettext_noop("started at"),
    gettext_noop("finished at"),
    gettext_noop("args kwargs"),
    gettext_noop("priority"),
    gettext_noop("task path"),
    gettext_noop("worker id"),
    gettext_noop("queue name"),
    gettext_noop("backend name"),
    gettext_noop("run after"),
    gettext_noop("return value"),
    gettext_noop("exception class path"),
    gettext_noop("traceback"),
    gettext_noop("status"),
)
apps.get_app_config("django_tasks_database").verbose_name = _("Background tasks")
if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)


RENAMED = {"formatted_traceback": "shown_traceback", "display_run_after": "shown_run_after"}


@admin.register(DBTaskResult)
class TaskResultAdmin(DBTaskResultAdmin):
    list_display = (
        "id",
        "task",
        "status",
        "enqueued_at",
        "started_at",
        "finished_at",
        "priority",
        "queue_name",
    )

    @admin.display(description=_("task"))
    def task(self, obj: DBTaskResult) -> str:
        return obj.task_name

    def get_readonly_fields(
        self, request: HttpRequest, obj: DBTaskResult | None = None
    ) -> list[str]:
        return [RENAMED.get(f, f) for f in super().get_readonly_fields(request, obj)]

    @admin.display(description=_("traceback"))
    def shown_traceback(self, obj: DBTaskResult) -> str:
        return self.formatted_traceback(obj)

    @admin.display(description=_("run after"))
    def shown_run_after(self, obj: DBTaskResult) -> Any:
        return self.display_run_after(obj)
