import pytest


@pytest.fixture(autouse=True)
def english(request):
    """The pages in English: the tests read their words."""
    if "client" in request.fixturenames:
        request.getfixturevalue("client").defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
