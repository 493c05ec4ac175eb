"""The legal parameters' labels and units are shown in the reader's language, not as seeded."""

import pytest

from relais.core.legal_labels import LABELS, UNITS
from relais.core.legal_seed import LEGAL_PARAMETERS

pytestmark = pytest.mark.django_db


def test_every_shipped_parameter_and_unit_has_a_translatable_label():
    assert {key for key, *_rest in LEGAL_PARAMETERS} <= set(LABELS)
    assert {row[3] for row in LEGAL_PARAMETERS} <= set(UNITS)


def test_the_admin_list_shows_labels_and_units_in_the_readers_language(client, admin_user):
    client.force_login(admin_user)
    page = client.get("/admin/core/legalparameter/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<td class="field-shown_label">Social levies on occasional commissions</td>' in page
    assert "Prélèvements sociaux on" not in page  # the seeded label, half French
    assert '<td class="field-shown_unit">months</td>' in page
    assert '<td class="field-shown_unit">1 = yes, 0 = no</td>' in page
    assert '<td class="field-shown_unit">flag</td>' not in page


def test_the_task_admin_names_its_app_and_columns_in_the_readers_language(client, admin_user):
    from relais.leads.tasks import send_prospect_notice

    result = send_prospect_notice.enqueue(0)
    client.force_login(admin_user)
    index = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Background tasks" in index
    assert "Tasks Database Backend" not in index
    listing = client.get(
        "/admin/django_tasks_database/dbtaskresult/", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert ">Task<" in listing or "Task</a>" in listing
    assert "Task name" not in listing
    page = client.get(
        f"/admin/django_tasks_database/dbtaskresult/{result.id}/change/", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert page.status_code == 200
    assert "Run after" in page.content.decode()
