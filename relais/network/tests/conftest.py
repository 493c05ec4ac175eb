"""The network tests read pages and messages in English (the msgids), whatever the default
language: a test of the French wording says so with ``translation.override("fr")``."""

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english(request):
    if "client" in request.fixturenames:
        request.getfixturevalue("client").defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield
