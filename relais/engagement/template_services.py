"""Writes of the e-mail templates a manager keeps for campaigns and automations: each subject and
body checked by ``merge.template_check`` before anything is saved (a typo in a merge field is
refused naming the field, never sent as a blank to the whole network), and a template still in
use kept from deletion."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from relais.accounts.models import User
from relais.core.audit import audit_record, diff, snapshot
from relais.core.errors import DomainError
from relais.engagement import merge
from relais.engagement.choices import Topic
from relais.engagement.models import MessageTemplate

FIELDS = ("name", "topic", "subject_fr", "body_fr", "subject_en", "body_en")
CHECKED = ("subject_fr", "body_fr", "subject_en", "body_en")


def _cleaned(data: dict[str, Any]) -> dict[str, str]:
    values = {f: str(data.get(f) or "").strip() for f in FIELDS}
    values["topic"] = values["topic"] or Topic.NEWS
    return values


def _errors(template: MessageTemplate, values: dict[str, str]) -> dict[str, list[str]]:
    """Every field's error at once, so the manager fixes them in one go."""
    errors: dict[str, list[str]] = {}
    required = (
        ("name", _("Give the template a name.")),
        ("subject_fr", _("The French subject is required.")),
        ("body_fr", _("The French body is required.")),
    )
    for field, message in required:
        if not values[field]:
            errors[field] = [message]
    if values["topic"] not in Topic.values:
        errors["topic"] = [_("Choose what the e-mail is about.")]
    # One English half alone would be ignored (mailing.template_for falls back to French).
    if bool(values["subject_en"]) != bool(values["body_en"]):
        missing = "body_en" if values["subject_en"] else "subject_en"
        errors[missing] = [_("Write the English subject and body, or leave both empty.")]
    for field in CHECKED:
        if values[field] and field not in errors:
            try:
                merge.template_check(values[field], field=field)
            except ValidationError as exc:
                errors[field] = exc.message_dict[field]
    taken = MessageTemplate.objects.filter(name__iexact=values["name"]).exclude(pk=template.pk)
    if values["name"] and "name" not in errors and taken.exists():
        errors["name"] = [_("Another template already has this name.")]
    return errors


def message_template_save(
    *, template: MessageTemplate, data: dict[str, Any], actor: User | None
) -> MessageTemplate:
    """Create (``template`` unsaved) or change a template from ``data`` (the form's fields).
    Raises ``ValidationError`` naming each field that is wrong; nothing is saved then."""
    values = _cleaned(data)
    errors = _errors(template, values)
    if errors:
        raise ValidationError(errors)
    created = template.pk is None
    before = {} if created else snapshot(template, FIELDS)
    with transaction.atomic():
        for field, value in values.items():
            setattr(template, field, value)
        template.save()
        audit_record(
            subject=template,
            action="created" if created else "updated",
            actor=actor,
            target=template.name,
            changes=diff(before, snapshot(template, FIELDS)) if not created else None,
        )
    return template


def message_template_delete(*, template: MessageTemplate, actor: User | None) -> None:
    """Delete a template no campaign or automation uses (their history must keep saying what
    was sent); refused, saying by whom it is used, otherwise."""
    with transaction.atomic():
        locked = MessageTemplate.objects.select_for_update().get(pk=template.pk)
        campaigns = locked.campaigns.count()
        automations = locked.automations.count()
        if campaigns or automations:
            message = _(
                "This template is used by %(campaigns)s campaign(s) and %(automations)s "
                "automation(s): it cannot be deleted."
            )
            raise DomainError(
                message % {"campaigns": campaigns, "automations": automations}, code="in_use"
            )
        audit_record(subject=locked, action="deleted", actor=actor, target=locked.name)
        locked.delete()
