import hashlib

import pytest
from django.core.management import CommandError, call_command

from relais.accounts.models import ApiToken

pytestmark = pytest.mark.django_db


def test_command_prints_a_token_once_and_stores_only_its_hash(manager, capsys):
    call_command("api_token", "create", "--email", manager.email, "--scopes", "read,write")
    raw = capsys.readouterr().out.strip()
    token = ApiToken.objects.get(user=manager)
    assert raw.startswith("rls_")
    assert token.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in token.token_hash
    assert token.scopes == ["read", "write"]


def test_command_refuses_an_unknown_scope_or_user(manager):
    with pytest.raises(CommandError):
        call_command("api_token", "create", "--email", manager.email, "--scopes", "admin")
    with pytest.raises(CommandError):
        call_command("api_token", "create", "--email", "ghost@example.fr")


def test_tokens_are_created_in_the_ui_and_shown_once(client, manager):
    client.force_login(manager)
    response = client.post("/account/tokens/", {"name": "CRM sync", "scopes": ["read"]})
    token = ApiToken.objects.get(user=manager)
    shown = response.context["new_token"]
    assert shown.startswith(token.prefix)
    assert shown.encode() in response.content
    assert shown.encode() not in client.get("/account/tokens/").content


def test_a_user_cannot_revoke_someone_elses_token(client, manager, salesperson):
    client.force_login(manager)
    client.post("/account/tokens/", {"name": "mine", "scopes": ["read"]})
    token = ApiToken.objects.get(user=manager)
    client.force_login(salesperson)
    assert client.post(f"/account/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
