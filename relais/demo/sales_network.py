"""The demo's salespeople's network, in French: six target accounts and their people, three
salespeople who know some of them (shared, on request, private; one relationship faded, one
exclusive), and the sharing pilot of the seed (the key-accounts team shares, the SME team not
yet). Idempotent: a second run finds the accounts by name and leaves them as they are."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from relais.accounts.choices import Role
from relais.accounts.models import User
from relais.demo.network import DEMO_DOMAIN, DEMO_PASSWORD
from relais.network import services
from relais.network.models import Account, NetworkTeam, Relationship

SELLERS = [
    ("commercial", "Sophie", "Laurent"),
    ("karim.haddad", "Karim", "Haddad"),
    ("elodie.martin", "Élodie", "Martin"),
]
# (company, SIREN, sector, département, city, [(first, last, title, level, e-mail)])
ACCOUNTS = [
    (
        "Groupe Vernier Industrie",
        "552081317",
        "Industrie",
        "69",
        "Lyon",
        [
            ("Claire", "Vernier", "Présidente-directrice générale", "executive", "c.vernier"),
            ("Marc", "Lefèvre", "Directeur financier", "director", "m.lefevre"),
            ("Inès", "Roux", "Directrice des systèmes d'information", "director", "i.roux"),
            ("Paul", "Girard", "Responsable des achats", "manager", "p.girard"),
        ],
    ),
    (
        "Clinique du Parc",
        "",
        "Santé",
        "33",
        "Bordeaux",
        [
            ("Nathalie", "Dubois", "Directrice générale", "executive", "n.dubois"),
            ("Hugo", "Lambert", "Responsable des services techniques", "manager", "h.lambert"),
            ("Sarah", "Benali", "Cadre de santé", "staff", "s.benali"),
        ],
    ),
    (
        "Transports Morel & Fils",
        "",
        "Transport",
        "59",
        "Lille",
        [
            ("Jean", "Morel", "Gérant", "executive", "j.morel"),
            ("Lucie", "Morel", "Directrice administrative", "director", "l.morel"),
        ],
    ),
    (
        "Banque Régionale de l'Ouest",
        "",
        "Banque",
        "44",
        "Nantes",
        [
            ("François", "Le Gall", "Directeur régional", "executive", "f.legall"),
            ("Amélie", "Caron", "Responsable immobilier", "manager", "a.caron"),
            ("Thomas", "Perrin", "Acheteur", "staff", "t.perrin"),
        ],
    ),
    (
        "Énergies du Rhône",
        "",
        "Énergie",
        "38",
        "Grenoble",
        [
            ("Olivier", "Faure", "Directeur général", "executive", "o.faure"),
            ("Camille", "Noël", "Directrice des achats", "director", "c.noel"),
        ],
    ),
    (
        "Distribution Marchand",
        "",
        "Distribution",
        "75",
        "Paris",
        [
            ("Isabelle", "Marchand", "Directrice générale", "executive", "i.marchand"),
            ("Romain", "Blanc", "Directeur des magasins", "director", "r.blanc"),
        ],
    ),
]
# (seller login, company, last name, strength, context, visibility, days since, exclusive days)
KNOWS = [
    ("karim.haddad", "Groupe Vernier Industrie", "Vernier", 5, "school", "shared", 20, None),
    ("karim.haddad", "Groupe Vernier Industrie", "Lefèvre", 4, "former_colleague", "on_request", 60, None),  # noqa: E501
    ("commercial", "Groupe Vernier Industrie", "Girard", 3, "customer", "shared", 10, None),
    ("commercial", "Clinique du Parc", "Dubois", 4, "event", "on_request", 45, None),
    ("karim.haddad", "Clinique du Parc", "Lambert", 2, "event", "private", 500, None),
    ("commercial", "Transports Morel & Fils", "Morel", 5, "customer", "shared", 5, 60),
    ("karim.haddad", "Banque Régionale de l'Ouest", "Le Gall", 4, "association", "shared", 700, None),  # noqa: E501
    ("elodie.martin", "Banque Régionale de l'Ouest", "Caron", 3, "friend", "shared", 30, None),
    ("elodie.martin", "Énergies du Rhône", "Faure", 5, "family", "on_request", 15, None),
    ("commercial", "Distribution Marchand", "Blanc", 2, "event", "private", 90, None),
]  # fmt: skip


def _seller(login: str, first: str, last: str) -> User:
    email = f"{login}@{DEMO_DOMAIN}"
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create(
            email=email,
            role=Role.SALESPERSON,
            first_name=first,
            last_name=last,
            password=make_password(DEMO_PASSWORD),
        )
    return user


def seed_sales_network() -> None:
    if Relationship.objects.filter(owner__email__endswith=f"@{DEMO_DOMAIN}").exists():
        return
    # A reset removed the demo's users (and their relationships with them): start again.
    Account.objects.filter(name__in=[a[0] for a in ACCOUNTS]).delete()
    sellers = {login: _seller(login, first, last) for login, first, last in SELLERS}
    manager = User.objects.filter(email=f"manager@{DEMO_DOMAIN}").first()
    pilot, _new = NetworkTeam.objects.get_or_create(
        name="Grands comptes (pilote)", defaults={"sharing_enabled": True, "manager": manager}
    )
    pilot.members.add(sellers["commercial"], sellers["karim.haddad"])
    sme, _new = NetworkTeam.objects.get_or_create(
        name="PME", defaults={"sharing_enabled": False, "manager": manager}
    )
    sme.members.add(sellers["elodie.martin"])
    people = {}
    for name, siren, sector, dept, city, contacts in ACCOUNTS:
        account = services.account_create(
            actor=manager,
            data={
                "name": name,
                "siren": siren,
                "sector": sector,
                "departement": dept,
                "city": city,
            },
        )
        domain = account.name_key.split()[0] + ".fr"
        for first, last, title, level, mail in contacts:
            people[(name, last)] = services.contact_create(
                actor=manager,
                account=account,
                data={
                    "first_name": first,
                    "last_name": last,
                    "title": title,
                    "level": level,
                    "email": f"{mail}@{domain}",
                },
            )
    today = timezone.localdate()
    for login, company, last, strength, context, visibility, days, exclusive in KNOWS:
        services.relationship_record(
            owner=sellers[login],
            contact=people[(company, last)],
            data={
                "strength": strength,
                "context": context,
                "visibility": visibility,
                "last_interaction": today - timedelta(days=days),
                "exclusive_until": today + timedelta(days=exclusive) if exclusive else None,
            },
        )
