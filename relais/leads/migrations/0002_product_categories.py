from django.db import migrations

from relais.leads.seed import load


def forwards(apps, schema_editor):
    load(apps.get_model("leads", "ProductCategory"))


class Migration(migrations.Migration):
    dependencies = [("leads", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
