"""The partner's side of a challenge's banner and qualitative objectives (under
/portal/challenges/<pk>/): the banner of their own challenge, their proof's upload and their
own proof's file. Another partner's challenge or proof is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from relais.accounts.decorators import partner_required, request_user
from relais.challenges import proofs, selectors
from relais.challenges.models import Challenge, Objective, Participant, Proof
from relais.challenges.portal_views import _partner
from relais.challenges.views_results import image_response, proof_response
from relais.core.errors import DomainError


def _mine(request: HttpRequest, pk: int) -> tuple[Challenge, Participant]:
    try:
        return selectors.challenge_get_for_partner(
            partner=_partner(request), pk=pk, user_id=request_user(request).pk
        )
    except Participant.DoesNotExist:
        raise Http404 from None


@partner_required
def banner(request: HttpRequest, pk: int) -> FileResponse:
    challenge, _me = _mine(request, pk)
    return image_response(challenge.banner)


@partner_required
@require_POST
def proof_upload(request: HttpRequest, pk: int, objective_id: int) -> HttpResponse:
    challenge, me = _mine(request, pk)
    objective = Objective.objects.filter(challenge=challenge, pk=objective_id).first()
    if objective is None:
        raise Http404
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Proof: choose a file."))
    else:
        try:
            proofs.proof_upload(
                objective=objective,
                participant=me,
                upload=upload,
                note=request.POST.get("note", ""),
            )
        except DomainError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, _("Proof sent: a manager will validate it."))
    return redirect(reverse("my_challenges:detail", args=[pk]) + "#objectives")


@partner_required
def proof_file(request: HttpRequest, pk: int, proof_id: int) -> FileResponse:
    _challenge, me = _mine(request, pk)
    proof = Proof.objects.filter(pk=proof_id, participant=me).first()
    if proof is None:
        raise Http404
    return proof_response(proof)


urlpatterns: list[URLPattern] = [
    path("<int:pk>/banner/", banner, name="banner"),
    path("<int:pk>/objectives/<int:objective_id>/proof/", proof_upload, name="proof_upload"),
    path("<int:pk>/proofs/<int:proof_id>/", proof_file, name="proof"),
]
