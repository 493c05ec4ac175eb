import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english(request):
    """Messages and pages in English: the tests read their words."""
    if "client" in request.fixturenames:
        request.getfixturevalue("client").defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield
