"""API tokens are their user's own: no role reaches another user's, not even a manager."""

import pytest

from relais.accounts import selectors
from relais.accounts.models import ApiToken
from relais.accounts.services import api_token_create

pytestmark = pytest.mark.django_db


def test_a_user_reaches_its_own_token_and_not_another_users(manager, admin_user, reseller_user):
    mine, _raw = api_token_create(user=reseller_user, name="mine", scopes=["read"])
    assert selectors.api_token_get_for_user(user=reseller_user, pk=mine.pk) == mine
    for other in (manager, admin_user):
        with pytest.raises(ApiToken.DoesNotExist):
            selectors.api_token_get_for_user(user=other, pk=mine.pk)
        assert not selectors.api_tokens_for_user(user=other).exists()
