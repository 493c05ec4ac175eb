"""The limits come from the model's own fields; the messages name the field and the rule."""

import pytest
from django.utils import translation

from relais.core.models import AuditEntry
from relais.core.textcheck import (
    TEXT_MAX_CHARS,
    BadText,
    max_chars,
    refuse_bad_text,
    text_errors,
)
from relais.partners.models import Partner


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_the_limits_are_the_models_own():
    assert max_chars(Partner, "last_name") == Partner._meta.get_field("last_name").max_length
    assert max_chars(Partner, "email") == 254
    assert max_chars(AuditEntry, "reason") == TEXT_MAX_CHARS  # a TextField
    assert max_chars(Partner, "departement") is None  # not text
    assert max_chars(Partner, "no_such_field") is None


def test_each_bad_value_is_named_with_its_rule():
    errors = text_errors(
        Partner,
        {"last_name": "x" * 101, "city": "Lyon\x00", "sector": "\udfff", "partner_code": "a\x00"},
    )
    assert errors == {
        "last_name": "Last name: at most 100 characters (this one has 101).",
        "city": "City: a NUL character (\\0) cannot be stored; remove it.",
        "sector": "Sector: contains an invalid character (a lone surrogate, U+D800 to U+DFFF);"
        " send valid UTF-8 text.",
        "partner_code": "partner_code: a NUL character (\\0) cannot be stored; remove it.",
    }
    assert text_errors(Partner, {"last_name": "x" * 100, "city": "Lyon", "kind": 3}) == {}


def test_only_the_values_named_are_measured_and_a_limit_can_be_lowered():
    assert text_errors(Partner, {"phone": "06 12 34 56 78 90 12 34"}, measure=()) == {}
    assert "10" in text_errors(Partner, {"email": "a" * 11}, limits={"email": 10})["email"]


def test_a_refusal_is_a_422_naming_each_field():
    with pytest.raises(BadText) as refused:
        refuse_bad_text(AuditEntry, {"reason": "x" * (TEXT_MAX_CHARS + 1)})
    assert refused.value.status == 422
    assert set(refused.value.fields) == {"reason"}
    refuse_bad_text(AuditEntry, {"reason": "x" * TEXT_MAX_CHARS})
