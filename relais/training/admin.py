"""Admin screens of training: the content readable and fixable by an administrator, the
partners' records (readings, attempts, certificates) shown but never written here — their
writes go through the services, which keep the rules and the audit trail."""

from django.contrib import admin

from relais.core.admin import ReadOnlyAdmin
from relais.training.models import (
    Attempt,
    Certificate,
    Choice,
    Module,
    Path,
    PathStep,
    Question,
    Reading,
)


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0
    fields = ["text", "multiple", "points", "position"]
    show_change_link = True


@admin.register(Module)
class ModuleAdmin(admin.ModelAdmin):
    list_display = ["title", "audience", "language", "required_for", "version", "published"]
    list_filter = ["published", "audience", "language", "required_for"]
    search_fields = ["title"]
    # The text, the video and the PDF are checked by ``authoring.module_save``: changed on the
    # manager's pages only, never saved here unchecked.
    readonly_fields = [
        "body",
        "video_url",
        "document",
        "pass_mark",
        "required_for",
        "required_since",
        "version",
        "created_at",
        "updated_at",
    ]
    inlines = [QuestionInline]


class ChoiceInline(admin.TabularInline):
    model = Choice
    extra = 0


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["text", "module", "multiple", "points"]
    list_filter = ["module"]
    inlines = [ChoiceInline]


class PathStepInline(admin.TabularInline):
    model = PathStep
    extra = 0


@admin.register(Path)
class PathAdmin(admin.ModelAdmin):
    list_display = ["title", "audience", "language", "published"]
    inlines = [PathStepInline]


@admin.register(Reading)
class ReadingAdmin(ReadOnlyAdmin):
    list_display = ["partner", "module", "version", "read_at"]
    raw_id_fields = ["partner"]


@admin.register(Attempt)
class AttemptAdmin(ReadOnlyAdmin):
    list_display = ["partner", "module", "version", "state", "score", "out_of", "started_at"]
    list_filter = ["state"]
    raw_id_fields = ["partner"]


@admin.register(Certificate)
class CertificateAdmin(ReadOnlyAdmin):
    list_display = ["code", "partner", "module", "path", "issued_at", "expires_at", "revoked_at"]
    search_fields = ["code"]
    raw_id_fields = ["partner"]
