from django.db import migrations, models


def keep_one_per_issue_date(apps, schema_editor):
    """The same certificate sent twice before the constraint existed: keep the last upload
    (its file is the one the page showed); the earlier rows go, their files stay on disk."""
    certificate = apps.get_model("commissions", "VigilanceCertificate")
    seen = set()
    for pk, partner_id, issued_on in certificate.objects.order_by("-pk").values_list(
        "pk", "partner_id", "issued_on"
    ):
        if (partner_id, issued_on) in seen:
            certificate.objects.filter(pk=pk).delete()
        seen.add((partner_id, issued_on))


class Migration(migrations.Migration):
    dependencies = [
        ("commissions", "0002_lines_fewer_indexes"),
    ]

    operations = [
        migrations.RunPython(keep_one_per_issue_date, migrations.RunPython.noop, elidable=True),
        migrations.AddConstraint(
            model_name="vigilancecertificate",
            constraint=models.UniqueConstraint(
                fields=("partner", "issued_on"), name="vigilance_once"
            ),
        ),
    ]
