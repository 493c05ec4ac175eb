import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from relais.accounts.models import MagicLink
from relais.testing.factories import PartnerFactory, partner_user

pytestmark = pytest.mark.django_db


def request_link(client, email):
    return client.post("/login/link/", {"email": email})


def link_in_last_mail():
    return re.search(r"http://testserver(/login/link/[^/\s]+/)", mail.outbox[-1].body).group(1)


def test_partner_receives_a_link_that_logs_in_once(
    client, introducer_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request_link(client, introducer_user.email)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [introducer_user.email]
    path = link_in_last_mail()
    assert client.get(path).status_code == 200  # a confirmation page: scanners do not burn it
    response = client.post(path)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(introducer_user.pk)
    assert client.get("/").url == "/portal/"

    client.logout()
    response = client.post(path)
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session


def test_the_raw_token_is_not_stored(client, introducer_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request_link(client, introducer_user.email)
    raw = link_in_last_mail().split("/")[-2]
    assert not MagicLink.objects.filter(token_hash=raw).exists()


def test_a_link_expires_after_15_minutes(
    client, introducer_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request_link(client, introducer_user.email)
    link = MagicLink.objects.get()
    assert timedelta(minutes=14) < link.expires_at - link.created_at <= timedelta(minutes=15)
    MagicLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.post(link_in_last_mail())
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session


def test_unknown_and_staff_addresses_get_the_same_page_and_no_mail(
    client, manager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        unknown = request_link(client, "nobody@example.fr")
        staff = request_link(client, manager.email)
    assert unknown.status_code == staff.status_code == 200
    assert mail.outbox == []


def test_link_requests_are_rate_limited(
    client, introducer_user, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(settings.RELAIS_MAGIC_LINK_MAX_PER_HOUR):
            request_link(client, introducer_user.email)
        response = request_link(client, introducer_user.email)
    assert len(mail.outbox) == settings.RELAIS_MAGIC_LINK_MAX_PER_HOUR
    assert response.status_code == 200
    assert MagicLink.objects.count() == settings.RELAIS_MAGIC_LINK_MAX_PER_HOUR


def _visible_answer(response, email):
    """The page's words, the address asked for set aside (each page repeats its own)."""
    text = re.sub(r"<[^>]+>", " ", response.content.decode())
    text = re.sub(r"<input[^>]*>", "", text)
    return " ".join(text.replace(email, "ADDRESS").split())


def test_unknown_known_and_limited_addresses_get_the_same_answer(
    client, introducer_user, settings, django_capture_on_commit_callbacks
):
    settings.RELAIS_MAGIC_LINK_MAX_PER_HOUR = 1
    limited = partner_user(PartnerFactory())
    with django_capture_on_commit_callbacks(execute=True):
        request_link(client, limited.email)  # its one link of the hour
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        answers = {
            "unknown": (request_link(client, "nobody@example.fr"), "nobody@example.fr"),
            "known": (request_link(client, introducer_user.email), introducer_user.email),
            "limited": (request_link(client, limited.email), limited.email),
        }
    assert {name: r.status_code for name, (r, _) in answers.items()} == dict.fromkeys(answers, 200)
    words = {name: _visible_answer(r, email) for name, (r, email) in answers.items()}
    assert words["unknown"] == words["known"] == words["limited"]
    assert "ADDRESS" in words["limited"]  # the "check your e-mail" page, not the form again
    assert [m.to for m in mail.outbox] == [[introducer_user.email]]  # none to the limited one


def test_a_connection_asking_for_too_many_links_is_refused_whatever_the_addresses(
    client, introducer_user, settings, django_capture_on_commit_callbacks
):
    settings.RELAIS_MAGIC_LINK_MAX_PER_HOUR = 1  # a connection: 4 an hour
    with django_capture_on_commit_callbacks(execute=True):
        codes = [request_link(client, f"nobody{n}@example.fr").status_code for n in range(4)]
        refused = request_link(client, introducer_user.email)
    assert codes == [200] * 4
    assert refused.status_code == 429
    assert "Trop de liens de connexion ont été demandés" in refused.content.decode()
    assert mail.outbox == []
