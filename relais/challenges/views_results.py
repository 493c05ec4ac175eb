"""The managers' pages for a challenge's banner, results, qualitative objectives and proofs
(under /challenges/<pk>/). Every challenge and proof comes through ``_challenge``/``_proof``:
managers see the whole network's challenges, a proof only within its own challenge."""

from __future__ import annotations

from django.contrib import messages
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from relais.accounts.decorators import manager_required, request_user
from relais.challenges import communication, proofs
from relais.challenges.choices import ProofStatus
from relais.challenges.models import Challenge, Proof
from relais.challenges.results import challenge_results
from relais.core.errors import DomainError

PROOFS_SHOWN = 50
TYPES = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


def _challenge(pk: int) -> Challenge:
    try:
        return Challenge.objects.get(pk=pk)
    except Challenge.DoesNotExist:
        raise Http404 from None


def _proof(challenge: Challenge, pk: int) -> Proof:
    try:
        return Proof.objects.select_related("participant__challenge").get(
            pk=pk, objective__challenge=challenge
        )
    except Proof.DoesNotExist:
        raise Http404 from None


def _opened(file: FieldFile) -> FieldFile:
    try:
        return file.open("rb")
    except FileNotFoundError:  # the row outlived its file (a restored database): nothing to show
        raise Http404 from None


def image_response(file: FieldFile) -> FileResponse:
    """A stored picture, inline, with its type from its (re-encoded) name: media files are not
    served as such, each goes through a view that checked who asks."""
    if not file:
        raise Http404
    kind = TYPES.get((file.name or "").rsplit(".", 1)[-1].lower())
    if kind is None:
        raise Http404
    response = FileResponse(_opened(file), content_type=kind)
    response["Cache-Control"] = "private, max-age=3600"
    return response


def proof_response(proof: Proof) -> FileResponse:
    return FileResponse(
        _opened(proof.file),
        content_type=proof.content_type,
        as_attachment=proof.content_type == "application/pdf",
        filename=f"proof-{proof.pk}.{(proof.file.name or '').rsplit('.', 1)[-1]}",
    )


@manager_required
def banner(request: HttpRequest, pk: int) -> FileResponse:
    return image_response(_challenge(pk).banner)


@manager_required
def results(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = _challenge(pk)
    found = challenge_results(challenge=challenge)
    return render(
        request,
        "challenges/results.html",
        {
            "challenge": challenge,
            "r": found,
            "groups": [
                (_("Participants"), found.participants),
                (_("Non-participants"), found.others),
            ],
        },
    )


@manager_required
@require_POST
def objective_add(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = _challenge(pk)
    try:
        proofs.objective_add(
            challenge=challenge,
            title=request.POST.get("title", ""),
            description=request.POST.get("description", ""),
            actor=request_user(request),
        )
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("Objective added."))
    return redirect(reverse("challenges:detail", args=[challenge.pk]) + "#objectives")


@manager_required
def proof_file(request: HttpRequest, pk: int, proof_id: int) -> FileResponse:
    return proof_response(_proof(_challenge(pk), proof_id))


@manager_required
@require_POST
def proof_decide(request: HttpRequest, pk: int, proof_id: int) -> HttpResponse:
    challenge = _challenge(pk)
    proof = _proof(challenge, proof_id)
    try:
        proofs.proof_decide(
            proof=proof,
            validate=request.POST.get("decision") == "validate",
            reason=request.POST.get("reason", ""),
            actor=request_user(request),
        )
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("Decision recorded."))
    return redirect(reverse("challenges:detail", args=[challenge.pk]) + "#objectives")


def detail_extras(challenge: Challenge) -> dict[str, object]:
    """What the challenge's page shows of its communication and objectives: the participation
    figure the relaunch rule reads, the drops it found, the e-mails by occasion, the objectives
    and the proofs awaiting a decision."""
    return {
        "participation": communication.challenge_participation(
            challenge=challenge, now=timezone.now()
        ),
        "relaunches": list(challenge.relaunches.all()[:5]),
        "mail_rows": communication.messages_summary(challenge=challenge),
        "objectives": list(challenge.objectives.all()),
        "pending_proofs": list(
            Proof.objects.filter(objective__challenge=challenge, status=ProofStatus.PENDING)
            .select_related("objective", "participant__partner", "participant__member__user")
            .order_by("uploaded_at", "pk")[:PROOFS_SHOWN]
        ),
    }


urlpatterns: list[URLPattern] = [
    path("<int:pk>/banner/", banner, name="banner"),
    path("<int:pk>/results/", results, name="results"),
    path("<int:pk>/objectives/", objective_add, name="objective_add"),
    path("<int:pk>/proofs/<int:proof_id>/", proof_file, name="proof"),
    path("<int:pk>/proofs/<int:proof_id>/decide/", proof_decide, name="proof_decide"),
]
