from datetime import date
from decimal import Decimal

import pytest

from relais.core.errors import MissingParameter
from relais.core.models import LegalParameter
from relais.core.params import legal_parameter, legal_value

pytestmark = pytest.mark.django_db


def test_das2_threshold_depends_on_the_year_paid():
    assert legal_value("das2_threshold", date(2023, 12, 31)) == Decimal("1200")
    assert legal_value("das2_threshold", date(2024, 1, 1)) == Decimal("2400")


def test_seeded_figures_of_2026():
    day = date(2026, 11, 22)
    assert legal_value("smic_monthly", day) == Decimal("1823.03")
    assert legal_value("gift_vat_cap", day) == Decimal("73")
    assert legal_value("pass_yearly", day) == Decimal("48060")


def test_unconfirmed_defaults_say_so():
    assert legal_parameter("social_levies_rate", date(2026, 1, 1)).confirmed is False
    assert legal_parameter("smic_monthly", date(2026, 1, 1)).confirmed is True


def test_a_new_smic_is_a_new_row_not_a_code_change():
    LegalParameter.objects.create(
        key="smic_monthly",
        label="SMIC",
        value=Decimal("1860.00"),
        unit="EUR",
        valid_from=date(2027, 1, 1),
        source="Décret 2027",
    )
    assert legal_value("smic_monthly", date(2026, 12, 31)) == Decimal("1823.03")
    assert legal_value("smic_monthly", date(2027, 1, 1)) == Decimal("1860.00")


def test_a_date_before_any_value_is_a_clear_error():
    with pytest.raises(MissingParameter) as excinfo:
        legal_value("smic_monthly", date(2020, 1, 1))
    assert "smic_monthly" in excinfo.value.message


def test_admins_edit_parameters_in_the_admin(client, admin_user):
    client.force_login(admin_user)
    response = client.get("/admin/core/legalparameter/?confirmed__exact=0")
    assert response.status_code == 200
    assert b"social_levies_rate" in response.content
    assert b"smic_monthly" not in response.content
