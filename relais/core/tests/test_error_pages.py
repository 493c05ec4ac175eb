"""Errors answer with Relais's own pages, in the user's language and with their menu: 403, 404,
the CSRF failure and 500; a referral link that no longer works says so, even with DEBUG on."""

import pytest
from django.test import Client, RequestFactory
from django.utils import translation
from django.utils.translation import gettext
from django.views.defaults import server_error

from relais.partners.choices import PartnerStatus
from relais.testing.factories import PartnerFactory


def in_language(code, text):
    with translation.override(code):
        return gettext(text)


@pytest.mark.parametrize(
    ("language", "menu_entry"), [("fr", "Tableau de bord"), ("en", "Dashboard")]
)
def test_a_manager_on_a_partner_page_gets_the_branded_403(client, manager, language, menu_entry):
    client.force_login(manager)
    response = client.get("/portal/", headers={"accept-language": language})
    assert response.status_code == 403
    page = response.content.decode()
    assert f'<html lang="{language}">' in page
    assert in_language(language, "This page is not open to you") in page
    assert 'class="menu"' in page  # the user's own menu, to go on from there
    assert menu_entry in page
    assert "/dashboard/" in page


def test_an_unknown_address_gets_the_branded_404(client, manager, settings):
    settings.DEBUG = False
    client.force_login(manager)
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert in_language("fr", "This page does not exist") in page
    assert 'class="menu"' in page
    assert in_language("fr", "Back to my home page") in page


@pytest.mark.parametrize("status", [PartnerStatus.CANDIDATE, PartnerStatus.ENDED])
def test_the_link_of_a_partner_not_active_says_so_even_with_debug(client, db, settings, status):
    settings.DEBUG = True  # `make run`: Http404 would show Django's debug page
    PartnerFactory(referral_code="gone2345", status=status)
    response = client.get("/r/gone2345/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "error-page" in page
    assert in_language("fr", "This recommendation link is not active") in page
    assert "URLconf" not in page  # Django's debug 404


def test_a_form_sent_without_its_csrf_token_gets_the_branded_page(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/login/", {"email": "a@example.fr", "password": "x"})
    assert response.status_code == 403
    page = response.content.decode()
    assert in_language("fr", "This form has expired") in page
    assert "relais/relais.css" in page
    assert "CSRF verification failed" not in page


def test_the_500_page_renders_without_the_database_or_a_request():
    """No django_db mark: a query here would fail the test, as the database may be what broke."""
    with translation.override("en"):
        response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    page = response.content.decode()
    assert '<html lang="en">' in page
    assert "Something went wrong on our side" in page
    assert "relais/relais.css" in page


def test_the_favicon_is_served_and_linked(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response.content.startswith(b"<svg")
    assert 'rel="icon" href="/static/relais/favicon.svg"' in client.get("/login/").content.decode()
