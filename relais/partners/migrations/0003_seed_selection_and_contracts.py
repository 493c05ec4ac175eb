from django.db import migrations

from relais.partners.seed import load


def forwards(apps, schema_editor):
    load(
        apps.get_model("partners", "SelectionCriterion"),
        apps.get_model("partners", "DocumentRequirement"),
        apps.get_model("partners", "ContractTemplate"),
    )


class Migration(migrations.Migration):
    dependencies = [("partners", "0002_selection_contracts_compliance")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
