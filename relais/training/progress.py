"""Where partners stand in their training: which modules are theirs, which are done, which
required ones are missing. Reads only; the writes are in ``quiz.py`` and ``certificates.py``.

A module is done for a partner when its current version was read and, where it has questions,
a quiz attempt of that version was passed, and its certificate (if issued) has neither expired
nor been revoked. Everything here works on sets so that a list of many partners (the stats, the
router's gate) costs a fixed number of queries, not one per partner.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django.utils import timezone

from relais.engagement.models import PartnerSegment, Preference
from relais.partners.models import Partner
from relais.training.choices import AttemptState, Audience
from relais.training.models import Attempt, Certificate, Module, Question, Reading


def partner_language(partner: Partner) -> str:
    """The language the partner reads: its e-mail preference, French without one."""
    language = Preference.objects.filter(partner=partner).values_list("language", flat=True)
    return language.first() or "fr"


def partner_segment(partner: Partner) -> str:
    """The partner's engagement segment today ("" when the segment job has not judged it)."""
    segment = PartnerSegment.objects.filter(partner=partner).values_list("segment", flat=True)
    return segment.first() or ""


def modules_for(partner: Partner) -> QuerySet[Module]:
    """The published modules meant for this partner: its kind (or everyone), its language,
    and its segment when the module narrows its audience to one."""
    return Module.objects.filter(
        Q(segment="") | Q(segment=partner_segment(partner)),
        published=True,
        audience__in=[Audience.ALL, partner.kind],
        language=partner_language(partner),
    )


def required_modules(kind: str) -> QuerySet[Module]:
    """The published modules a partner of this kind must complete before working."""
    return Module.objects.filter(published=True, required_for__in=[Audience.ALL, kind])


def done_modules(partner_ids: Iterable[int], modules: Iterable[Module]) -> dict[int, set[int]]:
    """For each partner id, the ids of those ``modules`` it has done (see the module's
    docstring). Four queries whatever the number of partners and modules."""
    partner_ids = list(partner_ids)
    version = {m.pk: m.version for m in modules}
    done: dict[int, set[int]] = {pk: set() for pk in partner_ids}
    if not partner_ids or not version:
        return done
    scope = {"partner_id__in": partner_ids, "module_id__in": list(version)}
    with_quiz = set(
        Question.objects.filter(module_id__in=list(version))
        .values_list("module_id", flat=True)
        .distinct()
    )
    read = _current(Reading.objects.filter(**scope), version)
    passed = _current(Attempt.objects.filter(state=AttemptState.PASSED, **scope), version)
    now = timezone.now()
    # A certificate that expired or was revoked undoes the completion it proved.
    lapsed = _current(
        Certificate.objects.filter(Q(expires_at__lte=now) | Q(revoked_at__isnull=False), **scope),
        version,
    )
    for key in read - lapsed:
        partner_id, module_id = key
        if module_id not in with_quiz or key in passed:
            done[partner_id].add(module_id)
    return done


def _current(rows: QuerySet, version: dict[int, int]) -> set[tuple[int, int]]:
    """The (partner id, module id) pairs of ``rows`` that are about the module's current
    version; older versions no longer count once the manager asked everyone to retake it."""
    triples = rows.values_list("partner_id", "module_id", "version").distinct()
    return {(p, m) for p, m, v in triples if version.get(m) == v}


def module_done(partner: Partner, module: Module) -> bool:
    """Whether the partner has completed the current version of ``module``."""
    return module.pk in done_modules([partner.pk], [module])[partner.pk]


def missing_required(partner: Partner) -> list[Module]:
    """The published modules required for everyone or for the partner's kind that it has not
    done (never read, quiz not passed, or certificate expired or revoked)."""
    required = list(required_modules(partner.kind))
    done = done_modules([partner.pk], required)[partner.pk]
    return [m for m in required if m.pk not in done]


def missing_required_many(partners: Iterable[Partner]) -> dict[int, list[Module]]:
    """``missing_required`` for many partners at once (the router's gate, the stats)."""
    partners = list(partners)
    by_kind: dict[str, list[Module]] = defaultdict(list)
    for kind in {p.kind for p in partners}:
        by_kind[kind] = list(required_modules(kind))
    every = {m.pk: m for modules in by_kind.values() for m in modules}
    done = done_modules([p.pk for p in partners], every.values())
    return {p.pk: [m for m in by_kind[p.kind] if m.pk not in done[p.pk]] for p in partners}
