"""The provider chosen by environment: ``EMAIL_BACKEND`` and ``ANYMAIL_*`` variables give a
working anymail mailer; a programme e-mail sent through Brevo's API (a local stand-in server
speaking its HTTP API) keeps its unsubscribe headers, and the id Brevo answers is the one its
webhook then names, which reaches the recipient row."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.test import Client

from relais.engagement import mailing
from relais.engagement.choices import RecipientState, Topic
from relais.engagement.tests.test_preferences import sent_recipient
from relais.testing.factories import PartnerFactory

pytestmark = pytest.mark.django_db
SECRET = "relais:webhook-s3cret"


def settings_from(env: dict[str, str]) -> dict[str, Any]:
    """MAILERS and ANYMAIL as relais/settings.py builds them from ``env`` (a fresh process)."""
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "from django.core import mail; c = mail.mailers.default; "
        "print(json.dumps({'mailers': s.MAILERS, 'anymail': s.ANYMAIL, "
        "'backend': type(c).__module__, 'key': getattr(c, 'api_key', None)}))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("ANYMAIL_", "EMAIL_"))}
    run = subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, "DJANGO_SETTINGS_MODULE": "relais.settings", **env},
        capture_output=True,
        text=True,
        check=True,
        cwd=django_settings.BASE_DIR,
    )
    return json.loads(run.stdout.strip().splitlines()[-1])


def test_the_provider_and_its_keys_come_from_the_environment():
    brevo = settings_from(
        {
            "EMAIL_BACKEND": "anymail.backends.brevo.EmailBackend",
            "ANYMAIL_BREVO_API_KEY": "xkeysib-123",
            "ANYMAIL_WEBHOOK_SECRET": SECRET,
        }
    )
    assert brevo["backend"] == "anymail.backends.brevo"
    assert brevo["key"] == "xkeysib-123"
    assert brevo["anymail"] == {"BREVO_API_KEY": "xkeysib-123", "WEBHOOK_SECRET": SECRET}
    mailjet = settings_from(
        {
            "EMAIL_BACKEND": "anymail.backends.mailjet.EmailBackend",
            "ANYMAIL_MAILJET_API_KEY": "mj-key",
            "ANYMAIL_MAILJET_SECRET_KEY": "mj-secret",
        }
    )
    assert (mailjet["backend"], mailjet["key"]) == ("anymail.backends.mailjet", "mj-key")


def test_without_a_provider_the_default_backends_are_unchanged():
    default = settings_from({})
    assert default["mailers"]["default"]["BACKEND"] == (
        "django.core.mail.backends.console.EmailBackend"
    )
    assert default["anymail"] == {}


class _BrevoAPI(BaseHTTPRequestHandler):
    """Brevo's ``POST /v3/smtp/email``: keeps what it got, answers a messageId."""

    calls: list[dict[str, Any]]

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.calls.append({"key": self.headers["api-key"], "path": self.path, **json.loads(body)})
        answer = json.dumps({"messageId": "<202612021830.123456@smtp-relay.mailin.fr>"})
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(answer.encode())

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def brevo_api(settings: Any) -> Iterator[list[dict[str, Any]]]:
    calls: list[dict[str, Any]] = []
    handler = type("Handler", (_BrevoAPI,), {"calls": calls})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.MAILERS = {"default": {"BACKEND": "anymail.backends.brevo.EmailBackend"}}
    settings.ANYMAIL = {
        "BREVO_API_KEY": "xkeysib-test",
        "BREVO_API_URL": f"http://127.0.0.1:{server.server_address[1]}/v3/",
        "WEBHOOK_SECRET": SECRET,
    }
    yield calls
    server.shutdown()
    server.server_close()


def test_sent_through_brevo_the_webhook_names_the_message_and_reaches_its_row(brevo_api):
    partner = PartnerFactory()
    row = sent_recipient(partner)
    message = mailing.programme_message(
        partner=partner,
        email=partner.email,
        language="fr",
        topic=Topic.NEWS,
        subject="Nouvelles",
        body="Bonjour",
    )
    with mail.mailers.default as connection:
        assert connection.send_messages([message]) == 1
    (call,) = brevo_api
    assert (call["key"], call["path"]) == ("xkeysib-test", "/v3/smtp/email")
    assert call["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert call["headers"]["List-Unsubscribe"].startswith("<http")
    # what the campaign stores on the row is Brevo's id, which its webhooks name
    row.message_id = mailing.message_id(message)
    row.save(update_fields=["message_id"])
    assert row.message_id == "<202612021830.123456@smtp-relay.mailin.fr>"

    auth = "Basic " + base64.b64encode(SECRET.encode()).decode()
    delivered = {"event": "delivered", "email": partner.email, "message-id": row.message_id}
    answer = Client(headers={"authorization": auth}).post(
        "/e/anymail/brevo/tracking/", data=json.dumps(delivered), content_type="application/json"
    )
    assert answer.status_code == 200
    row.refresh_from_db()
    assert row.state == RecipientState.DELIVERED
