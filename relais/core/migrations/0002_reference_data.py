"""Load the départements and the dated legal parameters of french-rules.md."""

from django.db import migrations

from relais.core.reference import load_departements, load_legal_parameters


def load(apps, schema_editor):
    load_departements(apps.get_model("core", "Departement"))
    load_legal_parameters(apps.get_model("core", "LegalParameter"))


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
