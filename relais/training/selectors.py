"""Reads of the training content for managers: the scoped getters of the authoring pages, and
the completion figures of the stats page (per module, path, segment and département; who is
blocked by a missing required module).

The figures are computed for the whole network in a fixed number of queries: the rows read are
one per partner and one per (partner, module) reading, attempt or lapsed certificate, then
counted in Python — never a query per partner."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from relais.accounts.models import User
from relais.core.models import Departement
from relais.engagement.choices import Segment
from relais.engagement.models import Preference
from relais.partners.choices import PartnerStatus
from relais.partners.models import Partner
from relais.training.choices import AttemptState, ModuleAudience
from relais.training.models import Attempt, Certificate, Module, Path, Question, Reading
from relais.training.progress import held_from

# --- Scoped getters (managers see every module and path) ---------------------------------------


def modules_for_user(*, user: User) -> QuerySet[Module]:
    if not user.can_manage:
        return Module.objects.none()
    return Module.objects.all()


def module_get_for_user(*, user: User, pk: int) -> Module:
    return modules_for_user(user=user).get(pk=pk)


def module_list(*, user: User) -> QuerySet[Module]:
    """The modules by title with how many questions each has and how many paths use it."""
    return modules_for_user(user=user).annotate(
        n_questions=Count("questions", distinct=True), n_paths=Count("paths", distinct=True)
    )


def question_get_for_user(*, user: User, pk: int) -> Question:
    return Question.objects.filter(module__in=modules_for_user(user=user)).get(pk=pk)


def paths_for_user(*, user: User) -> QuerySet[Path]:
    if not user.can_manage:
        return Path.objects.none()
    return Path.objects.all()


def path_get_for_user(*, user: User, pk: int) -> Path:
    return paths_for_user(user=user).get(pk=pk)


def path_list(*, user: User) -> QuerySet[Path]:
    return paths_for_user(user=user).annotate(n_steps=Count("steps"))


# --- Completion figures ------------------------------------------------------------------------


@dataclass
class Rate:
    """Partners concerned and those who completed: ``rate`` a Decimal share (None if nobody)."""

    key: str
    label: str
    partners: int = 0
    completed: int = 0

    @property
    def rate(self) -> Decimal | None:
        if not self.partners:
            return None
        return (Decimal(self.completed) / Decimal(self.partners)).quantize(Decimal("0.001"))

    @property
    def percent(self) -> Decimal | None:
        """The rate in percent, to one decimal (what the page and the export show)."""
        rate = self.rate
        return None if rate is None else (rate * 100).quantize(Decimal("0.1"))


@dataclass
class Blocked:
    """A partner missing a required module, and from when it is (or was) held back for it."""

    partner: Partner
    missing: list[Module]
    blocked_from: datetime | None

    @property
    def blocked(self) -> bool:
        return self.blocked_from is None or self.blocked_from <= timezone.now()


@dataclass
class TrainingStats:
    modules: list[Rate]
    paths: list[Rate]
    segments: list[Rate]
    departements: list[Rate]
    blocked: list[Blocked] = field(default_factory=list)
    blocked_count: int = 0
    in_grace_count: int = 0


@dataclass(frozen=True)
class _Who:
    pk: int
    kind: str
    status: str
    departement: str
    segment: str
    language: str
    created_at: datetime


def _network() -> list[_Who]:
    """Active partners and candidates (who cannot be activated without the required modules):
    two queries, the languages read from the e-mail preferences (French without one)."""
    live = [PartnerStatus.ACTIVE, PartnerStatus.CANDIDATE]
    languages = dict(
        Preference.objects.filter(partner__status__in=live)
        .exclude(language="fr")
        .values_list("partner_id", "language")
    )
    rows = Partner.objects.filter(status__in=live).values_list(
        "pk", "kind", "status", "departement_id", "segment__segment", "created_at"
    )
    return [
        _Who(pk, kind, status, dep, segment or "", languages.get(pk, "fr"), created)
        for pk, kind, status, dep, segment, created in rows.iterator(chunk_size=5000)
    ]


def _pairs(
    model: type[Reading | Attempt | Certificate],
    version: dict[int, int],
    *where: Q,
    **filters: object,
) -> set[tuple[int, int]]:
    """(partner id, module id) pairs of rows about each module's current version."""
    rows = (
        model._default_manager.filter(
            *where,
            module_id__in=list(version),
            partner__status__in=[PartnerStatus.ACTIVE, PartnerStatus.CANDIDATE],
            **filters,
        )
        .order_by()  # no ordering column in the DISTINCT (Attempt sorts by started_at)
        .values_list("partner_id", "module_id", "version")
        .distinct()
    )
    return {(p, m) for p, m, v in rows.iterator(chunk_size=5000) if version.get(m) == v}


