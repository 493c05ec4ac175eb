"""The access matrix: every URL pattern that takes an argument, for every role, asked for another
partner's objects, answers 403 or 404 (the login page for a visitor), never the object.

The patterns come from the URL conf itself (``get_resolver()``, walked recursively), so a new URL
is in the matrix the day it is added: if ``CASES`` does not say which object its arguments point
at, ``test_every_url_with_an_argument_is_in_the_matrix`` fails and names it. The objects are made
once for the module (one partner's of every kind, ``relais.testing.scoping``) and each role's
test walks every URL with GET and POST (and PATCH for the API), collecting every failure.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.resolvers import RegexPattern, RoutePattern
from django.utils import timezone

from relais.accounts.choices import Role
from relais.accounts.services import api_token_create
from relais.core.reference import ensure_reference_data
from relais.leads.seed import ensure_seed as ensure_lead_seed
from relais.partners.models import ContractTemplate
from relais.partners.seed import ensure_seed
from relais.routing.models import CoverageRequest
from relais.testing import scoping
from relais.testing.factories import PartnerFactory, UserFactory, partner_user
from relais.training.models import Module

ROLES = ("anonymous", "introducer", "reseller", "salesperson", "manager", "admin")
MANAGERS = frozenset({"manager", "admin"})
PARTNER_USERS = frozenset({"introducer", "reseller"})
NOBODY: frozenset[str] = frozenset()
YEAR = timezone.localdate().year


@dataclass
class World:
    """The users of each role (``introducer`` and ``reseller`` act for partners of their own)
    and the other partner's objects they ask for."""

    users: dict[str, Any]
    tokens: dict[str, str]
    theirs: scoping.PartnerObjects
    animation: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Case:
    """What a URL's arguments point at, built from the world: the other partner's objects
    (``object=True``) or mere parameters (a year, an action, a kind). ``reaches``: the roles
    whose scope holds them, who get the page; every other role must be refused."""

    kwargs: Callable[[World], dict[str, Any]]
    reaches: frozenset[str] = MANAGERS
    object: bool = True
    methods: tuple[str, ...] = ("GET", "POST")
    body: dict[str, Any] = field(default_factory=dict)


def _theirs(**attrs: str) -> Callable[[World], dict[str, Any]]:
    """``pk="lead"`` → the URL's ``pk`` is the other partner's lead's id."""
    return lambda w: {kw: _pk(w.theirs, attr) for kw, attr in attrs.items()}


def _pk(objects: scoping.PartnerObjects, attr: str) -> int:
    return getattr(objects, attr).pk


def _params(**values: Any) -> Callable[[World], dict[str, Any]]:
    return lambda _w: values


def _api(
    reaches: frozenset[str] = MANAGERS, body: dict[str, Any] | None = None, **attrs: str
) -> Case:
    """An API path: asked with GET, POST and PATCH (its write methods with a valid body, so that
    the answer is the access check's, not the body's validation)."""
    return Case(_theirs(**attrs), reaches, methods=("GET", "POST", "PATCH"), body=body or {})


PARTNER = _theirs(pk="partner")


def _coverage_request(objects: scoping.PartnerObjects) -> CoverageRequest:
    """The other reseller's request to change its coverage (a manager's to decide)."""
    wish = CoverageRequest.objects.filter(partner=objects.partner).first()
    return wish or CoverageRequest.objects.create(
        partner=objects.partner, monthly_capacity=5, requested_at=timezone.now()
    )


def _job(w: World) -> dict[str, Any]:
    """A slow action's job the other partner's user asked for, its file made."""
    from django.core.files.base import ContentFile

    from relais.core.models import BackgroundJob

    job = BackgroundJob(kind="routing.review_pdf", label="PDF", created_by=w.theirs.user)
    job.file.save("matrix.pdf", ContentFile(b"%PDF-1.7"), save=False)
    job.save()
    return {"pk": job.pk}


def _payroll_export(_w: World) -> dict[str, Any]:
    """Internal bonuses handed to payroll: the company's, a manager's and nobody else's."""
    from relais.commissions.models import PayrollExport

    return {"pk": PayrollExport.objects.create(count=0).pk}


def _animation() -> dict[str, int]:
    """The network animation's objects (a template, a saved segment, a draft campaign, an
    automation): the network's, not a partner's, so a manager's and nobody else's."""
    from relais.engagement.models import Automation, Campaign, MessageTemplate, SavedSegment

    template = MessageTemplate.objects.create(
        name="Matrice", subject_fr="Bonjour {{ first_name }}", body_fr="Texte"
    )
    campaign = Campaign.objects.create(name="Matrice", template=template, segment="active")
    automation = Automation.objects.create(name="Matrice", trigger="first_lead", template=template)
    return {
        "template": template.pk,
        "saved": SavedSegment.objects.create(name="Matrice", filters={}).pk,
        "campaign": campaign.pk,
        "automation": automation.pk,
    }


def _training(theirs: Any) -> dict[str, int]:
    """A module (in English: none of the matrix's partners, who read French, is meant to open
    it), its question, a path, and the other partner's quiz attempt and certificate."""
    from relais.training.certificates import certificate_issue
    from relais.training.models import Choice, Path, Question
    from relais.training.quiz import attempt_start

    module = Module.objects.create(title="Matrix", language="en", published=True)
    question = Question.objects.create(module=module, text="Q", position=0)
    Choice.objects.create(question=question, text="yes", correct=True)
    return {
        "module": module.pk,
        "question": question.pk,
        "path": Path.objects.create(title="Matrix", language="en").pk,
        "attempt": attempt_start(partner=theirs, module=module).pk,
        "certificate": certificate_issue(partner=theirs, module=module).pk,
    }


