from datetime import timedelta

import pyotp
import pytest
from django.utils import timezone

from relais.accounts import services
from relais.accounts.models import LoginFailure
from relais.testing.factories import PASSWORD

pytestmark = pytest.mark.django_db


def log_in(client, email, password=PASSWORD):
    return client.post("/login/", {"email": email, "password": password})


def test_staff_passwords_are_hashed_with_argon2(manager):
    assert manager.password.startswith("argon2")


def test_staff_logs_in_with_email_and_password_and_lands_on_the_dashboard(client, manager):
    response = log_in(client, manager.email.upper())
    assert response.status_code == 302
    assert client.get(response["Location"]).url == "/dashboard/"


def test_wrong_password_is_refused_with_a_message(client, manager):
    response = log_in(client, manager.email, "wrong")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert LoginFailure.objects.filter(email=manager.email).count() == 1


def test_repeated_failures_lock_the_account_even_against_the_right_password(
    client, manager, settings
):
    for _ in range(settings.RELAIS_LOGIN_MAX_FAILURES):
        log_in(client, manager.email, "wrong")
    response = log_in(client, manager.email)
    assert "_auth_user_id" not in client.session
    assert response.status_code == 200


def test_the_lock_lifts_after_the_lockout_window(client, manager, settings):
    for _ in range(settings.RELAIS_LOGIN_MAX_FAILURES):
        log_in(client, manager.email, "wrong")
    past = timezone.now() - timedelta(minutes=settings.RELAIS_LOGIN_LOCKOUT_MINUTES + 1)
    LoginFailure.objects.update(created_at=past)
    assert log_in(client, manager.email).status_code == 302
    assert not LoginFailure.objects.filter(email=manager.email).exists()


def test_partner_users_cannot_log_in_with_a_password(client, introducer_user):
    log_in(client, introducer_user.email)
    assert "_auth_user_id" not in client.session


class TestTotp:
    @pytest.fixture
    def secret(self, manager):
        secret = services.totp_new_secret()
        services.totp_enable(
            user=manager,
            secret=secret,
            code=pyotp.TOTP(secret).at(timezone.now() - timedelta(seconds=30)),
        )
        return secret

    def test_password_then_code_logs_in(self, client, manager, secret):
        response = log_in(client, manager.email)
        assert response.url == "/login/code/"
        assert "_auth_user_id" not in client.session
        response = client.post("/login/code/", {"code": pyotp.TOTP(secret).now()})
        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(manager.pk)

    def test_a_code_cannot_be_used_twice(self, client, manager, secret):
        code = pyotp.TOTP(secret).now()
        assert services.totp_verify(user=manager, code=code)
        assert not services.totp_verify(user=manager, code=code)

    def test_a_wrong_code_counts_as_a_failure(self, client, manager, secret):
        log_in(client, manager.email)
        response = client.post("/login/code/", {"code": "000000"})
        assert response.status_code == 200
        assert "_auth_user_id" not in client.session
        assert LoginFailure.objects.filter(email=manager.email).count() == 1

    def test_code_page_without_a_password_first_goes_back_to_login(self, client):
        assert client.get("/login/code/").url == "/login/"


def test_staff_turns_totp_on_from_the_security_page(client, manager):
    client.force_login(manager)
    page = client.get("/account/security/")
    assert b"<svg" in page.content
    secret = client.session["relais_totp_setup"]
    client.post("/account/security/", {"code": pyotp.TOTP(secret).now()})
    manager.refresh_from_db()
    assert manager.totp_enabled
    assert manager.totp_secret == secret
