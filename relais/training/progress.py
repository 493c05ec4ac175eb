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
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from relais.engagement.models import PartnerSegment, Preference
from relais.partners.choices import PartnerStatus
from relais.partners.models import Partner
from relais.training.choices import AttemptState, ModuleAudience
from relais.training.models import Attempt, Certificate, Module, Path, Question, Reading


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
        audience__in=[ModuleAudience.ALL, partner.kind],
        language=partner_language(partner),
    )


def required_modules(kind: str) -> QuerySet[Module]:
    """The published modules a partner of this kind must complete before working."""
    return Module.objects.filter(published=True, required_for__in=[ModuleAudience.ALL, kind])


def done_modules(partner_ids: Iterable[int], modules: Iterable[Module]) -> dict[int, set[int]]:
    """For each partner id, the ids of those ``modules`` it has done (see the module's
    docstring). Five queries whatever the number of partners and modules."""
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
    # A certificate that expired or was revoked undoes the completion it proved, unless the
    # module was done again since (a later round's certificate is valid).
    gone = Q(expires_at__lte=now) | Q(revoked_at__isnull=False)
    certificates = Certificate.objects.filter(**scope)
    lapsed = _current(certificates.filter(gone), version) - _current(
        certificates.exclude(gone), version
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


def held_from(status: str, created_at: datetime, missing: list[Module]) -> datetime | None:
    """When a partner missing ``missing`` is held back: at once (None) when one of them gives
    it no grace — a candidate, or a partner that joined after the module became required; else
    when the first grace period (``RELAIS_TRAINING_GRACE_DAYS``) runs out."""
    grace = timedelta(days=settings.RELAIS_TRAINING_GRACE_DAYS)
    ends = []
    for module in missing:
        since = module.required_since
        if status != PartnerStatus.ACTIVE or since is None or created_at >= since:
            return None
        ends.append(since + grace)
    return min(ends)


def held_back(partner: Partner, now: datetime | None = None) -> list[Module]:
    """The required modules the partner misses once its grace period is over (empty while it
    may still work without them)."""
    missing = missing_required(partner)
    if not missing:
        return []
    since = held_from(partner.status, partner.created_at, missing)
    return missing if since is None or since <= (now or timezone.now()) else []


# --- The partner's own objects (the portal's scoped reads) -------------------------------------


def paths_for(partner: Partner) -> QuerySet[Path]:
    """The published paths meant for this partner's kind and language."""
    return Path.objects.filter(
        published=True,
        audience__in=[ModuleAudience.ALL, partner.kind],
        language=partner_language(partner),
    )


def partner_modules(partner: Partner) -> QuerySet[Module]:
    """What the partner may open: its modules, and the ones required of it wherever they are
    meant (a required module in another language is still required)."""
    return (modules_for(partner) | required_modules(partner.kind)).distinct()


def module_get_for_partner(*, partner: Partner, pk: int) -> Module:
    """One of the partner's modules (``Module.DoesNotExist`` for any other)."""
    return partner_modules(partner).get(pk=pk)


def attempt_get_for_partner(*, partner: Partner, pk: int) -> Attempt:
    """One of the partner's own quiz attempts (``Attempt.DoesNotExist`` for another's)."""
    return Attempt.objects.select_related("module").get(partner=partner, pk=pk)


def certificate_get_for_partner(*, partner: Partner, pk: int) -> Certificate:
    """One of the partner's own certificates (``Certificate.DoesNotExist`` for another's)."""
    return Certificate.objects.select_related("partner", "module", "path").get(
        partner=partner, pk=pk
    )


@dataclass(frozen=True)
class PathProgress:
    path: Path
    modules: list[Module]
    done: int


@dataclass(frozen=True)
class Overview:
    """The partner's "Ma formation": its paths and how far along each, the modules to do
    (required ones first), the ones done with their certificate."""

    paths: list[PathProgress]
    to_do: list[Module]
    required: set[int]
    done: list[tuple[Module, Certificate | None]]
    path_certificates: list[Certificate]


def overview(partner: Partner) -> Overview:
    """Everything the "Ma formation" page shows, in a fixed number of queries."""
    modules = list(partner_modules(partner))
    required = set(required_modules(partner.kind).values_list("pk", flat=True))
    done = done_modules([partner.pk], modules)[partner.pk]
    certificates = {
        c.module_id: c
        for c in Certificate.objects.filter(
            partner=partner, module__in=modules, revoked_at__isnull=True
        )
        .select_related("module")
        .order_by("issued_at")  # the newest last: it wins
        if c.module is not None and c.version == c.module.version
    }
    paths = []
    for path in paths_for(partner).prefetch_related("steps__module"):
        steps = [s.module for s in path.steps.all() if s.module.published]
        paths.append(PathProgress(path, steps, sum(m.pk in done for m in steps)))
    to_do = sorted(
        (m for m in modules if m.pk not in done), key=lambda m: (m.pk not in required, m.title)
    )
    return Overview(
        paths=paths,
        to_do=to_do,
        required=required,
        done=[(m, certificates.get(m.pk)) for m in modules if m.pk in done],
        path_certificates=list(
            Certificate.objects.filter(
                partner=partner, path__isnull=False, revoked_at=None
            ).select_related("path")
        ),
    )
