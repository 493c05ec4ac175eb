"""The automation pages: a manager lists, creates (a refusal names the field), changes,
switches off and on, creates the monthly digest, and reads each automation's sends; nobody
else reaches them. The list's queries do not grow with the automations."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from relais.accounts.choices import Role
from relais.engagement.automations import INTERRUPTED, automation_save
from relais.engagement.choices import RecipientState, SkipReason, Topic, Trigger
from relais.engagement.models import Automation, AutomationSend, MessageTemplate
from relais.testing.factories import PartnerFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def template():
    return MessageTemplate.objects.create(
        name="Bienvenue", topic=Topic.NEWS, subject_fr="Bienvenue", body_fr="Bonjour"
    )


@pytest.fixture
def client(manager):
    logged = Client()
    logged.force_login(manager)
    return logged


def make(template, name="Bienvenue J+7", trigger=Trigger.JOINED, days=7):
    data = {"name": name, "trigger": trigger, "days": days, "template": template}
    return automation_save(automation=None, data=data, actor=None)


def test_the_list_shows_each_automation_with_its_counts_in_a_fixed_number_of_queries(
    client, template, django_assert_max_num_queries
):
    auto = make(template)
    partners = [PartnerFactory() for _ in range(3)]
    now = timezone.now()
    for partner, state in zip(
        partners, (RecipientState.SENT, RecipientState.SENT, RecipientState.SKIPPED), strict=True
    ):
        AutomationSend.objects.create(automation=auto, partner=partner, state=state, at=now)
    with django_assert_max_num_queries(8):
        page = client.get(reverse("engagement:automations"), HTTP_ACCEPT_LANGUAGE="en")
    make(template, "Relance dormants", Trigger.DORMANT, 90)
    make(template, "Premier lead", Trigger.FIRST_LEAD, None)
    with django_assert_max_num_queries(8):
        again = client.get(reverse("engagement:automations"))
    text = page.content.decode()
    assert "Bienvenue J+7" in text
    row = text.split(f'data-automation="{auto.pk}"')[1].split("</tr>")[0]
    assert "Joined 7 days ago" in row
    assert '<td class="num">2<br>' in row  # sent
    assert "1 skipped, 0 failed" in row
    assert "Relance dormants" in again.content.decode()


def test_a_manager_creates_an_automation_and_a_missing_delay_is_named(client, template):
    url = reverse("engagement:automation_new")
    data = {"name": "Bienvenue", "trigger": "joined", "days": "", "template": template.pk}
    refused = client.post(url, {**data, "active": "on"})
    assert refused.status_code == 422
    assert "Say after how many days." in refused.content.decode()
    assert not Automation.objects.exists()
    done = client.post(url, {**data, "days": "7", "active": "on"})
    auto = Automation.objects.get()
    assert done.url == reverse("engagement:automation", args=[auto.pk])
    assert (auto.trigger, auto.days, auto.active) == (Trigger.JOINED, 7, True)


def test_a_manager_changes_switches_off_and_on(client, template):
    auto = make(template)
    url = reverse("engagement:automation_edit", args=[auto.pk])
    form = client.get(url)
    assert 'value="Bienvenue J+7"' in form.content.decode()
    data = {"name": "Bienvenue J+10", "trigger": "joined", "days": "10", "template": template.pk}
    client.post(url, {**data, "active": "on"})
    auto.refresh_from_db()
    assert (auto.name, auto.days) == ("Bienvenue J+10", 10)
    toggle = reverse("engagement:automation_toggle", args=[auto.pk])
    client.post(toggle, {"active": "0"})
    assert not Automation.objects.get(pk=auto.pk).active
    client.post(toggle, {"active": "1"})
    assert Automation.objects.get(pk=auto.pk).active
    assert client.get(toggle).status_code == 405


def test_the_digest_button_creates_the_digest_once(client):
    url = reverse("engagement:automation_digest")
    first = client.post(url)
    auto = Automation.objects.get()
    assert first.url == reverse("engagement:automation", args=[auto.pk])
    assert auto.trigger == Trigger.DIGEST
    assert auto.template.topic == Topic.DIGEST
    client.post(url)
    assert Automation.objects.count() == 1
    assert MessageTemplate.objects.filter(topic=Topic.DIGEST).count() == 1


def test_an_automations_page_lists_its_sends_with_the_reason(client, template):
    auto = make(template)
    sent, skipped, lost = PartnerFactory(), PartnerFactory(), PartnerFactory()
    now = timezone.now()
    AutomationSend.objects.create(
        automation=auto, partner=sent, state=RecipientState.SENT, at=now - timedelta(hours=1)
    )
    AutomationSend.objects.create(
        automation=auto,
        partner=skipped,
        state=RecipientState.SKIPPED,
        skip_reason=SkipReason.UNSUBSCRIBED,
        at=now,
    )
    AutomationSend.objects.create(
        automation=auto, partner=lost, state=RecipientState.FAILED, failure=INTERRUPTED, at=now
    )
    page = client.get(reverse("engagement:automation", args=[auto.pk]), HTTP_ACCEPT_LANGUAGE="en")
    text = page.content.decode()
    assert str(sent) in text
    assert "Unsubscribed" in text
    assert "not sent again, to avoid a second copy" in text
    only = client.get(reverse("engagement:automation", args=[auto.pk]), {"state": "skipped"})
    assert str(skipped) in only.content.decode()
    assert str(sent) not in only.content.decode()


@pytest.mark.parametrize("role", [Role.SALESPERSON])
def test_only_managers_reach_the_pages(template, role, introducer_user, reseller_user):
    auto = make(template)
    urls = [
        reverse("engagement:automations"),
        reverse("engagement:automation_new"),
        reverse("engagement:automation", args=[auto.pk]),
        reverse("engagement:automation_edit", args=[auto.pk]),
    ]
    for user in (UserFactory(role=role), introducer_user, reseller_user):
        other = Client()
        other.force_login(user)
        for url in urls:
            assert other.get(url).status_code == 403, url
        toggle = reverse("engagement:automation_toggle", args=[auto.pk])
        assert other.post(toggle, {"active": "0"}).status_code == 403
        assert other.post(reverse("engagement:automation_digest")).status_code == 403
    assert Automation.objects.get(pk=auto.pk).active
    assert Automation.objects.count() == 1
    anonymous = Client().get(urls[0])
    assert anonymous.status_code == 302
    assert "/login" in anonymous.url or "/accounts/" in anonymous.url


def test_an_unknown_automation_is_a_404(client):
    assert client.get(reverse("engagement:automation", args=[999])).status_code == 404
