"""Demo network animation: e-mail templates in French and English, a saved segment, the three
automations a programme starts with (welcome, dormant, monthly digest), the segments judged,
and three past campaigns — sent two to four months ago with a holdout, their e-mails delivered,
opened, a few bounced — followed by the leads their recipients passed, so that each campaign's
report shows the holdout comparison a manager reads.

Everything goes through the engagement app's services (templates checked, campaigns launched
and sent by ``sending.campaign_run``); what a service stamps "now" is then moved to the past
on the rows it wrote. Deterministic for a seed: the holdout's seed and every choice below come
from one ``random.Random``."""

from __future__ import annotations

import logging
import random
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from anymail.signals import AnymailTrackingEvent, EventType
from django.db import transaction
from django.db.models import F, Q
from django.test.utils import override_settings
from django.utils import timezone

from relais.accounts.models import User
from relais.core.errors import DomainError
from relais.engagement.automations import automation_save, digest_automation_ensure
from relais.engagement.campaigns import campaign_launch, campaign_save
from relais.engagement.choices import Audience, RecipientState, Segment, Topic, Trigger
from relais.engagement.counters import count_months, month_of
from relais.engagement.filters import saved_segment_partners, saved_segment_save
from relais.engagement.models import (
    Automation,
    Campaign,
    MessageTemplate,
    PartnerMonth,
    Preference,
    Recipient,
    SavedSegment,
    Suppression,
)
from relais.engagement.report import RECEIVED
from relais.engagement.segments import LIVE, segment_partners, segments_judge
from relais.engagement.sending import campaign_run
from relais.engagement.template_services import message_template_save
from relais.engagement.webhooks import tracking_event_apply
from relais.leads.choices import LeadStatus
from relais.leads.counters import local_zone, within
from relais.leads.models import Lead
from relais.partners.models import Partner

