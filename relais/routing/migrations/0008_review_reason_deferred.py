"""The yearly review's reason becomes a deferred message (core.deferred), read in the reader's
language. Reasons accepted before keep their text: ``say`` shows a stored string as it is."""

from django.db import migrations, models


def keep_the_text(apps, schema_editor):
    ReviewDecision = apps.get_model("routing", "ReviewDecision")
    for decision in ReviewDecision.objects.only("pk", "why").iterator():
        ReviewDecision.objects.filter(pk=decision.pk).update(reason=decision.why)


def back_to_text(apps, schema_editor):
    ReviewDecision = apps.get_model("routing", "ReviewDecision")
    for decision in ReviewDecision.objects.only("pk", "reason").iterator():
        text = (
            decision.reason
            if isinstance(decision.reason, str)
            else decision.reason.get("msgid", "")
        )
        ReviewDecision.objects.filter(pk=decision.pk).update(why=text[:300])


class Migration(migrations.Migration):
    dependencies = [("routing", "0007_coverage_requests")]

    operations = [
        migrations.AddField(
            model_name="reviewdecision",
            name="reason",
            field=models.JSONField(default=dict, verbose_name="why"),
        ),
        migrations.RunPython(keep_the_text, back_to_text),
        migrations.RemoveField(model_name="reviewdecision", name="why"),
    ]