def _webhooks() -> dict[str, int]:
    """The company's webhook endpoint (a public address: nothing is sent) and one delivery."""
    from relais.integrations import services
    from relais.integrations.models import CrmIntegration

    endpoint = services.endpoint_create(
        url="https://93.184.215.14/hooks", event_types=["lead.created"], owner=None
    )
    delivery = services.endpoint_send_test(endpoint=endpoint)
    crm = CrmIntegration.objects.create(name="Matrix", key="matrix", kind="other", secret="whsec_x")
    return {"webhook": endpoint.pk, "webhook_delivery": delivery.pk, "crm": crm.pk}


def _surveys(theirs: Any) -> dict[str, int]:
    """A customer import and a detractor's follow-up (the other reseller sold the deal, no
    salesperson did): the company's, so a manager's; a salesperson reaches only the follow-ups
    assigned to them."""
    from django.core.files.base import ContentFile

    from relais.surveys.answers import answer_record
    from relais.surveys.models import Customer, CustomerImport, SurveyRequest

    batch = CustomerImport(filename="clients.csv")
    batch.file.save("clients.csv", ContentFile(b"Nom;Courriel\n"), save=False)
    batch.save()
    customer = Customer.objects.create(last_name="Matrice", email="m@example.fr", reseller=theirs)
    survey = SurveyRequest.objects.create(
        customer=customer, occasion="matrix", created_at=timezone.now(), state="sent"
    )
    answer = answer_record(request_id=survey.pk, score=2).answer
    return {"customer_import": batch.pk, "follow_up": answer.follow_up.pk}


def _challenges(theirs: Any) -> dict[str, int]:
    """A scheduled challenge the other partner takes part in (the matrix's own partners do not):
    the company's, so a manager's; its portal page the other partner's, nobody's here."""
    from datetime import timedelta

    from relais.challenges.models import Challenge, Participant

    today = timezone.localdate()
    challenge = Challenge.objects.create(
        name="Matrice",
        starts_on=today,
        ends_on=today + timedelta(days=30),
        metric="won",
        status="scheduled",
    )
    participant = Participant.objects.create(
        challenge=challenge, partner=theirs, pseudonym="Lynx 1", target=1, proposed_target=1
    )
    # Its banner and a qualitative objective with the other partner's proof (chal-b).
    from django.core.files.base import ContentFile

    from relais.challenges.models import Objective, Proof

    challenge.banner.save("matrix.png", ContentFile(b"\x89PNG\r\n"), save=True)
    objective = Objective.objects.create(challenge=challenge, title="Vitrine")
    proof = Proof(
        objective=objective,
        participant=participant,
        content_type="image/png",
        uploaded_at=timezone.now(),
    )
    proof.file.save("proof.png", ContentFile(b"\x89PNG\r\n"), save=True)
    return {
        "challenge": challenge.pk,
        "participant": participant.pk,
        "objective": objective.pk,
        "proof": proof.pk,
    }


def _network() -> dict[str, int]:
    """Another salesperson's account, person and *private* relationship: the account and the
    person are the company's (every staff member's), the private relationship its owner's
    alone — not even a manager's or an admin's."""
    from relais.network.models import Account, Contact, Relationship

    owner = UserFactory(role=Role.SALESPERSON)
    account = Account.objects.create(name="Matrice SA", name_key="matrice")
    person = Contact.objects.create(
        account=account, last_name="Matrice", name_key="matrice", last_activity_at=timezone.now()
    )
    private = Relationship.objects.create(
        owner=owner, contact=person, account=account, strength=5, context="school"
    )
    return {
        "network_account": account.pk,
        "network_contact": person.pk,
        "private": private.pk,
        **_network_work(owner, account, person),
        "network_import": _network_import(owner),
    }


def _network_import(owner: Any) -> int:
    """A salesperson's import of their address book: theirs and the managers'."""
    from django.core.files.base import ContentFile

    from relais.network.models import NetworkImport

    batch = NetworkImport(created_by=owner, filename="carnet.csv")
    batch.file.save("carnet.csv", ContentFile(b"Nom;Societe\n"), save=False)
    batch.save()
    return batch.pk


def _network_work(owner: Any, account: Any, person: Any) -> dict[str, int]:
    """Two other salespeople's introduction (theirs alone: not a manager's either, it names a
    relationship's owner), and the account's plan, buying centre and step (company data)."""
    from relais.network.models import (
        AccountPlan,
        BuyingCentreEntry,
        Contact,
        Introduction,
        PlanStep,
        Relationship,
    )

    other = Contact.objects.create(
        account=account, last_name="Partage", name_key="partage", last_activity_at=timezone.now()
    )
    shared = Relationship.objects.create(
        owner=owner,
        contact=other,
        account=account,
        strength=4,
        context="event",
        visibility="shared",
    )
    intro = Introduction.objects.create(
        requester=UserFactory(role=Role.SALESPERSON), relationship=shared, why="M", purpose="M"
    )
    plan = AccountPlan.objects.create(account=account, owner=owner)
    entry = BuyingCentreEntry.objects.create(plan=plan, contact=person, role="decision_maker")
    step = PlanStep.objects.create(plan=plan, text="Matrice", owner=owner)
    return {
        "introduction": intro.pk,
        "plan_entry": entry.pk,
        "plan_step": step.pk,
        **_network_operation(owner, shared),
    }


