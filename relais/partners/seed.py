"""Starting data of a new installation: selection criteria, required documents, templates.

Template texts are French legal documents (data, not interface strings); managers edit them and
publish new versions. Merge fields are listed in ``relais.partners.contracts.MERGE_FIELDS``.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

CRITERIA = [
    ("Expérience et expertise", "Années dans le secteur, connaissance des produits.", 25),
    ("Étendue et qualité du réseau", "Nombre et pertinence des contacts, secteurs touchés.", 25),
    ("Réputation et fiabilité", "Références, avis, historique de paiement, litiges.", 20),
    ("Adéquation avec nos valeurs", "Éthique, discours commercial, image.", 15),
    ("Historique de performance", "Affaires apportées ou conclues, taux de conversion.", 15),
]

REQUIREMENTS = [
    ("introducer", "introducer_contract"),
    ("introducer", "coi_policy"),
    ("reseller", "reseller_agreement"),
    ("reseller", "coi_policy"),
]

INTRODUCER_CONTRACT = """CONTRAT D'APPORTEUR D'AFFAIRES

Entre {{ company_name }} et {{ partner_name }}, {{ partner_legal_form }}, demeurant {{ partner_address }}{{ partner_siren_mention }}.

1. Mission. L'apporteur met en relation la société avec des prospects. Sa mission se limite à la présentation : il n'a aucun pouvoir de représenter la société, d'engager des discussions tarifaires ni de conclure un contrat en son nom.
2. Affaire apportée. Est attribuée à l'apporteur toute affaire conclue avec un prospect qu'il a présenté en premier, par écrit dans Relais, pendant 180 jours à compter de la présentation.
3. Commission. La commission est calculée sur le montant hors taxes effectivement encaissé par la société. Elle est versée après encaissement. Une vente annulée ou remboursée donne lieu à une reprise de la commission correspondante.
4. Statut. L'apporteur déclare son statut (particulier, micro-entrepreneur, société) et s'engage à signaler toute activité devenue régulière, qui peut imposer une immatriculation.
5. Indépendance. L'apporteur organise librement son activité ; aucun horaire ni objectif ne lui est imposé.
6. Durée. Le contrat est conclu pour un an, renouvelable tacitement, résiliable par chaque partie avec un préavis d'un mois.
7. Confidentialité et non-contournement. Les informations échangées restent confidentielles ; aucune des parties ne contourne l'autre auprès des prospects présentés.
8. Conflits d'intérêts. L'apporteur déclare tout conflit d'intérêts selon la politique applicable.
9. Données personnelles. L'apporteur garantit avoir informé les prospects de la transmission de leurs coordonnées et ne transmettre que des données exactes et nécessaires.
10. Lutte contre la corruption. Aucune commission ne peut être reversée, même en partie, à un tiers ou à un salarié du prospect.

Fait le {{ date }}."""

RESELLER_AGREEMENT = """ACCORD DE REVENDEUR

Entre {{ company_name }} et {{ partner_name }}{{ partner_siren_mention }}, {{ partner_address }}.

1. Leads. La société transmet au revendeur des demandes de prospects situés dans les départements qu'il couvre.
2. Traitement. Le revendeur ouvre chaque lead dans les 48 heures, déclare son statut (en cours, vendu, perdu) et tient ce statut à jour.
3. Normes du programme. Taux d'ouverture d'au moins 90 %, taux de traitement d'au moins 80 % ; un lead non ouvert peut être réattribué.
4. Données personnelles. Le revendeur traite les données des prospects pour la seule finalité de leur demande.
5. Durée. Un an, renouvelable, revue annuelle des résultats.

Fait le {{ date }}."""

COI_POLICY = """POLITIQUE RELATIVE AUX CONFLITS D'INTÉRÊTS

{{ partner_name }} s'engage à déclarer à {{ company_name }} toute situation dans laquelle un intérêt personnel, familial ou financier pourrait influencer la présentation d'un prospect ou le traitement d'un lead : lien avec un prospect, rémunération par un concurrent, mandat public.

La déclaration est faite dans le portail, avant toute présentation concernée, et renouvelée chaque année. La société examine chaque déclaration et peut l'accepter, l'accepter avec des mesures d'atténuation ou la refuser.

Fait le {{ date }}."""

SELF_BILLING_MANDATE = """MANDAT D'AUTOFACTURATION

{{ partner_name }}{{ partner_siren_mention }} donne mandat à {{ company_name }} d'émettre en son nom et pour son compte les factures relatives aux commissions d'apport d'affaires, pour une durée d'un an renouvelable.

Chaque facture porte la mention « Autofacturation ». Le mandant reste seul redevable de la TVA collectée. Il dispose de {{ invoice_contest_days }} jours pour contester une facture ; passé ce délai elle est réputée acceptée. Toute correction prend la forme d'un avoir émis après son accord.

Fait le {{ date }}."""

PROGRAMME_RULES = """RÈGLEMENT DU PROGRAMME

Le programme rémunère uniquement l'apporteur direct d'une affaire conclue ou d'un lead qualifié. Aucun droit d'entrée, aucun achat n'est demandé ; aucune rémunération n'est liée au recrutement d'autres apporteurs.

Fait le {{ date }}."""

TEMPLATES: list[dict[str, Any]] = [
    {
        "kind": "introducer_contract",
        "title": "Contrat d'apporteur d'affaires",
        "body": INTRODUCER_CONTRACT,
        "valid_months": 12,
    },
    {
        "kind": "reseller_agreement",
        "title": "Accord de revendeur",
        "body": RESELLER_AGREEMENT,
        "valid_months": 12,
    },
    {
        "kind": "coi_policy",
        "title": "Politique relative aux conflits d'intérêts",
        "body": COI_POLICY,
        "valid_months": 12,
    },
    {
        "kind": "self_billing_mandate",
        "title": "Mandat d'autofacturation",
        "body": SELF_BILLING_MANDATE,
        "valid_months": 12,
    },
    {
        "kind": "programme_rules",
        "title": "Règlement du programme",
        "body": PROGRAMME_RULES,
        "valid_months": None,
    },
]


def load(criterion: Any, requirement: Any, template: Any) -> None:
    """Idempotent: used by a data migration with historical models, and by tests."""
    for position, (name, description, weight) in enumerate(CRITERIA):
        criterion.objects.get_or_create(
            name=name, defaults={"description": description, "weight": weight, "position": position}
        )
    for partner_kind, document_kind in REQUIREMENTS:
        requirement.objects.get_or_create(partner_kind=partner_kind, document_kind=document_kind)
    for data in TEMPLATES:
        template.objects.get_or_create(
            kind=data["kind"], version=1, defaults={**data, "published_at": timezone.now()}
        )


def ensure_seed() -> None:
    """Reload the seed if a flush emptied it (transactional tests do)."""
    from relais.partners.models import ContractTemplate, DocumentRequirement, SelectionCriterion

    if not SelectionCriterion.objects.exists() or not ContractTemplate.objects.exists():
        load(SelectionCriterion, DocumentRequirement, ContractTemplate)
