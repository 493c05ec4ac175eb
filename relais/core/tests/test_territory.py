import pytest
from django.core.exceptions import ValidationError

from relais.core.choices import TerritoryKind
from relais.core.models import Departement
from relais.core.territory import departement_for_postcode


@pytest.mark.parametrize(
    ("postcode", "departement"),
    [
        ("75001", "75"),
        ("01000", "01"),
        ("69 003", "69"),
        ("20000", "2A"),
        ("20167", "2A"),
        ("20200", "2B"),
        ("20600", "2B"),
        ("97100", "971"),
        ("97200", "972"),
        ("97300", "973"),
        ("97400", "974"),
        ("97600", "976"),
        ("97500", "975"),
        ("97133", "977"),
        ("97150", "978"),
    ],
)
def test_postcode_gives_its_departement(postcode, departement):
    assert departement_for_postcode(postcode) == departement


@pytest.mark.parametrize(
    ("postcode", "rule"),
    [
        ("7500", "exactly 5 digits"),
        ("ABCDE", "exactly 5 digits"),
        ("00100", "no French département"),
        ("98000", "no French département"),
        ("97800", "no French département"),
        ("20300", "Corsican postcodes"),
    ],
)
def test_bad_postcode_is_refused_with_the_value_and_the_rule(postcode, rule, settings):
    settings.LANGUAGE_CODE = "en"
    with pytest.raises(ValidationError) as excinfo:
        departement_for_postcode(postcode)
    message = excinfo.value.messages[0]
    assert postcode in message
    assert rule in message


@pytest.mark.django_db
def test_reference_table_holds_the_101_departements_with_their_region():
    departements = Departement.objects.filter(kind=TerritoryKind.DEPARTEMENT)
    assert departements.count() == 101
    assert Departement.objects.get(code="2A").region == "Corse"
    assert Departement.objects.get(code="974").name == "La Réunion"
    assert Departement.objects.get(code="977").kind == TerritoryKind.COLLECTIVITE


@pytest.mark.django_db
def test_every_chief_town_postcode_maps_back_to_its_departement():
    for dep in Departement.objects.all():
        assert departement_for_postcode(dep.chef_lieu_postcode) == dep.code, dep