def _network_operation(owner: Any, shared: Any) -> dict[str, int]:
    """An open operation (every staff member's to read), another salesperson's nomination
    (theirs and the managers'), a sales team (the managers')."""
    from relais.network.models import NetworkTeam, Operation, OperationNomination

    today = timezone.localdate()
    operation = Operation.objects.create(
        name="Matrice", starts_on=today, ends_on=today, status="open"
    )
    nomination = OperationNomination.objects.create(
        operation=operation, contact=shared.contact, relationship=shared, nominated_by=owner
    )
    team = NetworkTeam.objects.create(name="Matrice", sharing_enabled=True)
    return {"operation": operation.pk, "nomination": nomination.pk, "team": team.pk}


STAFF = frozenset({"salesperson", "manager", "admin"})


def _report(fmt: str | None = None) -> Callable[[World], dict[str, Any]]:
    """A scheduled report (the programme's, so a manager's), made again if a POST deleted it."""

    def kwargs(_w: World) -> dict[str, Any]:
        from relais.reporting.models import ReportSubscription

        report = ReportSubscription.objects.first() or ReportSubscription.objects.create(
            name="Matrice", subject="Matrice"
        )
        return {"pk": report.pk, **({"fmt": fmt} if fmt else {})}

    return kwargs


def _animated(kind: str, kw: str = "pk") -> Callable[[World], dict[str, Any]]:
    return lambda w: {kw: w.animation[kind]}


