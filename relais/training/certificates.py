"""Certificates: issued once per partner and module version (or path), verified in public by a
code, revoked by a manager, and printed as a PDF with a QR code to the verification page.

The shared names other parts call: ``certificate_issue``, ``certificate_state``,
``certificate_pdf`` (and ``path_certificate_issue_if_complete``, ``certificate_revoke``).
"""

from __future__ import annotations

import secrets
from base64 import b64encode
from datetime import datetime
from io import BytesIO

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.core import events
from relais.core.http import absolute_url
from relais.core.pdf import render_pdf
from relais.engagement.preferences import preference_of
from relais.partners.models import Partner
from relais.training.choices import CertificateState, Validity
from relais.training.events import TrainingCompleted
from relais.training.models import Certificate, Module, Path

# No 0/O, 1/I/L: a code read aloud over the phone or typed from paper is not mistyped.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 14  # 31**14 ≈ 7.6e20: with the rate limit, not guessable by enumeration


def certificate_code() -> str:
    """A fresh random verification code (``secrets``: unpredictable, unlike ``random``)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def add_years(moment: datetime, years: int) -> datetime:
    """``moment`` the same day ``years`` later; a 29 February lands on the 28th."""
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:
        return moment.replace(year=moment.year + years, day=28)


def _latest(*, partner: Partner, module: Module | None, path: Path | None) -> Certificate | None:
    """The partner's last certificate for this module's current version (or this path)."""
    if module is not None:
        found = Certificate.objects.filter(partner=partner, module=module, version=module.version)
    else:
        found = Certificate.objects.filter(partner=partner, path=path)
    return found.order_by("-round").first()


def _lapsed(certificate: Certificate, now: datetime) -> bool:
    return certificate.revoked_at is not None or (
        certificate.expires_at is not None and certificate.expires_at <= now
    )


def certificate_issue(
    *, partner: Partner, module: Module | None = None, path: Path | None = None
) -> Certificate:
    """The partner's valid certificate for ``module`` (its current version) or ``path``,
    issued now if there is none yet — or if the last one lapsed (expired or revoked) and the
    module was done again: that one is kept, the new one is the next round's. Idempotent, also
    under concurrency: two submissions at once meet on the unique constraint and the loser
    returns the winner's certificate."""
    if (module is None) == (path is None):
        raise ValidationError(_("A certificate is for a module or for a path."))
    now = timezone.now()
    found = _latest(partner=partner, module=module, path=path)
    if found is not None and not _lapsed(found, now):
        return found
    validity = module.validity if module is not None else Validity.FOREVER
    certificate = Certificate(
        partner=partner,
        module=module,
        path=path,
        version=module.version if module is not None else 1,
        round=found.round + 1 if found is not None else 1,
        code=certificate_code(),
        issued_at=now,
        expires_at=add_years(now, validity) if validity != Validity.FOREVER else None,
    )
    try:
        # A savepoint: the caller's transaction survives the lost race.
        with transaction.atomic():
            certificate.save()
            events.publish(TrainingCompleted(certificate_id=certificate.pk))
    except IntegrityError:
        winner = _latest(partner=partner, module=module, path=path)
        if winner is None or winner.round != certificate.round:  # not our race: a code collision
            return certificate_issue(partner=partner, module=module, path=path)
        return winner
    return certificate


def path_certificate_issue_if_complete(*, partner: Partner, path: Path) -> Certificate | None:
    """The path's certificate once every module of the path is done (read, quiz passed,
    certificate valid), else None. A path certificate never expires: it certifies the path
    was completed; each module's own certificate carries the expiry that counts."""
    from relais.training import progress  # written by another part; only this function needs it

    modules = [step.module for step in path.steps.select_related("module")]
    if not modules or not all(progress.module_done(partner, module) for module in modules):
        return None
    return certificate_issue(partner=partner, path=path)


def certificate_revoke(
    *, certificate: Certificate, actor: AbstractBaseUser | AnonymousUser, reason: str
) -> Certificate:
    """Revoke ``certificate`` (a manager's decision, with its reason): the verification page
    says revoked from now on and the module no longer counts as done. Revoking twice is
    refused, so the first date and reason stay."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the certificate is revoked.")})
    with transaction.atomic():
        # Locked: two managers revoking at once do not both write their reason.
        locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if locked.revoked_at is not None:
            raise ValidationError(_("This certificate is already revoked."))
        locked.revoked_at = timezone.now()
        locked.revoked_reason = reason[:300]
        locked.save(update_fields=["revoked_at", "revoked_reason"])
    return locked


def certificate_state(certificate: Certificate, *, now: datetime | None = None) -> CertificateState:
    """Revoked, else expired, else valid.

    A new version of the module (the manager required everyone to take it again) does NOT
    expire the certificate: it still truthfully certifies the version that was completed, and
    someone checking it must not be told otherwise. That the partner must retake the module is
    the progress part's business (``module_done`` wants a certificate of the current version)."""
    if certificate.revoked_at is not None:
        return CertificateState.REVOKED
    if certificate.expires_at is not None and certificate.expires_at <= (now or timezone.now()):
        return CertificateState.EXPIRED
    return CertificateState.VALID


def certificate_title(certificate: Certificate) -> str:
    """What was certified: the module's or the path's title."""
    subject = certificate.module or certificate.path
    return subject.title if subject is not None else ""


def verification_url(certificate: Certificate) -> str:
    """The public page that says whether the certificate holds (what the QR code points to)."""
    return absolute_url(reverse("verify:certificate", args=[certificate.code]))


def _qr_data_uri(link: str) -> str:
    import segno

    image = BytesIO()
    segno.make(link, error="m").save(image, kind="png", scale=5, border=2)
    return "data:image/png;base64," + b64encode(image.getvalue()).decode("ascii")


def certificate_pdf(certificate: Certificate) -> bytes:
    """The certificate as a PDF, in the partner's language (French unless they chose another):
    the name, what was certified, the dates, the code and a QR code to the verification page."""
    link = verification_url(certificate)
    context = {
        "certificate": certificate,
        "partner": certificate.partner,
        "title": certificate_title(certificate),
        "state": certificate_state(certificate),
        "link": link,
        "qr": _qr_data_uri(link),
    }
    language = preference_of(certificate.partner).language or "fr"
    return render_pdf("training/pdf/certificate.html", context, language=language)
