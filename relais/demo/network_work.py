"""The demo's introductions, internal bonus, account plan and special operations, in French, on
top of ``sales_network`` (its accounts, salespeople and relationships): one introduction that
became a won deal and earned its owner the internal bonus, one waiting for an answer, one
declined; the account plan of Groupe Vernier Industrie with its gap; a trade fair open to
nominations and a past customer evening credited. Idempotent: a second run changes nothing."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from relais.accounts.models import User
from relais.commissions.models import Plan, Rule
from relais.commissions.services.rules import plan_activate
from relais.demo.network import DEMO_DOMAIN
from relais.leads.services import lead_transition
from relais.network import introductions, operations, plans
from relais.network.models import (
    Account,
    Introduction,
    Operation,
    OperationNomination,
    Relationship,
)

BONUS_PLAN = "Prime interne de recommandation"


def _user(login: str) -> User:
    return User.objects.get(email=f"{login}@{DEMO_DOMAIN}")


def _rel(owner: User, company: str, last_name: str) -> Relationship:
    return Relationship.objects.get(
        owner=owner, account__name=company, contact__last_name=last_name
    )


def _bonus_rule(manager: User) -> None:
    """2 % of the deal, at most 1,000 € a deal, to the colleague whose introduction brought it."""
    if Plan.objects.filter(name=BONUS_PLAN).exists():
        return
    plan = Plan.objects.create(
        name=BONUS_PLAN, description="Prime versée par la paie, jamais par virement SEPA."
    )
    Rule.objects.create(
        plan=plan,
        code="prime-mise-en-relation",
        name="Prime de mise en relation",
        beneficiary="employee",
        trigger="won",
        formula="percent",
        rate=Decimal(2),
        cap_per_deal=Decimal(1000),
        valid_from=timezone.localdate().replace(month=1, day=1) - timedelta(days=366),
    )
    plan_activate(plan=plan, actor=manager)


def _introductions(sophie: User, karim: User) -> None:
    won = introductions.introduction_request(
        requester=sophie,
        relationship=_rel(karim, "Groupe Vernier Industrie", "Vernier"),
        why="Claire Vernier décide seule des investissements du groupe.",
        purpose="Présenter la rénovation énergétique des trois sites lyonnais.",
    )
    introductions.introduction_accept(introduction=won, actor=karim)
    won = introductions.introduction_outcome_record(
        introduction=won,
        actor=sophie,
        outcome="opportunity",
        note="Très bon accueil, visite des sites planifiée.",
        lead_data={
            "postcode": "69007",
            "phone": "0478601234",
            "need": "Rénovation énergétique de trois sites",
        },
    )
    if won.lead is not None and not won.lead.review_reason:
        lead = lead_transition(lead=won.lead, to="opened", actor=sophie)
        lead = lead_transition(
            lead=lead,
            to="won",
            actor=sophie,
            amount=Decimal("38500.00"),
            won_date=timezone.localdate() - timedelta(days=6),
        )
        introductions.introduction_bonus_award(lead=lead)  # what the worker does on LeadWon
    introductions.introduction_request(
        requester=sophie,
        relationship=_rel(karim, "Groupe Vernier Industrie", "Lefèvre"),
        why="Le directeur financier valide les budgets au-delà de 50 000 €.",
        purpose="Préparer le plan de financement du projet.",
    )
    declined = introductions.introduction_request(
        requester=karim,
        relationship=_rel(sophie, "Clinique du Parc", "Dubois"),
        why="La clinique agrandit son bloc opératoire.",
        purpose="Proposer la maintenance de la climatisation.",
    )
    introductions.introduction_decline(
        introduction=declined,
        actor=sophie,
        reason="Elle quitte la clinique en juin : je te présenterai son successeur.",
    )


def _plan(sophie: User, karim: User) -> None:
    account = Account.objects.get(name="Groupe Vernier Industrie")
    plan = plans.account_plan_ensure(account=account, actor=sophie)
    plans.account_plan_update(
        plan=plan,
        actor=sophie,
        strategy="Entrer par la rénovation énergétique du siège, puis étendre aux deux usines.",
        objectives="Signer le siège avant la fin du trimestre ; chiffrer les usines au printemps.",
        owner=sophie,
    )
    centre = [
        ("Vernier", "decision_maker", "favourable", "Même école que Karim (HEC)."),
        ("Lefèvre", "influencer", "neutral", "Attentif au retour sur investissement."),
        ("Roux", "influencer", "unknown", ""),
        ("Girard", "ally", "favourable", "Client depuis 2021."),
    ]
    for last, role, attitude, note in centre:
        plans.buying_centre_set(
            plan=plan,
            actor=sophie,
            contact=account.contacts.get(last_name=last),
            role=role,
            attitude=attitude,
            note=note,
        )
    today = timezone.localdate()
    first = plans.plan_step_add(
        plan=plan,
        actor=sophie,
        text="Déjeuner avec Claire Vernier (par Karim)",
        owner=karim,
        due_on=today - timedelta(days=12),
    )
    plans.plan_step_done(step=first, actor=karim)
    plans.plan_step_add(
        plan=plan,
        actor=sophie,
        text="Trouver qui connaît Inès Roux (DSI)",
        owner=sophie,
        due_on=today + timedelta(days=10),
    )


def _operations(manager: User, sophie: User, karim: User) -> None:
    today = timezone.localdate()
    fair = operations.operation_open(
        actor=manager,
        name="Salon Bâtiment & Énergie — invitations VIP",
        description="Trente badges VIP et un déjeuner sur le stand, le deuxième jour.",
        starts_on=today + timedelta(days=30),
        ends_on=today + timedelta(days=32),
        nominations_close_on=today + timedelta(days=20),
    )
    operations.operation_nominate(
        operation=fair,
        actor=sophie,
        relationship=_rel(sophie, "Groupe Vernier Industrie", "Girard"),
    )
    operations.operation_nominate(
        operation=fair,
        actor=karim,
        relationship=_rel(karim, "Banque Régionale de l'Ouest", "Le Gall"),
    )
    evening = operations.operation_open(
        actor=manager,
        name="Soirée clients à Lyon",
        starts_on=today - timedelta(days=40),
        ends_on=today - timedelta(days=40),
    )
    made = [
        operations.operation_nominate(
            operation=evening,
            actor=sophie,
            relationship=_rel(sophie, "Transports Morel & Fils", "Morel"),
        ),
        operations.operation_nominate(
            operation=evening,
            actor=karim,
            relationship=_rel(karim, "Groupe Vernier Industrie", "Vernier"),
        ),
    ]
    # The invitations of a past evening went out then: marked sent, no e-mail sent today.
    OperationNomination.objects.filter(pk__in=[n.pk for n in made]).update(
        invitation="sent", invited_at=timezone.now() - timedelta(days=55)
    )
    Operation.objects.filter(pk=evening.pk).update(status="inviting")
    for nomination, outcome in zip(made, ("deal", "opportunity"), strict=True):
        nomination.refresh_from_db()
        operations.nomination_track(
            nomination=nomination,
            actor=manager,
            invitation="accepted",
            attendance="attended",
            outcome=outcome,
        )
    evening.refresh_from_db()
    operations.operation_close(operation=evening, actor=manager)


def seed_network_work() -> None:
    """After ``seed_sales_network``; nothing when its salespeople are missing or it ran."""
    demo = User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}")
    if Introduction.objects.filter(requester__in=demo).exists():
        return
    manager = demo.filter(email=f"manager@{DEMO_DOMAIN}").first()
    if manager is None or not Relationship.objects.filter(owner__in=demo).exists():
        return
    sophie, karim = _user("commercial"), _user("karim.haddad")
    _bonus_rule(manager)
    _introductions(sophie, karim)
    _plan(sophie, karim)
    _operations(manager, sophie, karim)