# Every URL that takes an argument, by its route. A new one goes here, saying what its
# arguments point at: test_every_url_with_an_argument_is_in_the_matrix fails until it does.
CASES: dict[str, Case] = {
    # Each user's own tokens: a manager does not reach another user's either.
    "account/tokens/<int:pk>/revoke/": Case(_theirs(pk="token"), NOBODY),
    # A slow action's progress and file: its user's, and the managers' (their network's).
    "jobs/<int:pk>/": Case(_job),
    "jobs/<int:pk>/file": Case(_job),
    "routing/review/<int:year>/pdf/": Case(_params(year=YEAR), object=False),
    "partners/import/<int:batch_id>/": Case(_theirs(batch_id="partner_import")),
    "partners/import/<int:batch_id>/errors.csv": Case(_theirs(batch_id="partner_import")),
    "partners/<int:pk>/": Case(PARTNER),
    "partners/<int:pk>/edit/": Case(PARTNER),
    "partners/<int:pk>/status/": Case(PARTNER),
    "partners/<int:pk>/scorecard/": Case(PARTNER),
    "partners/<int:pk>/portfolio/": Case(PARTNER),
    "partners/<int:pk>/compliance/": Case(PARTNER),
    "partners/<int:pk>/audits/<int:audit_id>/": Case(_theirs(pk="partner", audit_id="audit")),
    "partners/<int:pk>/disputes/<int:dispute_id>/": Case(
        _theirs(pk="partner", dispute_id="dispute")
    ),
    "partners/<int:pk>/signatures/<int:signature_id>.pdf": Case(
        _theirs(pk="partner", signature_id="signature")
    ),
    "partners/templates/<str:kind>/new/": Case(_params(kind="programme_rules"), object=False),
    "partners/declarations/<int:declaration_id>/review/": Case(
        _theirs(declaration_id="declaration")
    ),
    "leads/import/<int:batch_id>/": Case(_theirs(batch_id="lead_import")),
    "leads/import/<int:batch_id>/errors.csv": Case(_theirs(batch_id="lead_import")),
    "leads/<int:pk>/": Case(_theirs(pk="lead")),
    "leads/<int:pk>/status/": Case(_theirs(pk="lead")),
    "leads/<int:pk>/review/": Case(_theirs(pk="lead")),
    "leads/<int:pk>/money/": Case(_theirs(pk="lead")),
    "routing/leads/<int:pk>/assign/": Case(_theirs(pk="lead")),
    "routing/review/<int:year>/": Case(_params(year=YEAR), object=False),
    "routing/coverage-requests/<int:pk>/approve/": Case(
        lambda w: {"pk": _coverage_request(w.theirs).pk}
    ),
    "routing/coverage-requests/<int:pk>/refuse/": Case(
        lambda w: {"pk": _coverage_request(w.theirs).pk}
    ),
    "commissions/lines/<int:pk>/hold/": Case(_theirs(pk="line")),
    "commissions/runs/<int:pk>/": Case(_theirs(pk="run")),
    "commissions/runs/<int:pk>/<slug:action>/": Case(
        lambda w: {"pk": w.theirs.run.pk, "action": "send"}
    ),
    "commissions/runs/<int:pk>/statements/<int:item_id>.pdf": Case(
        _theirs(pk="run", item_id="item")
    ),
    "commissions/plans/<int:pk>/": Case(_theirs(pk="plan")),
    "commissions/plans/<int:pk>/edit/": Case(_theirs(pk="plan")),
    "commissions/plans/<int:pk>/discard/": Case(_theirs(pk="plan")),
    "commissions/plans/<int:pk>/version/": Case(_theirs(pk="plan")),
    "commissions/plans/<int:pk>/rules/new/": Case(_theirs(pk="plan")),
    "commissions/plans/<int:pk>/rules/<int:rule_id>/": Case(
        lambda w: {"pk": w.theirs.plan.pk, "rule_id": w.theirs.plan.rules.get().pk}
    ),
    "commissions/plans/<int:pk>/rules/<int:rule_id>/delete/": Case(
        lambda w: {"pk": w.theirs.plan.pk, "rule_id": w.theirs.plan.rules.get().pk}
    ),
    "commissions/das2/<int:year>/": Case(_params(year=YEAR), object=False),
    "commissions/invoices/<int:pk>/": Case(_theirs(pk="invoice")),
    "commissions/internal-bonuses/payroll/<int:pk>/": Case(_payroll_export),
    # The portal: a partner user's own partner only; the other partner's objects reach nobody.
    "portal/inbox/<int:pk>/": Case(_theirs(pk="lead"), NOBODY),
    "portal/inbox/<int:pk>/status/": Case(_theirs(pk="lead"), NOBODY),
    "portal/inbox/<int:pk>/decline/": Case(_theirs(pk="lead"), NOBODY),
    "portal/statements/<int:item_id>.pdf": Case(_theirs(item_id="item"), NOBODY),
    "portal/invoices/<int:invoice_id>.pdf": Case(_theirs(invoice_id="invoice"), NOBODY),
    "portal/corrections/<int:correction_id>/": Case(_theirs(correction_id="correction"), NOBODY),
    "portal/signatures/<int:signature_id>.pdf": Case(_theirs(signature_id="signature"), NOBODY),
    # The catalogue: a gift, a document template (the reseller agreement, asked of resellers).
    "portal/gifts/<int:gift_id>/redeem/": Case(
        lambda w: {"gift_id": w.theirs.redemption.gift_id}, PARTNER_USERS
    ),
    "portal/documents/<int:template_id>/": Case(
        _theirs(template_id="template"), frozenset({"reseller"})
    ),
    # The user's own partner's yearly statement, upload, bank change: parameters, not objects.
    "portal/yearly/<int:year>.pdf": Case(_params(year=YEAR), PARTNER_USERS, object=False),
    "portal/documents/upload/<slug:kind>/": Case(
        _params(kind="vigilance"), PARTNER_USERS, object=False
    ),
    "portal/profile/bank/<str:token>/": Case(_params(token="x"), PARTNER_USERS, object=False),
    # Network animation: the network's segments, templates, campaigns and automations.
    "engagement/segments/<str:code>/": Case(_params(code="active"), object=False),
    "engagement/segments/saved/<int:pk>/": Case(_animated("saved")),
    "engagement/segments/saved/<int:pk>/delete/": Case(_animated("saved")),
    "engagement/templates/<int:pk>/": Case(_animated("template")),
    "engagement/templates/<int:pk>/delete/": Case(_animated("template")),
    **{
        f"engagement/campaigns/<int:pk>/{action}": Case(_animated("campaign"))
        for action in (
            "",
            "edit/",
            "preview/",
            "progress/",
            "launch/",
            "cancel/",
            "test/",
            "recipients/export/",
        )
    },
    # Training: the manager's pages on the network's modules, paths and certificates; the
    # partner's pages ("Ma formation") on a module not meant for them and on the other
    # partner's attempt and certificate: nobody's (a manager has no portal).
    **{
        f"training/modules/<int:pk>/{action}": Case(_animated("module"))
        for action in ("", "publish/", "retake/", "quiz/")
    },
    **{
        f"training/modules/<int:pk>/quiz/<int:question_pk>/{action}": Case(
            lambda w: {"pk": w.animation["module"], "question_pk": w.animation["question"]}
        )
        for action in ("", "delete/")
    },
    "training/paths/<int:pk>/": Case(_animated("path")),
    "training/certificates/<int:pk>/pdf/": Case(_animated("certificate")),
    "training/certificates/<int:pk>/revoke/": Case(_animated("certificate")),
    **{
        f"portal/training/modules/<int:module_id>/{page}": Case(
            _animated("module", "module_id"), NOBODY
        )
        for page in ("", "document/", "quiz/")
    },
    "portal/training/attempts/<int:attempt_id>/": Case(_animated("attempt", "attempt_id"), NOBODY),
    "portal/training/certificates/<int:certificate_id>/pdf/": Case(
        _animated("certificate", "certificate_id"), NOBODY
    ),
    # Challenges: the company's, so a manager's; the portal's page the participant's only.
    **{
        f"challenges/<int:pk>/{action}": Case(_animated("challenge"))
        for action in ("", "edit/", "propose/", "move/")
    },
    "challenges/<int:pk>/participants/<int:participant_id>/": Case(
        lambda w: {"pk": w.animation["challenge"], "participant_id": w.animation["participant"]}
    ),
    # Challenge rewards, their treatment and the catalogue: the company's, so a manager's.
    **{
        f"challenges/<int:pk>/rewards/{action}": Case(_animated("challenge"))
        for action in ("", "add/", "remove/", "budget/", "award/", "person/", "export/")
    },
    "challenges/rewards/<int:year>/": Case(_params(year=YEAR), object=False),
    "portal/challenges/<int:pk>/": Case(_animated("challenge"), NOBODY),
    **{
        f"challenges/<int:pk>/{action}": Case(_animated("challenge"))
        for action in ("results/", "objectives/")
    },
    # The banner's and the proof's files were written under the world's MEDIA_ROOT, gone when
    # the pages are asked for (a 404 then, for managers too): only the refusals are checked.
    "challenges/<int:pk>/banner/": Case(_animated("challenge"), object=False),
    "challenges/<int:pk>/proofs/<int:proof_id>/": Case(
        lambda w: {"pk": w.animation["challenge"], "proof_id": w.animation["proof"]},
        object=False,
    ),
    "challenges/<int:pk>/proofs/<int:proof_id>/decide/": Case(
        lambda w: {"pk": w.animation["challenge"], "proof_id": w.animation["proof"]}
    ),
    "portal/challenges/<int:pk>/banner/": Case(_animated("challenge"), NOBODY),
    "portal/challenges/<int:pk>/objectives/<int:objective_id>/proof/": Case(
        lambda w: {"pk": w.animation["challenge"], "objective_id": w.animation["objective"]},
        NOBODY,
    ),
    "portal/challenges/<int:pk>/proofs/<int:proof_id>/": Case(
        lambda w: {"pk": w.animation["challenge"], "proof_id": w.animation["proof"]}, NOBODY
    ),
    "api/v1/challenges/<challenge_id>/leaderboard": Case(
        _animated("challenge", "challenge_id"), methods=("GET", "POST", "PATCH")
    ),
    # The salespeople's network: accounts and people are every staff member's; a private
    # relationship is its owner's only, so no role here reaches it (its owner is not one).
    "network/accounts/<int:pk>/": Case(_animated("network_account"), STAFF),
    "network/accounts/<int:pk>/edit/": Case(_animated("network_account"), STAFF),
    "network/contacts/<int:pk>/relationship/": Case(_animated("network_contact"), STAFF),
    "network/contacts/<int:pk>/object/": Case(_animated("network_contact")),
    "network/relationships/<int:pk>/delete/": Case(_animated("private"), NOBODY),
    "api/v1/network/accounts/<account_id>": Case(
        _animated("network_account", "account_id"), STAFF, methods=("GET", "POST", "PATCH")
    ),
    "api/v1/network/accounts/<account_id>/contacts": Case(
        _animated("network_account", "account_id"),
        STAFF,
        methods=("GET", "POST", "PATCH"),
        body={"last_name": "Matrice"},
    ),
    "api/v1/network/relationships/<relationship_id>": Case(
        _animated("private", "relationship_id"), NOBODY, methods=("GET", "POST", "PATCH")
    ),
    "network/imports/<int:batch_id>/": Case(_animated("network_import", "batch_id")),
    "network/imports/<int:batch_id>/errors.csv": Case(_animated("network_import", "batch_id")),
    # Introductions are the two colleagues' only; asking through a private relationship is a 404
    # for everyone but its owner. Account plans are company data, as accounts are.
    "network/relationships/<int:pk>/introduction/": Case(_animated("private"), NOBODY),
    "network/introductions/<int:pk>/": Case(_animated("introduction"), NOBODY),
    "network/introductions/<int:pk>/answer/": Case(_animated("introduction"), NOBODY),
    "network/introductions/<int:pk>/outcome/": Case(_animated("introduction"), NOBODY),
    "network/accounts/<int:pk>/plan/": Case(_animated("network_account"), STAFF),
    "network/accounts/<int:pk>/plan.pdf": Case(_animated("network_account"), STAFF),
    "network/accounts/<int:pk>/plan/centre/": Case(_animated("network_account"), STAFF),
    "network/accounts/<int:pk>/plan/steps/": Case(_animated("network_account"), STAFF),
    "network/plan-centre/<int:pk>/remove/": Case(_animated("plan_entry"), STAFF),
    "network/plan-steps/<int:pk>/done/": Case(_animated("plan_step"), STAFF),
    # Special operations: open ones are every staff member's; a nomination its salesperson's
    # and the managers'; the teams' sharing switch the managers'.
    "network/operations/<int:pk>/": Case(_animated("operation"), STAFF),
    "network/operations/<int:pk>/nominate/": Case(_animated("operation"), STAFF),
    "network/operations/<int:pk>/action/": Case(_animated("operation")),
    "network/nominations/<int:pk>/": Case(_animated("nomination")),
    "network/teams/<int:pk>/sharing/": Case(_animated("team")),
    "api/v1/network/introductions/<introduction_id>": Case(
        _animated("introduction", "introduction_id"), NOBODY, methods=("GET", "POST", "PATCH")
    ),
    "api/v1/network/introductions/<introduction_id>/accept": Case(
        _animated("introduction", "introduction_id"), NOBODY, methods=("GET", "POST", "PATCH")
    ),
    "api/v1/network/introductions/<introduction_id>/decline": Case(
        _animated("introduction", "introduction_id"),
        NOBODY,
        methods=("GET", "POST", "PATCH"),
        body={"reason": "Matrice"},
    ),
    "api/v1/network/introductions/<introduction_id>/outcome": Case(
        _animated("introduction", "introduction_id"),
        NOBODY,
        methods=("GET", "POST", "PATCH"),
        body={"outcome": "no_outcome"},
    ),
    "api/v1/network/accounts/<account_id>/plan": Case(
        _animated("network_account", "account_id"), STAFF, methods=("GET", "PUT", "PATCH")
    ),
    "api/v1/network/accounts/<account_id>/plan/centre": Case(
        _animated("network_account", "account_id"),
        STAFF,
        methods=("GET", "POST", "PATCH"),
        body={"contact_id": 1, "role": "ally"},
    ),
    "api/v1/network/accounts/<account_id>/plan/steps": Case(
        _animated("network_account", "account_id"),
        STAFF,
        methods=("GET", "POST", "PATCH"),
        body={"text": "Matrice"},
    ),
    "engagement/automations/<int:pk>/": Case(_animated("automation")),
    "engagement/automations/<int:pk>/edit/": Case(_animated("automation")),
    "engagement/automations/<int:pk>/toggle/": Case(_animated("automation")),
    # Webhooks: the company's endpoints and their delivery logs, the managers' (pages and API).
    **{
        f"integrations/webhooks/<int:pk>/{action}": Case(_animated("webhook"))
        for action in ("", "edit/", "rotate/", "test/", "delete/", "replay-failed/")
    },
    # CRM integrations: the managers' (their pushes' log, secret, on/off).
    **{
        f"integrations/crm/<int:pk>/{action}": Case(_animated("crm"))
        for action in ("", "rotate/", "toggle/")
    },
    "integrations/webhooks/<int:pk>/deliveries/<int:delivery_pk>/replay/": Case(
        lambda w: {"pk": w.animation["webhook"], "delivery_pk": w.animation["webhook_delivery"]}
    ),
    "api/v1/webhooks/endpoints/<pk>": Case(
        _animated("webhook"),
        methods=("GET", "PUT", "DELETE"),
        body={"url": "https://93.184.215.14/x", "event_types": ["lead.won"]},
    ),
    **{
        f"api/v1/webhooks/endpoints/<pk>/{tail}": Case(
            _animated("webhook"),
            methods=("GET", "POST", "PATCH"),
            body={"since": "2020-01-01T00:00:00Z"},
        )
        for tail in ("rotate-secret", "test", "deliveries", "replay-failed")
    },
    "api/v1/webhooks/endpoints/<pk>/deliveries/<delivery_id>/replay": Case(
        lambda w: {"pk": w.animation["webhook"], "delivery_id": w.animation["webhook_delivery"]},
        methods=("GET", "POST", "PATCH"),
    ),
    # CRM status sync: a lead's deal link and a CRM's pushes, the managers' (the webhook is
    # public, checked against the integration's secret).
    "api/v1/leads/<lead_id>/crm": Case(
        _theirs(lead_id="lead"),
        methods=("PUT",),
        body={"crm_source": "matrix", "crm_deal_id": "matrix-1"},
    ),
    "api/v1/crm/<key>/deals": Case(
        _params(key="matrix"),
        object=False,
        methods=("POST",),
        body={"deal_id": "matrix-1", "stage": "lost"},
    ),
    "api/v1/segments/<code>/partners": Case(
        _params(code="active"), object=False, methods=("GET", "POST", "PATCH")
    ),
    **{
        f"api/v1/campaigns/<campaign_id>{tail}": Case(
            _animated("campaign", "campaign_id"), methods=("GET", "POST", "PATCH")
        )
        for tail in ("", "/launch", "/recipients")
    },
    "api/v1/partners/<partner_id>": _api(partner_id="partner", body={"city": "Ailleurs"}),
    "api/v1/partners/<partner_id>/transitions": _api(
        partner_id="partner", body={"to": "paused", "reason": "Essai"}
    ),
    "api/v1/leads/<lead_id>": _api(lead_id="lead"),
    "api/v1/leads/<lead_id>/transitions": _api(
        lead_id="lead", body={"to": "lost", "lost_reason": "Essai"}
    ),
    "api/v1/inbox/<lead_id>/open": _api(NOBODY, lead_id="lead"),
    "api/v1/inbox/<lead_id>/status": _api(NOBODY, lead_id="lead", body={"to": "in_progress"}),
    "api/v1/inbox/<lead_id>/decline": _api(NOBODY, lead_id="lead", body={"reason": "Essai"}),
    # Commissions: a partner's lines, statements and invoices are its own (the other partner's
    # reach nobody here); payment runs are the network's, a manager's.
    "api/v1/commissions/lines/<line_id>": _api(line_id="line"),
    "api/v1/commissions/statements/<item_id>": _api(item_id="item"),
    "api/v1/commissions/statements/<item_id>/pdf": _api(item_id="item"),
    "api/v1/commissions/invoices/<invoice_id>": _api(invoice_id="invoice"),
    "api/v1/commissions/invoices/<invoice_id>/xml": _api(invoice_id="invoice"),
    # The matrix's invoice has no PDF file (scoping.invoice): only who is refused is checked.
    "api/v1/commissions/invoices/<invoice_id>/pdf": Case(
        _theirs(invoice_id="invoice"), object=False, methods=("GET", "POST", "PATCH")
    ),
    "api/v1/commissions/payment-runs/<run_id>": _api(run_id="run"),
    "api/v1/commissions/payment-runs/<run_id>/sepa": _api(run_id="run"),
    "api/v1/routing/leads/<lead_id>/assign": _api(
        lead_id="lead", body={"salesperson_id": 1, "reason": "Essai"}
    ),
    # Surveys: the company's customer imports and detractors' follow-ups, a manager's.
    "surveys/customers/import/<int:batch_id>/": Case(_animated("customer_import", "batch_id")),
    "surveys/customers/import/<int:batch_id>/errors.csv": Case(
        _animated("customer_import", "batch_id")
    ),
    "surveys/follow-ups/<int:pk>/": Case(_animated("follow_up")),
    "dashboard/reports/<int:pk>/": Case(_report()),
    "dashboard/reports/<int:pk>/delete/": Case(_report()),
    "dashboard/reports/<int:pk>/file.<str:fmt>": Case(_report("xlsx"), methods=("GET",)),
    "api/v1/surveys/results/<group>": Case(
        _params(group="reseller"), object=False, methods=("GET", "POST", "PATCH")
    ),
}