def _done(modules: list[Module]) -> set[tuple[int, int]]:
    """Every (partner, module) done, by ``progress``'s rule (read; the quiz passed where there
    is one; no expired or revoked certificate), for the whole network in five queries — with the
    partners joined rather than listed, which an IN list of 50,000 ids would not survive."""
    version = {m.pk: m.version for m in modules}
    if not version:
        return set()
    with_quiz = set(
        Question.objects.filter(module_id__in=list(version)).values_list("module_id", flat=True)
    )
    read = _pairs(Reading, version)
    passed = _pairs(Attempt, version, state=AttemptState.PASSED)
    now = timezone.now()
    gone = Q(expires_at__lte=now) | Q(revoked_at__isnull=False)
    # lapsed, unless a later round's certificate is valid (the module was done again)
    lapsed = _pairs(Certificate, version, gone) - _pairs(Certificate, version, ~gone)
    return {key for key in read - lapsed if key[1] not in with_quiz or key in passed}


def _for(audience: str, who: _Who) -> bool:
    return audience in (ModuleAudience.ALL, who.kind)


def _module_rates(
    modules: list[Module], people: list[_Who], done: set[tuple[int, int]]
) -> list[Rate]:
    rates = []
    for module in modules:
        rate = Rate(str(module.pk), module.title)
        for who in people:
            if who.status != PartnerStatus.ACTIVE or not _for(module.audience, who):
                continue
            if module.language != who.language or module.segment not in ("", who.segment):
                continue
            rate.partners += 1
            rate.completed += (who.pk, module.pk) in done
        rates.append(rate)
    return rates


def _path_rates(paths: list[Path], people: list[_Who], done: set[tuple[int, int]]) -> list[Rate]:
    rates = []
    for path in paths:
        steps = [step.module_id for step in path.steps.all()]
        rate = Rate(str(path.pk), path.title)
        for who in people:
            if who.status != PartnerStatus.ACTIVE or not _for(path.audience, who):
                continue
            if path.language != who.language:
                continue
            rate.partners += 1
            rate.completed += bool(steps) and all((who.pk, m) in done for m in steps)
        rates.append(rate)
    return rates


def _missing(required: list[Module], who: _Who, done: set[tuple[int, int]]) -> list[Module]:
    return [m for m in required if _for(m.required_for, who) and (who.pk, m.pk) not in done]


def _group_rates(
    people: list[_Who], missing: dict[int, list[Module]], key: str, labels: dict[str, str]
) -> list[Rate]:
    """Per segment or département: the active partners, and those missing no required module."""
    partners: Counter[str] = Counter()
    completed: Counter[str] = Counter()
    for who in people:
        if who.status != PartnerStatus.ACTIVE:
            continue
        group = getattr(who, key)
        partners[group] += 1
        completed[group] += not missing.get(who.pk)
    return [
        Rate(group, labels.get(group, group or "—"), partners[group], completed[group])
        for group in sorted(partners, key=lambda g: labels.get(g, g or "~"))
    ]


def training_stats(*, user: User, blocked_limit: int = 200) -> TrainingStats:
    """The stats page's figures (managers only): completion per published module and path
    (active partners it is for), per segment and département (active partners missing no
    required module), and the partners missing a required module — the first
    ``blocked_limit`` of them with their names, all of them counted."""
    if not user.can_manage:
        return TrainingStats([], [], [], [])
    modules = list(Module.objects.filter(published=True))
    paths = list(Path.objects.filter(published=True).prefetch_related("steps"))
    people = _network()
    done = _done(modules)
    required = [m for m in modules if m.required_for]
    missing: dict[int, list[Module]] = {}
    for who in people:
        gaps = _missing(required, who, done)
        if gaps:
            missing[who.pk] = gaps
    segment_labels = {str(value): str(label) for value, label in Segment.choices}
    departements = dict(Departement.objects.values_list("code", "name"))
    departement_labels = {code: f"{code} {name}" for code, name in departements.items()}
    stats = TrainingStats(
        modules=_module_rates(modules, people, done),
        paths=_path_rates(paths, people, done),
        segments=_group_rates(people, missing, "segment", segment_labels),
        departements=_group_rates(people, missing, "departement", departement_labels),
    )
    _fill_blocked(stats, people, missing, blocked_limit)
    return stats


def _fill_blocked(
    stats: TrainingStats, people: list[_Who], missing: dict[int, list[Module]], limit: int
) -> None:
    """The partners missing a required module: counted blocked or within the grace period,
    the first ``limit`` named (those already blocked first) with one query for their names."""
    entries: list[tuple[_Who, datetime | None]] = []
    for who in people:
        if who.pk in missing:
            entries.append((who, held_from(who.status, who.created_at, missing[who.pk])))
    now = timezone.now()
    stats.blocked_count = sum(1 for _w, since in entries if since is None or since <= now)
    stats.in_grace_count = len(entries) - stats.blocked_count
    entries.sort(key=lambda e: (e[1] is not None and e[1] > now, e[1] or now, e[0].pk))
    shown = entries[:limit]
    names = Partner.objects.in_bulk([who.pk for who, _since in shown])
    stats.blocked = [Blocked(names[who.pk], missing[who.pk], since) for who, since in shown]


def stats_by_kind(stats: TrainingStats) -> dict[str, list[Rate]]:
    """The tables of the page and of the export, in order."""
    return {
        "module": stats.modules,
        "path": stats.paths,
        "segment": stats.segments,
        "departement": stats.departements,
    }
