"""Load the legal parameters added since 0002 (get_or_create: existing rows are kept)."""

from django.db import migrations

from relais.core.reference import load_legal_parameters


def load(apps, schema_editor):
    load_legal_parameters(apps.get_model("core", "LegalParameter"))


class Migration(migrations.Migration):
    dependencies = [("core", "0004_schedule")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