# Links whose argument is itself the credential, for visitors: no role's scope applies.
PUBLIC = {
    "r/<slug:code>/": "a partner's public referral form",
    "p/<str:token>/": "the prospect's own link (its privacy test: leads/tests/test_prospect_privacy)",
    "inbound/email/<str:secret>/": "the mail provider's webhook, checked against its secret",
    "login/link/<str:token>/": "a magic login link (accounts/tests/test_magic_link)",
    "r/<slug:code>/qr.png": "the QR code of a partner's public referral link",
    "e/u/<str:token>/": "a partner's signed unsubscribe link (engagement/tests/test_preferences)",
    "e/prefs/<str:token>/": "a partner's signed preference link (engagement/tests/test_preferences)",
    "verify/<str:code>/": "a certificate's public verification page (training/tests/test_verify)",
    "s/a/<str:token>/<str:score>/": "a customer's signed one-click survey answer (surveys tests)",
    "s/c/<str:token>/": "a customer's comment on their signed survey (surveys/tests/test_answers)",
    "s/u/<str:token>/": "a customer's signed survey opt-out (surveys/tests/test_sending)",
    "s/i/<str:token>/": "a promoter's signed, single-use invitation (surveys/tests/test_answers)",
    "rp/c/<str:token>/": "an outside address's signed report confirmation (reporting tests)",
    "rp/u/<str:token>/": "a report recipient's signed unsubscribe link (reporting/tests)",
    "integrations/crm/<slug:key>/webhook/": (
        "a CRM's inbound webhook, signed with its integration's secret (integrations/tests/"
        "test_crm_sync)"
    ),
}

