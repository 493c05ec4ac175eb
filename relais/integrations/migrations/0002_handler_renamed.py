"""The fan-out handler moved (``services.fan_out`` became ``handlers.on_domain_event``): the
deliveries still waiting under the old name are handed to the new one, not left stuck."""

from django.db import migrations

OLD = "relais.integrations.services.fan_out"
NEW = "relais.integrations.handlers.on_domain_event"


def forward(apps, schema_editor):
    apps.get_model("core", "EventDelivery").objects.filter(handler=OLD).update(handler=NEW)


def backward(apps, schema_editor):
    apps.get_model("core", "EventDelivery").objects.filter(handler=NEW).update(handler=OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("integrations", "0001_initial"),
        ("core", "0007_outbox"),
    ]

    operations = [migrations.RunPython(forward, backward)]
