import pytest

pytestmark = pytest.mark.django_db

STAFF_PAGES = ["/dashboard/", "/dashboard/map/", "/partners/"]


def menu_links(client):
    return [str(item.label) for item in client.get("/account/tokens/").context["menu"]]


def test_each_role_sees_its_own_menu(client, admin_user, manager, salesperson, introducer_user):
    client.force_login(admin_user)
    assert {"Tableau de bord", "Partenaires", "Paramètres"} <= set(menu_links(client))
    client.force_login(manager)
    assert "Partenaires" in menu_links(client)
    assert "Paramètres" not in menu_links(client)
    client.force_login(salesperson)
    assert "Partenaires" not in menu_links(client)
    assert "Détracteurs à rappeler" in menu_links(client)  # their unhappy customers
    client.force_login(introducer_user)
    assert menu_links(client) == [
        "Mon espace",
        "Mes leads",
        "Mes gains",
        "Mes documents",
        "Ma formation",
        "Mes challenges",
        "Mes coordonnées",
        "Mes e-mails",
        "Jetons d'API",
    ]


def test_partner_users_cannot_open_staff_pages(client, reseller_user):
    client.force_login(reseller_user)
    for page in STAFF_PAGES:
        assert client.get(page).status_code == 403


def test_staff_has_no_portal(client, manager):
    client.force_login(manager)
    assert client.get("/portal/").status_code == 403


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    assert client.get("/dashboard/").url.startswith("/login/")