# Django's admin: every page is for ``is_staff`` accounts (the admin role) and checks that
# before it reads its arguments, so they are given as placeholders.
ADMIN_PREFIX = "admin/"
ADMIN_PLACEHOLDERS = {"app_label": "partners", "url": "nowhere/"}


# The URL conf, walked.


@dataclass(frozen=True)
class Pattern:
    route: str
    name: str
    levels: tuple[Any, ...]  # the pattern of each level, outermost first
    params: frozenset[str]


def _params_of(pattern: Any) -> set[str]:
    if isinstance(pattern, RoutePattern):
        return set(pattern.converters)
    if isinstance(pattern, RegexPattern):
        return set(pattern.regex.groupindex)
    return set()


def url_patterns() -> list[Pattern]:
    """Every pattern of the URL conf with its arguments, once per route (the API names each
    method of one path, all resolving to the first)."""
    found: dict[str, Pattern] = {}

    def walk(resolver: URLResolver, levels: tuple[Any, ...], ns: str) -> Iterator[Pattern]:
        for entry in resolver.url_patterns:
            here = (*levels, entry.pattern)
            if isinstance(entry, URLResolver):
                inner = f"{ns}{entry.namespace}:" if entry.namespace else ns
                yield from walk(entry, here, inner)
            elif isinstance(entry, URLPattern):
                params = frozenset().union(*(_params_of(p) for p in here))
                # Joined as Django joins them (``ResolverMatch.route``): an inner ^ dropped.
                route = "".join(
                    str(p) if i == 0 else str(p).removeprefix("^") for i, p in enumerate(here)
                )
                yield Pattern(route, f"{ns}{entry.name}", here, params)

    for pattern in walk(get_resolver(), (), ""):
        found.setdefault(pattern.route, pattern)
    return list(found.values())


