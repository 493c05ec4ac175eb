"""The banner (checked, re-encoded, served to the challenge's own people) and qualitative
objectives: a participant uploads a proof, a manager validates it or refuses it with a reason."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from relais.challenges import proofs, services
from relais.challenges.models import Challenge, Participant, Proof
from relais.challenges.tests.helpers import challenge
from relais.core.errors import DomainError, TransitionError
from relais.testing.factories import PartnerFactory, UserFactory, partner_user

pytestmark = pytest.mark.django_db


def png(name="photo.png", size=(40, 20)) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def _running(**fields):
    c = challenge(**fields)
    services.participants_propose(challenge=c, actor=None)
    c = services.challenge_move(challenge=c, to="scheduled", actor=None)
    return services.challenge_move(challenge=c, to="running", actor=None)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_a_banner_that_is_not_a_picture_is_refused_naming_the_field(client, media):
    client.force_login(UserFactory())
    today = timezone.localdate()
    data = {
        "name": "Défi",
        "starts_on": today.isoformat(),
        "ends_on": (today + timedelta(days=30)).isoformat(),
        "metric": "won",
        "mechanic": "threshold",
        "top_n": "3",
        "levels": "100,120,150",
        "ranking": "share",
        "progress_every_days": "7",
        "relaunch_below": "30",
    }
    fake = SimpleUploadedFile("banner.png", b"<script>alert(1)</script>", "image/png")
    response = client.post("/challenges/new/", {**data, "banner": fake})
    assert "Banner image: not a JPEG, PNG or WebP picture." in response.content.decode()
    assert not Challenge.objects.exists()
    response = client.post("/challenges/new/", {**data, "banner": png("banner.png")})
    c = Challenge.objects.get()
    assert c.banner.name.endswith(".png")
    shown = client.get(f"/challenges/{c.pk}/banner/")
    assert shown["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(b"".join(shown.streaming_content))).size == (40, 20)


def test_the_portal_shows_the_banner_to_participants_only(client, media):
    mine, other = PartnerFactory(), PartnerFactory()
    c = _running()
    c.banner.save("b.png", png(), save=True)
    Participant.objects.filter(challenge=c, partner=other).delete()
    client.force_login(partner_user(mine))
    page = client.get(f"/portal/challenges/{c.pk}/").content.decode()
    assert f"/portal/challenges/{c.pk}/banner/" in page
    assert client.get(f"/portal/challenges/{c.pk}/banner/")["Content-Type"] == "image/png"
    client.force_login(partner_user(other))
    assert client.get(f"/portal/challenges/{c.pk}/banner/").status_code == 404


def test_a_proof_is_uploaded_refused_with_a_reason_replaced_and_validated(client, media):
    manager = UserFactory()
    partner = PartnerFactory()
    c = _running()
    objective = proofs.objective_add(
        challenge=c, title="Vitrine habillée", description="Une photo", actor=manager
    )
    client.force_login(partner_user(partner))
    page = client.get(f"/portal/challenges/{c.pk}/").content.decode()
    assert "Vitrine habillée" in page
    url = f"/portal/challenges/{c.pk}/objectives/{objective.pk}/proof/"
    client.post(url, {"file": png(), "note": "La vitrine"})
    proof = Proof.objects.get()
    assert (proof.status, proof.note, proof.content_type) == ("pending", "La vitrine", "image/png")
    with pytest.raises(DomainError, match="Reason"):
        proofs.proof_decide(proof=proof, validate=False, reason=" ", actor=manager)
    proofs.proof_decide(proof=proof, validate=False, reason="Photo floue", actor=manager)
    page = client.get(f"/portal/challenges/{c.pk}/").content.decode()
    assert "Refused: Photo floue" in page
    client.post(url, {"file": png(size=(10, 10))})
    proof.refresh_from_db()
    assert proof.status == "pending"
    assert proof.reason == ""
    client.force_login(manager)
    detail = client.get(f"/challenges/{c.pk}/").content.decode()
    assert f"/challenges/{c.pk}/proofs/{proof.pk}/" in detail
    client.post(f"/challenges/{c.pk}/proofs/{proof.pk}/decide/", {"decision": "validate"})
    proof.refresh_from_db()
    assert proof.status == "validated"
    assert proofs.objectives_met(participant=proof.participant) == (1, 1)
    with pytest.raises(TransitionError):
        proofs.proof_decide(proof=proof, validate=False, reason="Non", actor=manager)


def test_a_proof_that_is_neither_picture_nor_pdf_is_refused(media):
    partner = PartnerFactory()
    c = _running()
    objective = proofs.objective_add(challenge=c, title="Formation", description="", actor=None)
    me = Participant.objects.get(challenge=c, partner=partner)
    bad = SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")
    with pytest.raises(DomainError, match=r"picture .* or a PDF"):
        proofs.proof_upload(objective=objective, participant=me, upload=bad, note="")
    pdf = SimpleUploadedFile("x.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")
    proof = proofs.proof_upload(objective=objective, participant=me, upload=pdf, note="")
    assert proof.content_type == "application/pdf"


def test_another_partner_cannot_see_or_upload_a_proof(client, media):
    mine, other = PartnerFactory(), PartnerFactory()
    c = _running()
    objective = proofs.objective_add(challenge=c, title="Vitrine", description="", actor=None)
    me = Participant.objects.get(challenge=c, partner=mine)
    proof = proofs.proof_upload(objective=objective, participant=me, upload=png(), note="")
    Participant.objects.filter(challenge=c, partner=other).delete()
    client.force_login(partner_user(other))
    assert client.get(f"/portal/challenges/{c.pk}/proofs/{proof.pk}/").status_code == 404
    url = f"/portal/challenges/{c.pk}/objectives/{objective.pk}/proof/"
    assert client.post(url, {"file": png()}).status_code == 404


def test_a_banner_is_re_encoded_so_only_pixels_are_kept():
    from relais.challenges.images import clean_image

    out = io.BytesIO()
    Image.new("CMYK", (30, 10)).save(out, format="JPEG", comment=b"<script>x</script>")
    upload = SimpleUploadedFile("b.jpg", out.getvalue() + b"<?php echo 1; ?>", "image/jpeg")
    content, kind = clean_image(upload, field="Banner image")
    kept = content.read()
    assert kind == "image/jpeg"
    assert b"<script>" not in kept
    assert b"<?php" not in kept
    assert Image.open(io.BytesIO(kept)).mode == "RGB"
