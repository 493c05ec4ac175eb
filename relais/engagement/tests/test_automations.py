"""Automations: each trigger fires once per partner and occasion however often the sweep runs,
acts on what happens once it exists, honours what a partner agreed to receive, and never sends
a second copy after a worker died mid-send."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from relais.commissions.models import PaymentItem, PaymentRun
from relais.core.errors import DomainError
from relais.engagement import automations
from relais.engagement.automations import automation_save, automation_toggle, automations_run
from relais.engagement.choices import RecipientState, SkipReason, SuppressionReason, Topic
from relais.engagement.models import (
    Automation,
    AutomationSend,
    MessageTemplate,
    Preference,
    Suppression,
)
from relais.leads import counters as lead_counters
from relais.leads.models import Lead
from relais.leads.services import lead_submit
from relais.partners.choices import PartnerStatus
from relais.partners.models import Partner
from relais.routing.models import KpiMonth
from relais.testing.factories import PartnerFactory

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


@pytest.fixture
def template():
    return MessageTemplate.objects.create(
        name="Bienvenue",
        topic=Topic.NEWS,
        subject_fr="Bienvenue {{ first_name }}",
        body_fr="Bonjour {{ first_name }}, {{ leads_this_year }} leads cette année.",
        subject_en="Welcome {{ first_name }}",
        body_en="Hello {{ first_name }}, {{ leads_this_year }} leads this year.",
    )


def automation(template, trigger, days=None, *, created=None):
    made = automation_save(
        automation=None,
        data={"name": f"Auto {trigger}", "trigger": trigger, "days": days, "template": template},
        actor=None,
    )
    if created is not None:  # as if set up that long ago
        Automation.objects.filter(pk=made.pk).update(created_at=created)
        made.refresh_from_db()
    return made


def backdate(partner, when):
    Partner.objects.filter(pk=partner.pk).update(created_at=when)


def submit(partner, n=0, *, at=None):
    lead = lead_submit(
        data={"last_name": f"P{n}", "phone": f"06120000{n:02d}", "postcode": "69003"},
        channel="portal",
        partner=partner,
    )
    if at is not None:
        Lead.objects.filter(pk=lead.pk).update(submitted_at=at)
        lead_counters.rebuild()  # the partner months follow the lead to its month
    return lead


def sends(auto, **filters):
    return list(
        AutomationSend.objects.filter(automation=auto, **filters)
        .order_by("partner_id", "occasion")
        .values_list("partner_id", "occasion", "state")
    )


def run_three_times(now):
    for _ in range(3):
        automations_run(now=now)


# --- Once per partner and occasion ------------------------------------------------------------


def test_joined_n_days_ago_welcomes_each_new_partner_once(template):
    now = timezone.now()
    auto = automation(template, "joined", 7, created=now - 30 * DAY)
    newcomer, veteran = PartnerFactory(first_name="Amélie"), PartnerFactory()
    backdate(newcomer, now - 8 * DAY)
    backdate(veteran, now - 400 * DAY)  # joined long before the automation: not welcomed
    automations_run(now=now - 2 * DAY)  # the newcomer's 6th day: too early
    assert sends(auto) == []
    run_three_times(now)
    assert sends(auto) == [(newcomer.pk, "", "sent")]
    assert [m.to for m in mail.outbox] == [[newcomer.email]]
    assert mail.outbox[0].subject == "Bienvenue Amélie"


def test_first_lead_congratulates_once_and_not_those_who_referred_before(template):
    now = timezone.now()
    old_hand, beginner = PartnerFactory(), PartnerFactory()
    submit(old_hand, 1, at=now - 90 * DAY)
    auto = automation(template, "first_lead", created=now - 10 * DAY)
    automations_run(now=now)
    assert sends(auto) == []
    submit(beginner, 2)
    submit(beginner, 3)  # a second lead is not a second first lead
    run_three_times(now + DAY)
    assert sends(auto) == [(beginner.pk, "", "sent")]
    assert len(mail.outbox) == 1


def test_first_payment_is_told_once(template):
    now = timezone.now()
    auto = automation(template, "first_payment", created=now - DAY)
    paid, unpaid = PartnerFactory(), PartnerFactory()
    run = PaymentRun.objects.create(cutoff=date.today(), execution_date=date.today())
    for partner, paid_at in ((paid, now), (unpaid, None)):
        PaymentItem.objects.create(
            run=run,
            partner=partner,
            amount_excl_vat=Decimal("120.00"),
            amount=Decimal("120.00"),
            iban="FR7630006000011234567890189",
            end_to_end_id=f"E2E-{partner.pk}",
            paid_at=paid_at,
        )
    run_three_times(now + DAY)
    assert sends(auto) == [(paid.pk, "", "sent")]
    assert len(mail.outbox) == 1


def test_dormant_is_told_once_per_silence_and_again_after_waking_up(template):
    now = timezone.now()
    auto = automation(template, "dormant", 30, created=now - 20 * DAY)
    sleeper, busy = PartnerFactory(), PartnerFactory()
    first = submit(sleeper, 1, at=now - 40 * DAY)
    submit(busy, 2, at=now - 5 * DAY)
    run_three_times(now)
    silence = timezone.localtime(Lead.objects.get(pk=first.pk).submitted_at).date().isoformat()
    assert sends(auto) == [(sleeper.pk, silence, "sent")]
    # The sleeper wakes up today, then falls silent again for 31 days: told a second time.
    submit(sleeper, 3)
    automations_run(now=now + 5 * DAY)
    assert len(sends(auto, partner=sleeper)) == 1
    run_three_times(now + 31 * DAY)
    occasions = [occasion for _pk, occasion, _state in sends(auto, partner=sleeper)]
    assert occasions == sorted([silence, timezone.localdate().isoformat()])
    assert len(mail.outbox) == 2 + 1  # the busy partner fell silent 36 days by then


def test_dormant_reads_the_leads_when_no_partner_month_is_kept(template):
    from relais.engagement.models import PartnerMonth

    now = timezone.now()
    auto = automation(template, "dormant", 30, created=now - 20 * DAY)
    sleeper = PartnerFactory()
    submit(sleeper, 1, at=now - 40 * DAY)
    PartnerMonth.objects.all().delete()
    run_three_times(now)
    assert [pk for pk, _occasion, _state in sends(auto)] == [sleeper.pk]


def kpi_month(reseller, received, opened):
    month = timezone.localdate().replace(day=1)
    KpiMonth.objects.create(
        kind="reseller",
        assignee_id=reseller.pk,
        month=month,
        received=received,
        opened=opened,
        treated=opened,
        won=received // 2,
        lost=received // 20,
    )


def test_a_reseller_below_its_norm_is_told_once_a_month(template):
    on_norm, below, too_new = (PartnerFactory(reseller=True) for _ in range(3))
    kpi_month(on_norm, 20, 20)
    kpi_month(below, 20, 10)  # opens half of its leads: red
    kpi_month(too_new, 2, 0)  # two leads judge nobody
    auto = automation(template, "kpi_below")
    now = timezone.now()
    run_three_times(now)
    assert sends(auto) == [(below.pk, f"{timezone.localdate():%Y-%m}", "sent")]
    next_month = (timezone.localdate().replace(day=28) + 4 * DAY).replace(day=1)
    KpiMonth.objects.filter(assignee_id=below.pk).update(month=next_month)
    run_three_times(now.replace(day=1) + 40 * DAY)  # still below next month: told again
    assert [o for _p, o, _s in sends(auto)] == [
        f"{timezone.localdate():%Y-%m}",
        f"{next_month:%Y-%m}",
    ]


def test_the_digest_goes_once_a_month_to_every_live_partner(template):
    auto = automation(template, "digest")
    live, paused, ended = PartnerFactory(), PartnerFactory(), PartnerFactory()
    Partner.objects.filter(pk=paused.pk).update(status=PartnerStatus.PAUSED)
    Partner.objects.filter(pk=ended.pk).update(status=PartnerStatus.ENDED)
    for partner in (live, paused, ended):
        backdate(partner, timezone.now() - 60 * DAY)
    newcomer = PartnerFactory()  # joined this month: nothing to tell about the last one
    this_month = timezone.localdate().replace(day=1)
    last_month = f"{(this_month - DAY):%Y-%m}"
    run_three_times(timezone.now())
    assert sends(auto) == [(live.pk, last_month, "sent"), (paused.pk, last_month, "sent")]
    assert newcomer.pk not in {m.to[0] for m in mail.outbox}
    # From the 1st of the next month, the month just ended.
    after = timezone.now().replace(day=1) + 35 * DAY
    run_three_times(after)
    assert len(sends(auto, partner=live)) == 2
    assert len(mail.outbox) == 2 + 3  # the newcomer's first digest


# --- Preferences ------------------------------------------------------------------------------


def test_an_unsubscribed_partner_is_skipped_with_the_reason_and_gets_no_mail(template):
    now = timezone.now()
    auto = automation(template, "joined", 1, created=now - 10 * DAY)
    left, no_news, bounced, kept = (PartnerFactory() for _ in range(4))
    for partner in (left, no_news, bounced, kept):
        backdate(partner, now - 2 * DAY)
    Preference.objects.create(partner=left, unsubscribed_at=now)
    Preference.objects.create(partner=no_news, news=False)  # the template's topic: news
    Suppression.objects.create(email=bounced.email, reason=SuppressionReason.HARD_BOUNCE, at=now)
    run_three_times(now)
    rows = dict(
        AutomationSend.objects.filter(automation=auto).values_list("partner_id", "skip_reason")
    )
    assert rows == {
        left.pk: SkipReason.UNSUBSCRIBED,
        no_news.pk: SkipReason.UNSUBSCRIBED,
        bounced.pk: SkipReason.SUPPRESSED,
        kept.pk: "",
    }
    assert [m.to for m in mail.outbox] == [[kept.email]]


def test_the_digest_is_blocked_by_the_digest_preference_alone(template):
    auto = automation(template, "digest")  # a news template: the digest's topic still rules
    no_digest, no_news = PartnerFactory(), PartnerFactory()
    for partner in (no_digest, no_news):
        backdate(partner, timezone.now() - 60 * DAY)
    Preference.objects.create(partner=no_digest, digest=False)
    Preference.objects.create(partner=no_news, news=False)
    automations_run()
    assert sorted(sends(auto)) == sorted(
        [
            (no_digest.pk, sends(auto)[0][1], RecipientState.SKIPPED),
            (no_news.pk, sends(auto)[0][1], RecipientState.SENT),
        ]
    )
    assert mail.outbox[0].extra_headers["X-Relais-Topic"] == Topic.DIGEST


# --- At most once -----------------------------------------------------------------------------


def test_a_triple_another_worker_claimed_is_not_sent_again(template):
    now = timezone.now()
    auto = automation(template, "joined", 1, created=now - 10 * DAY)
    partner = PartnerFactory()
    backdate(partner, now - 2 * DAY)
    AutomationSend.objects.create(automation=auto, partner=partner, occasion="", at=now)
    automations_run(now=now)
    assert mail.outbox == []
    assert sends(auto) == [(partner.pk, "", "sending")]


def test_a_send_interrupted_by_a_dead_worker_is_reported_failed_never_sent_twice(template):
    now = timezone.now()
    auto = automation(template, "joined", 1, created=now - 10 * DAY)
    partner = PartnerFactory()
    backdate(partner, now - 2 * DAY)
    AutomationSend.objects.create(automation=auto, partner=partner, occasion="", at=now - DAY)
    summary = automations_run(now=now)
    row = AutomationSend.objects.get(automation=auto)
    assert (row.state, row.failure) == (RecipientState.FAILED, automations.INTERRUPTED)
    assert "1 interrupted" in summary
    automations_run(now=now)
    assert mail.outbox == []


def test_an_unreachable_mail_server_claims_nothing_so_the_next_run_sends(template, settings):
    locmem = settings.MAILERS
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 2},  # nobody listens
        }
    }
    now = timezone.now()
    auto = automation(template, "joined", 1, created=now - 10 * DAY)
    backdate(PartnerFactory(), now - 2 * DAY)
    summary = automations_run(now=now)
    assert "mail server unreachable, 1 left for the next run" in summary
    assert not AutomationSend.objects.filter(automation=auto).exists()  # nothing left
    settings.MAILERS = locmem
    assert automations_run(now=now).startswith("1 sent")
    assert len(mail.outbox) == 1


def test_an_inactive_automation_sends_nothing(template):
    now = timezone.now()
    auto = automation(template, "joined", 1, created=now - 10 * DAY)
    backdate(PartnerFactory(), now - 2 * DAY)
    automation_toggle(automation=auto, active=False, actor=None)
    automations_run(now=now)
    assert mail.outbox == []


# --- Saving -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "field", "says"),
    [
        ({"trigger": "joined", "days": ""}, "days", "Say after how many days."),
        ({"trigger": "dormant", "days": "0"}, "days", "The number of days is 1 or more."),
        ({"trigger": "joined", "days": "3", "template": ""}, "template", "Choose the e-mail"),
        ({"trigger": "", "days": "3"}, "trigger", "Choose when the e-mail is sent."),
        ({"trigger": "joined", "days": "3", "name": " "}, "name", "Give the automation"),
    ],
)
def test_a_bad_automation_is_refused_naming_the_field(template, data, field, says):
    full = {"name": "Relance", "template": template.pk, **data}
    with pytest.raises(DomainError) as refused:
        automation_save(automation=None, data=full, actor=None)
    assert list(refused.value.fields) == [field]
    assert refused.value.fields[field].startswith(says)
    assert not Automation.objects.exists()


def test_days_are_dropped_for_a_trigger_without_delay_and_a_second_digest_is_refused(template):
    first = automation_save(
        automation=None,
        data={"name": "Digest", "trigger": "digest", "days": "5", "template": template},
        actor=None,
    )
    assert first.days is None
    with pytest.raises(DomainError, match="already active"):
        automation_save(
            automation=None,
            data={"name": "Digest 2", "trigger": "digest", "template": template},
            actor=None,
        )
    second = automation_save(
        automation=None,
        data={"name": "Digest 2", "trigger": "digest", "template": template, "active": False},
        actor=None,
    )
    with pytest.raises(DomainError, match="already active"):
        automation_toggle(automation=second, active=True, actor=None)


def test_the_partner_timeline_shows_each_automatic_email_received(template):
    from relais.engagement.automations import automations_received
    from relais.partners.extensions import timeline_entries

    now = timezone.now()
    auto = automation(template, "joined", 7, created=now - 30 * DAY)
    newcomer = PartnerFactory()
    backdate(newcomer, now - 8 * DAY)
    automations_run(now=now)
    [entry] = automations_received(newcomer)
    assert entry.sentence == f"Automatic e-mail sent: {auto.name}"
    assert entry in timeline_entries(newcomer)  # registered with the partner's page


def test_the_sweep_is_a_recurring_job():
    from relais.core import scheduling

    assert "engagement.automations" in [job.name for job in scheduling.jobs()]