def with_arguments() -> list[Pattern]:
    return [p for p in url_patterns() if p.params]


def build_url(pattern: Pattern, values: dict[str, Any]) -> str:
    """The pattern's path with ``values`` put in, each through its converter."""
    parts = []
    for level in pattern.levels:
        text = str(level)
        if isinstance(level, RoutePattern):
            text = re.sub(
                r"<(?:\w+:)?(\w+)>",
                lambda m, lv=level: str(lv.converters[m[1]].to_url(values[m[1]])),
                text,
            )
        else:
            text = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(values[m[1]]), text)
            text = text.removeprefix("^").removesuffix("$")
        parts.append(text)
    return "/" + "".join(parts)


def test_every_url_with_an_argument_is_in_the_matrix():
    missing = [
        f"{p.route} ({p.name}, arguments {sorted(p.params)})"
        for p in with_arguments()
        if p.route not in CASES and p.route not in PUBLIC and not p.route.startswith(ADMIN_PREFIX)
    ]
    assert not missing, (
        "These URLs take an argument but the access matrix does not say which object it points "
        "at; add each to CASES in relais/core/tests/test_access_matrix.py (another partner's "
        "object from relais.testing.scoping, and the roles that may reach it):\n  "
        + "\n  ".join(missing)
    )


def test_the_matrix_names_no_url_that_is_gone():
    routes = {p.route for p in url_patterns()}
    gone = (set(CASES) | set(PUBLIC)) - routes
    assert not gone, f"No URL has these routes any more: take them out of the matrix: {gone}"