MANAGER = "manager@relais.demo"
AUDIENCE_CAP = 600
ENGLISH_SHARE = 0.08  # introducers who read the programme's e-mails in English
# The past campaigns never reach a mail server: their e-mails "left" months ago.
NOWHERE = {"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}}

TEMPLATES = [
    {
        "name": "Relance des dormants",
        "topic": Topic.NEWS,
        "subject_fr": "{{ first_name }}, vos clients ont encore des projets",
        "body_fr": (
            "Bonjour {{ first_name }},\n\n"
            "Cela fait quelque temps que vous ne nous avez pas recommandé de client. Cette "
            "année, vous nous avez transmis {{ leads_this_year }} lead(s), dont "
            "{{ leads_won_this_year }} gagné(s), et vos commissions s'élèvent à "
            "{{ earned_this_year }}.\n\n"
            "Un voisin, un collègue pense à une pompe à chaleur ou à des panneaux solaires ? "
            "Passez-nous son contact : {{ referral_link }}\n\nÀ bientôt !"
        ),
        "subject_en": "{{ first_name }}, your customers still have projects",
        "body_en": (
            "Hello {{ first_name }},\n\n"
            "It has been a while since you last referred a customer to us. This year you "
            "passed us {{ leads_this_year }} lead(s), {{ leads_won_this_year }} of them won, "
            "and your commissions come to {{ earned_this_year }}.\n\n"
            "A neighbour or a colleague thinking of a heat pump or solar panels? Send us "
            "their details: {{ referral_link }}\n\nSee you soon!"
        ),
    },
    {
        "name": "Bienvenue",
        "topic": Topic.NEWS,
        "subject_fr": "Bienvenue dans le réseau, {{ first_name }}",
        "body_fr": (
            "Bonjour {{ first_name }},\n\n"
            "Bienvenue parmi nos apporteurs ! Chaque client que vous nous recommandez est "
            "suivi jusqu'à la signature, et vous êtes commissionné sur chaque affaire gagnée."
            "\n\nVotre lien de recommandation : {{ referral_link }}\n"
            "Votre QR code, à montrer ou imprimer : {{ qr_code_url }}\n\n"
            "Vous choisissez ce que vous recevez ici : {{ preferences_url }}"
        ),
        "subject_en": "Welcome to the network, {{ first_name }}",
        "body_en": (
            "Hello {{ first_name }},\n\n"
            "Welcome among our introducers! Each customer you refer is followed up to the "
            "signature, and you earn a commission on every deal won.\n\n"
            "Your referral link: {{ referral_link }}\n"
            "Your QR code, to show or print: {{ qr_code_url }}\n\n"
            "Choose what you receive here: {{ preferences_url }}"
        ),
    },
    {
        "name": "Vos résultats du trimestre",
        "topic": Topic.NEWS,
        "subject_fr": "{{ first_name }}, vos résultats : {{ leads_this_year }} leads cette année",
        "body_fr": (
            "Bonjour {{ first_name }},\n\n"
            "Merci ! Depuis le 1er janvier, vous nous avez transmis {{ leads_this_year }} "
            "lead(s) : {{ leads_in_progress }} en cours, {{ leads_won_this_year }} gagné(s), "
            "{{ leads_lost_this_year }} perdu(s).\n"
            "Commissions gagnées : {{ earned_this_year }}, dont {{ paid_this_year }} déjà "
            "versées.\n\n"
            "Continuez : votre lien {{ referral_link }}"
        ),
        "subject_en": "{{ first_name }}, your results: {{ leads_this_year }} leads this year",
        "body_en": (
            "Hello {{ first_name }},\n\n"
            "Thank you! Since 1 January you passed us {{ leads_this_year }} lead(s): "
            "{{ leads_in_progress }} being worked, {{ leads_won_this_year }} won, "
            "{{ leads_lost_this_year }} lost.\n"
            "Commissions earned: {{ earned_this_year }}, {{ paid_this_year }} of them paid.\n\n"
            "Keep going: your link {{ referral_link }}"
        ),
    },
]
SAVED = ("Apporteurs occasionnels", {"kind": "introducer", "segment": Segment.OCCASIONAL})


@dataclass(frozen=True)
class PastCampaign:
    """A campaign of the demo: to whom, how long ago, and how its e-mails and its audience
    fared (shares of the e-mails delivered that were opened, clicked, bounced; share of the
    recipients who passed a lead in the 30 days after)."""

    name: str
    template: str
    days_ago: int
    segment: str = ""
    saved: str = ""
    holdout: str = "0.2"
    opened: float = 0.45
    clicked: float = 0.3
    bounced: float = 0.04
    responded: float = 0.25


CAMPAIGNS = [
    PastCampaign("Vos résultats — bilan d'été", "Vos résultats du trimestre", 118, Segment.ACTIVE),
    PastCampaign(
        "Relance des apporteurs occasionnels",
        "Relance des dormants",
        88,
        saved=SAVED[0],
    ),
    PastCampaign("Bienvenue aux nouveaux apporteurs", "Bienvenue", 62, Segment.NEW, holdout="0.15"),
]


def build_engagement(progress: Callable[[str, int], Any], *, seed: int) -> int:
    """The demo's animation (see the module's docstring); returns how many campaigns."""
    rng = _stream(seed, "readers")
    bar = progress("network animation", len(CAMPAIGNS) + 2)
    _clear()
    manager = User.objects.get(email=MANAGER)
    templates = {
        t["name"]: message_template_save(template=MessageTemplate(), data=t, actor=manager)
        for t in TEMPLATES
    }
    name, filters = SAVED
    saved = {name: saved_segment_save(name=name, filters=filters, actor=manager)}
    _automations(templates, manager)
    _english_readers(rng)
    segments_judge()
    bar.update(1)
    moved: list[Moved] = []
    for n, past in enumerate(CAMPAIGNS):
        rng = _stream(seed, f"campaign {n}")
        campaign = _send(past, templates, saved, manager, rng)
        if campaign is not None:
            moved += _leads_after(campaign, past, rng)
        bar.update(1)
    _recount(moved)
    segments_judge()  # the leads since: who woke up, who went dormant — this month's moves
    bar.update(1)
    bar.close()
    return len(CAMPAIGNS)


def _stream(seed: int, part: str) -> random.Random:
    """One random stream per part: what a campaign draws does not shift the next one's (the
    holdout, drawn on the partners' ids, takes as many rows as those ids give)."""
    return random.Random(f"{seed}:engagement:{part}")  # noqa: S311 - reproducible demo data


def _clear() -> None:
    """A reseeded demo (``--flush``) starts its animation afresh: campaigns and automations
    first, as they protect their templates and saved segments."""
    for model in (Campaign, Automation, MessageTemplate, SavedSegment, Preference, Suppression):
        model._default_manager.all().delete()


def _english_readers(rng: random.Random) -> None:
    """A few partners chose English: their campaigns arrive in the templates' English.
    Written in bulk (a row per partner is what ``preference_update`` stores by default)."""
    live = Partner.objects.filter(status__in=LIVE).order_by("pk").values_list("pk", flat=True)
    chosen = [pk for pk in live.iterator(chunk_size=2000) if rng.random() < ENGLISH_SHARE]
    Preference.objects.bulk_create(
        [Preference(partner_id=pk, language="en") for pk in chosen], batch_size=2000
    )


def _automations(templates: dict[str, MessageTemplate], manager: User) -> None:
    for name, trigger, days, template in (
        ("Bienvenue J+1", Trigger.JOINED, 1, "Bienvenue"),
        ("Relance après 90 jours sans lead", Trigger.DORMANT, 90, "Relance des dormants"),
    ):
        data = {"name": name, "trigger": trigger, "days": days, "template": templates[template]}
        automation_save(automation=None, data=data, actor=manager)
    digest_automation_ensure(actor=manager)


def _send(
    past: PastCampaign,
    templates: dict[str, MessageTemplate],
    saved: dict[str, SavedSegment],
    manager: User,
    rng: random.Random,
) -> Campaign | None:
    """Save, launch and send the campaign as a manager would, then date it ``days_ago``; None
    when its segment holds nobody (the bench's network, 20,000 leads on the small one's
    partners, has no newcomer nor occasional introducer), as the launch would refuse it."""
    data = {
        "name": past.name,
        "template": templates[past.template],
        "audience": Audience.SAVED if past.saved else Audience.SEGMENT,
        "segment": past.segment,
        "saved_segment": saved.get(past.saved),
        "holdout_share": past.holdout,
        "rate_per_minute": 1_000_000,  # no pause between e-mails that go nowhere
    }
    picked = _sample(data, rng)
    if picked:
        data["audience"] = Audience.LIST
    # One transaction: the launch's worker task is enqueued once the campaign is sent, and
    # finds nothing left to do; the seed replaced before the draw makes the holdout the seed's.
    with transaction.atomic(), override_settings(MAILERS=NOWHERE):
        draft = campaign_save(campaign=None, data=data, picked=picked, actor=manager)
        try:
            launched = campaign_launch(campaign=draft, actor=manager)
        except DomainError as refused:
            if refused.code != "empty_audience":
                raise
            transaction.set_rollback(True)  # the draft goes with it
            return None
        Campaign.objects.filter(pk=launched.pk).update(holdout_seed=rng.randrange(1, 2**31 - 1))
        campaign_run(campaign_id=launched.pk)
        _backdate(launched, timezone.now() - timedelta(days=past.days_ago))
        _fate(launched, past, rng)
    launched.refresh_from_db()
    return launched


def _sample(data: dict[str, Any], rng: random.Random) -> list[int]:
    """On the large network, a segment of 25,000 would take minutes to "send": the campaign
    goes to ``AUDIENCE_CAP`` of them, picked by hand. None on the small network."""
    saved = data["saved_segment"]
    audience = saved_segment_partners(saved) if saved else segment_partners(data["segment"])
    ids = list(audience.filter(status__in=LIVE).order_by("pk").values_list("pk", flat=True))
    return sorted(rng.sample(ids, AUDIENCE_CAP)) if len(ids) > AUDIENCE_CAP else []


def _backdate(campaign: Campaign, launched_at: datetime) -> None:
    shift = timezone.now() - launched_at
    Campaign.objects.filter(pk=campaign.pk).update(
        created_at=launched_at - timedelta(days=2),
        launched_at=launched_at,
        heartbeat_at=launched_at + timedelta(minutes=20),
        finished_at=launched_at + timedelta(minutes=20),
    )
    Recipient.objects.filter(campaign=campaign, sent_at__isnull=False).update(
        sent_at=F("sent_at") - shift
    )


def _fate(campaign: Campaign, past: PastCampaign, rng: random.Random) -> None:
    """What the provider reported: most delivered, some opened and clicked, a few hard bounces
    (through the webhook's service: their addresses are suppressed) and one unsubscription."""
    sent = list(
        Recipient.objects.filter(campaign=campaign, state=RecipientState.SENT).order_by("pk")
    )
    delivered, opened, clicked, bounced = [], [], [], []
    for row in sent:
        if rng.random() < past.bounced:
            bounced.append(row)
            continue
        delivered.append(row.pk)
        if rng.random() < past.opened:
            opened.append((row.pk, timedelta(hours=rng.randint(1, 72))))
            if rng.random() < past.clicked:
                clicked.append(row.pk)
    rows = Recipient.objects.filter(pk__in=delivered)
    rows.update(state=RecipientState.DELIVERED, delivered_at=F("sent_at") + timedelta(minutes=1))
    for pk, after in opened:
        Recipient.objects.filter(pk=pk).update(opened_at=F("sent_at") + after)
    Recipient.objects.filter(pk__in=clicked).update(
        clicked_at=F("opened_at") + timedelta(minutes=2)
    )
    with _quiet():
        _reported(bounced, opened)


def _reported(bounced: list[Recipient], opened: list[tuple[int, timedelta]]) -> None:
    for row in bounced:
        assert row.sent_at is not None
        _event(row, EventType.BOUNCED, row.sent_at + timedelta(minutes=1))
    if opened:
        leaving = Recipient.objects.get(pk=opened[-1][0])
        _event(leaving, EventType.UNSUBSCRIBED, leaving.sent_at)
        at = (leaving.opened_at or timezone.now()) + timedelta(minutes=5)
        Recipient.objects.filter(pk=leaving.pk).update(unsubscribed_at=at)
        Preference.objects.filter(partner_id=leaving.partner_id).update(unsubscribed_at=at)


@contextmanager
def _quiet() -> Iterator[None]:
    """The provider's events of months ago are not news: their log lines stay out of the
    seed's output."""
    logger = logging.getLogger("relais.engagement")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def _event(row: Recipient, kind: str, at: datetime | None) -> None:
    event = AnymailTrackingEvent(
        event_type=kind,
        message_id=row.message_id,
        recipient=row.email,
        timestamp=at,
        mta_response="550 5.1.1 Utilisateur inconnu" if kind == EventType.BOUNCED else None,
        esp_event={},
    )
    tracking_event_apply(event=event, esp_name="demo")


Moved = tuple[int, int, datetime]  # a lead's former introducer, its new one, its submission


def _leads_after(campaign: Campaign, past: PastCampaign, rng: random.Random) -> list[Moved]:
    """The recipients who responded passed leads in the 30 days after the launch: the demo's
    leads of that time not yet won (no commission line names their introducer) are given to
    them, taken from partners outside the campaign's audience (the holdout keeps its own). So
    the report shows the effect while ``--leads N`` still makes N leads, each won deal keeps
    its lines, and every timeline stays as it was. Returns the leads that changed hands."""
    assert campaign.launched_at is not None
    start = campaign.launched_at
    rows = list(Recipient.objects.filter(campaign=campaign).values_list("partner_id", "state"))
    received = [pk for pk, state in rows if state in RECEIVED]
    takers = [
        pk
        for pk in received
        if rng.random() < past.responded
        for _n in range(2 if rng.random() < 0.25 else 1)  # a quarter passed two
    ]
    spare = list(
        Lead.objects.filter(
            submitted_at__gte=start + timedelta(days=1),
            submitted_at__lt=start + timedelta(days=29),
            duplicate_of__isnull=True,
            partner__isnull=False,
            won_at__isnull=True,
        )
        .exclude(status=LeadStatus.WON)
        .exclude(partner_id__in=[pk for pk, _state in rows])
        .order_by("pk")
        .values_list("pk", "partner_id", "submitted_at")
    )
    rng.shuffle(spare)
    moved = []
    for (lead_id, former, at), partner_id in zip(spare, takers, strict=False):
        Lead.objects.filter(pk=lead_id).update(partner_id=partner_id)
        moved.append((former, partner_id, at))
    return moved


def _recount(moved: list[Moved]) -> None:
    """The partner months of both introducers of each lead moved, counted again from the leads
    (a counters' refresh would recount the new introducer's only; a rebuild, every month of a
    million leads)."""
    months: dict[date, set[int]] = defaultdict(set)
    for former, partner_id, at in moved:
        months[month_of(at.astimezone(local_zone()).date())] |= {former, partner_id}
    with transaction.atomic():
        for month, partners in sorted(months.items()):
            PartnerMonth.objects.filter(month=month, partner_id__in=partners).delete()
            where = Q(partner_id__in=partners) & within([month], "submitted_at")
            PartnerMonth.objects.bulk_create(count_months(where))
