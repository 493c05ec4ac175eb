"""The demo's customers and their NPS answers: the won deals' prospects become customers (as
the ``LeadWon`` handler makes them; the demo builder writes leads in bulk, past the events), a
few hundred of them answered a survey over the last twelve months with a realistic spread
(about half promoters, a fifth detractors: an NPS near +30), some with a comment, the
promoters' testimonials published with their consent, the detractors' follow-ups open.

Through the surveys services (the counters move as in real life) and idempotent: a second run
finds answers and writes nothing."""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from relais.leads.models import Lead
from relais.surveys.answers import answer_comment, answer_record, consent_wording
from relais.surveys.choices import SendState
from relais.surveys.customers import customer_from_lead
from relais.surveys.models import Answer, Customer, SurveyRequest

ANSWERS = 400
# Weights of the scores 0..10: most customers are content, a tail is not.
WEIGHTS = [2, 1, 1, 2, 3, 4, 7, 10, 20, 25, 25]
COMMENTS = {
    "promoter": [
        "Installation rapide et propre, je recommande sans hésiter.",
        "Très bon conseil, l'équipe a pris le temps d'expliquer.",
        "Travail soigné et délais tenus.",
    ],
    "passive": ["Bien dans l'ensemble, un peu d'attente pour le devis.", "Correct."],
    "detractor": [
        "Personne n'est venu au rendez-vous prévu.",
        "Le chantier a pris deux semaines de retard sans prévenir.",
    ],
}


def _comment(rng: random.Random, score: int) -> str:
    kind = "promoter" if score >= 9 else "passive" if score >= 7 else "detractor"
    return rng.choice(COMMENTS[kind]) if rng.random() < 0.3 else ""


def seed_surveys(*, seed: int = 42, answers: int = ANSWERS) -> int:
    """Make the customers and their answers; returns how many answers were written."""
    if Answer.objects.exists():
        return 0
    rng = random.Random(seed)  # noqa: S311 - demo data
    now = timezone.now()
    leads = Lead.objects.filter(won_at__isnull=False).order_by("pk")[: answers * 2]
    written = 0
    for lead in leads.iterator(chunk_size=500):
        with transaction.atomic():
            customer = customer_from_lead(lead=lead)
            if written >= answers:
                continue
            at = now - timedelta(days=rng.randint(0, 364), minutes=rng.randint(0, 1440))
            survey = SurveyRequest.objects.create(
                customer=customer,
                occasion=f"won:{lead.pk}",
                created_at=at,
                state=SendState.SENT,
                sent_at=at,
            )
            Customer.objects.filter(pk=customer.pk).update(last_surveyed_at=at)
            score = rng.choices(range(11), weights=WEIGHTS)[0]
            answer = answer_record(request_id=survey.pk, score=score, now=at).answer
            if text := _comment(rng, score):
                answer_comment(
                    answer=answer,
                    comment=text,
                    publish=score >= 9 and rng.random() < 0.7,
                    wording=consent_wording(),
                    now=at,
                )
            written += 1
    return written
