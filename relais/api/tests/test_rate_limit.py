"""A token's calls are counted (RELAIS_API_MAX_PER_MINUTE): past the allowance, 429."""

import pytest
from freezegun import freeze_time

pytestmark = pytest.mark.django_db


def test_a_token_past_its_calls_a_minute_gets_429_with_retry_after(api_client, manager, settings):
    settings.RELAIS_API_MAX_PER_MINUTE = 3
    client, other = api_client(manager), api_client(manager)
    assert other.get("/api/v1/me").status_code == 200  # the API's schemas built at real time
    with freeze_time("2026-12-02 12:00:15"):
        codes = [client.get("/api/v1/me").status_code for _ in range(4)]
        refused = client.get("/api/v1/me")
        assert other.get("/api/v1/me").status_code == 200  # another token, its own count
    assert codes == [200, 200, 200, 429]
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "rate_limited"
    assert refused.json()["error"]["message"]
    assert refused["Retry-After"] == "45"
    with freeze_time("2026-12-02 12:01:00"):
        assert client.get("/api/v1/me").status_code == 200  # a new minute


def test_no_limit_when_the_setting_is_zero(api_client, manager, settings):
    settings.RELAIS_API_MAX_PER_MINUTE = 0
    client = api_client(manager)
    assert {client.get("/api/v1/me").status_code for _ in range(5)} == {200}