# The world, made once for the module.


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[World]:
    """The objects live in a transaction around the whole module, rolled back at its end; each
    test runs in its own savepoint inside it, as pytest-django's ``db`` does."""
    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media), transaction.atomic():
        ensure_reference_data()
        ensure_seed()
        ensure_lead_seed()
        yield _world()
        transaction.set_rollback(True)


def _world() -> World:
    manager = UserFactory(role=Role.MANAGER)
    users: dict[str, Any] = {
        "anonymous": None,
        "introducer": partner_user(PartnerFactory()),
        "reseller": partner_user(PartnerFactory(reseller=True)),
        "salesperson": UserFactory(role=Role.SALESPERSON),
        "manager": manager,
        "admin": UserFactory(role=Role.ADMIN),
    }
    tokens = {
        role: api_token_create(user=user, name="matrix", scopes=["read", "write"])[1]
        for role, user in users.items()
        if user is not None
    }
    theirs = PartnerFactory(reseller=True)
    objects = scoping.partner_objects(theirs, partner_user(theirs), manager=manager)
    # The reseller agreement is the catalogue item one partner kind is asked to sign.
    assert objects.template == ContractTemplate.objects.filter(kind="reseller_agreement").first()
    animation = {
        **_animation(),
        **_training(objects.partner),
        **_webhooks(),
        **_surveys(objects.partner),
        **_challenges(objects.partner),
        **_network(),
    }
    return World(users=users, tokens=tokens, theirs=objects, animation=animation)


# The walk.


def _client(world: World, role: str, api: bool) -> Client:
    if api:
        token = world.tokens.get(role)
        return Client(headers={"Authorization": f"Bearer {token}"} if token else {})
    client = Client()
    if world.users[role] is not None:
        client.force_login(world.users[role])
    return client


def _send(client: Client, method: str, url: str, case: Case, api: bool) -> Any:
    if method == "GET":
        return client.get(url)
    if api:
        body = json.dumps(case.body)
        return client.generic(method, url, body, content_type="application/json")
    return client.post(url, {})


def _to_login(response: Any, login: str) -> bool:
    return response.status_code == 302 and urlsplit(response["Location"]).path == login


def _refused(role: str, response: Any, *, api: bool, admin: bool, login: str) -> bool:
    if admin:  # the admin site sends whoever is not staff to its own login page
        return _to_login(response, login)
    if role == "anonymous":
        return response.status_code == 401 if api else _to_login(response, login)
    return response.status_code in (403, 404)


def _check(world: World, role: str, pattern: Pattern, clients: dict[bool, Client]) -> list[str]:
    """What went wrong for this role on this URL (nothing: an empty list)."""
    admin = pattern.route.startswith(ADMIN_PREFIX)
    if admin:
        case = Case(lambda _w: {}, frozenset({"admin"}), object=False)
        values = {name: ADMIN_PLACEHOLDERS.get(name, "1") for name in pattern.params}
    else:
        case = CASES[pattern.route]
        values = case.kwargs(world)
    if set(values) != pattern.params:
        return [
            f"{pattern.route}: CASES gives {sorted(values)}, the URL takes {sorted(pattern.params)}"
        ]
    url = build_url(pattern, values)
    if resolve(url).route != pattern.route:
        return [f"{pattern.route}: {url} resolves to {resolve(url).route} instead"]
    api = pattern.route.startswith("api/")
    client = clients[api]
    if role in case.reaches:
        return _check_reached(role, pattern, url, case, client)
    login = reverse("admin:login") if admin else reverse("accounts:login")
    problems, refused = [], 0
    for method in case.methods:
        response = _send(client, method, url, case, api)
        if _refused(role, response, api=api, admin=admin, login=login):
            refused += 1
        elif response.status_code != 405:  # a method the URL does not serve shows nothing
            problems.append(f"{role} {method} {url} ({pattern.name}): {_said(response)}")
    if not problems and not refused:
        problems.append(f"{role}: {url} ({pattern.name}) served neither {case.methods}")
    return problems


def _check_reached(role: str, pattern: Pattern, url: str, case: Case, client: Client) -> list[str]:
    """A role whose scope holds the object gets the page (a GET: writes are tested elsewhere),
    so that a lookup scoped too tightly shows here too."""
    if not case.object or pattern.route.startswith(ADMIN_PREFIX):
        return []
    response = client.get(url)
    login = reverse("accounts:login")
    if response.status_code in (401, 403, 404) or response.status_code >= 500:
        return [f"{role} GET {url} ({pattern.name}) should reach it: {_said(response)}"]
    if _to_login(response, login):
        return [f"{role} GET {url} ({pattern.name}) should reach it: sent to the login page"]
    return []


def _said(response: Any) -> str:
    where = f" → {response['Location']}" if response.has_header("Location") else ""
    return f"answered {response.status_code}{where}"


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_no_role_reaches_another_partners_objects(world, role):
    clients = {False: _client(world, role, api=False), True: _client(world, role, api=True)}
    problems = [
        problem
        for pattern in with_arguments()
        if pattern.route not in PUBLIC
        and (pattern.route in CASES or pattern.route.startswith(ADMIN_PREFIX))
        for problem in _check(world, role, pattern, clients)
    ]
    assert not problems, "\n".join(problems)
